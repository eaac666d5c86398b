import { sendJson } from '../../http';
import { requireProjectAccess } from '../access';
import { notFound } from '../errors';
import type { RepositoryRecord } from '../model';
import { parsePaging, parseQuery, parseSort, sortRecords } from '../query';
import { route, type Call, type Route } from '../router';
import type { HarborState } from '../state';
import { repositoryJson } from '../views';
import {
  filterByTerms,
  fullRepositoryName,
  newestFirst,
  sendEmpty,
  sendPage,
} from './common';

function listRepositories(state: HarborState, call: Call) {
  const { searchParams } = call.url;
  const paging = parsePaging(searchParams);
  const terms = parseQuery(searchParams.get('q'));
  const project = requireProjectAccess(
    call.principal,
    state,
    { name: call.params.project_name },
    'repository:list',
  );
  const repositories = filterByTerms(state.repositoriesOf(project.id), terms, {
    name: r => r.name,
    id: r => r.id,
  });
  const sorted = sortRecords(
    repositories,
    parseSort(searchParams.get('sort')),
    {
      name: r => r.name,
      id: r => r.id,
      creation_time: r => r.creationTime.getTime(),
      update_time: r => r.updateTime.getTime(),
      pull_count: r => r.pullCount,
    },
    newestFirst('creation_time'),
  );
  sendPage(call, sorted, paging, r =>
    repositoryJson(r, state.artifactsOf(r.id).length),
  );
}

/** The repository the path names, once the caller may perform `access` in its project; 404 when missing. */
function repositoryFromPath(
  state: HarborState,
  call: Call,
  access: string,
): RepositoryRecord {
  const project = requireProjectAccess(
    call.principal,
    state,
    { name: call.params.project_name },
    access,
  );
  const fullName = fullRepositoryName(call, project);
  const repository = state.repositoryByName(fullName);
  if (!repository) throw notFound(`repository ${fullName} not found`);
  return repository;
}

function getRepository(state: HarborState, call: Call) {
  const repository = repositoryFromPath(state, call, 'repository:read');
  sendJson(
    call.res,
    200,
    repositoryJson(repository, state.artifactsOf(repository.id).length),
  );
}

function deleteRepository(state: HarborState, call: Call) {
  const repository = repositoryFromPath(state, call, 'repository:delete');
  state.deleteRepository(repository.id);
  sendEmpty(call.res, 200);
}

/** The repositories of a project: list, look up, delete. */
export function repositoryRoutes(state: HarborState): Route[] {
  return [
    route('/projects/{project_name}/repositories', {
      GET: call => listRepositories(state, call),
    }),
    route('/projects/{project_name}/repositories/{repository_name}', {
      GET: call => getRepository(state, call),
      DELETE: call => deleteRepository(state, call),
    }),
  ];
}
