/**
 * The `git` area (`…/_apis/git/<rest>`): repositories, refs, items, pushes,
 * commits and pull requests, over the shared bare repositories.
 */
import { controllerNotFound, methodNotAllowed } from '../errors';
import { negotiate, type RequestContext } from '../context';
import { LOCATIONS } from '../locations';
import type { ProjectState } from '../model';
import type { AzureServices } from './common';
import { getCommit, getCommits } from './commits';
import { getItems } from './items';
import {
  routePullRequestsByProject,
  routePullRequestsByRepository,
} from './pullRequests';
import { pushesResource } from './pushes';
import { routePullRequestThreads } from './pullRequestThreads';
import { getRefs, updateRefs } from './refs';
import {
  createRepository,
  listRepositories,
  repositoryResource,
} from './repositories';

/** Routes `…/_apis/git/<rest>` of one organization (and optionally one project). */
export async function routeGitArea(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState | undefined,
  rest: string[],
) {
  const [resource, repositoryId, child, ...tail] = rest;
  const { organization } = ctx;
  if (resource?.toLowerCase() === 'pullrequests') {
    await routePullRequestsByProject(services, ctx, project, rest.slice(1));
    return;
  }
  if (resource?.toLowerCase() !== 'repositories')
    throw controllerNotFound(ctx.url.pathname);
  if (repositoryId === undefined) {
    negotiate(ctx, LOCATIONS.repositories);
    if (ctx.method === 'GET') await listRepositories(services, ctx, project);
    else if (ctx.method === 'POST')
      await createRepository(services, ctx, project);
    else throw methodNotAllowed(ctx.method);
    return;
  }
  const repository = services.state.repository(
    organization,
    project,
    repositoryId,
  );
  switch (child?.toLowerCase()) {
    case undefined:
      negotiate(ctx, LOCATIONS.repositories);
      await repositoryResource(services, ctx, repository);
      return;
    case 'refs':
      negotiate(ctx, LOCATIONS.refs);
      if (ctx.method === 'GET')
        await getRefs(services, ctx, repository, tail.join('/'));
      else if (ctx.method === 'POST')
        await updateRefs(services, ctx, repository);
      else throw methodNotAllowed(ctx.method);
      return;
    case 'items':
      negotiate(ctx, LOCATIONS.items);
      if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
      await getItems(services, ctx, repository, tail.join('/'));
      return;
    case 'pushes':
      negotiate(ctx, LOCATIONS.pushes);
      await pushesResource(services, ctx, repository, tail[0]);
      return;
    case 'commits':
      negotiate(ctx, LOCATIONS.commits);
      if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
      if (tail[0]) await getCommit(services, ctx, repository, tail[0]);
      else await getCommits(services, ctx, repository);
      return;
    case 'pullrequests':
      if (tail[1]?.toLowerCase() === 'threads') await routePullRequestThreads(services, ctx, repository, tail);
      else await routePullRequestsByRepository(services, ctx, repository, tail);
      return;
    default:
      throw controllerNotFound(ctx.url.pathname);
  }
}
