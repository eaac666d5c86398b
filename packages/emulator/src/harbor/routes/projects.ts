import { sendJson } from '../../http';
import {
  canAccessSystem,
  requireAuthenticated,
  requireProjectAccess,
  robotProjectNames,
} from '../access';
import { JsonBody } from '../body';
import {
  badRequest,
  forbidden,
  notFound,
  precondition,
  unprocessable,
} from '../errors';
import { NAME_PATTERN, type ProjectRecord } from '../model';
import { parsePaging, parseQuery, parseSort, sortRecords } from '../query';
import { route, type Call, type Route } from '../router';
import type { HarborState } from '../state';
import { PROJECT_METADATA_KEYS, projectJson } from '../views';
import {
  boolParam,
  filterByTerms,
  headerFlag,
  sendEmpty,
  sendPage,
} from './common';

function projectRef(call: Call): { name: string } | { id: number } {
  const raw = call.params.project_name_or_id;
  if (!headerFlag(call.req, 'x-is-resource-name') && /^-?\d+$/.test(raw)) {
    return { id: Number(raw) };
  }
  return { name: raw };
}

function repoCount(state: HarborState, project: ProjectRecord): number {
  return state.repositoriesOf(project.id).length;
}

/** The project `{project_name_or_id}` names, once the caller may perform `access` in it. */
function projectFromPath(
  state: HarborState,
  call: Call,
  access: string,
): ProjectRecord {
  return requireProjectAccess(call.principal, state, projectRef(call), access);
}

function listProjects(state: HarborState, call: Call) {
  const { searchParams } = call.url;
  const paging = parsePaging(searchParams);
  const publicFilter = searchParams.has('public')
    ? boolParam(searchParams, 'public', false)
    : undefined;
  boolParam(searchParams, 'with_detail', true);
  const terms = parseQuery(searchParams.get('q'));
  const { principal } = call;
  let projects = state.allProjects();
  if (principal.kind === 'anonymous') {
    projects = projects.filter(p => p.metadata.public === 'true');
  } else if (principal.kind === 'robot') {
    const names = robotProjectNames(principal.robot);
    if (!names.includes('*')) {
      projects = projects.filter(
        p => names.includes(p.name) || p.metadata.public === 'true',
      );
    }
  }
  const name = searchParams.get('name');
  if (name) projects = projects.filter(p => p.name.includes(name));
  const owner = searchParams.get('owner');
  if (owner) projects = projects.filter(p => p.ownerName === owner);
  if (publicFilter !== undefined) {
    projects = projects.filter(
      p => (p.metadata.public === 'true') === publicFilter,
    );
  }
  projects = filterByTerms(projects, terms, {
    name: p => p.name,
    project_id: p => p.id,
    owner_id: p => p.ownerId,
    public: p => p.metadata.public === 'true',
  });
  const sorted = sortRecords(
    projects,
    parseSort(searchParams.get('sort')),
    {
      name: p => p.name,
      project_id: p => p.id,
      creation_time: p => p.creationTime.getTime(),
      update_time: p => p.updateTime.getTime(),
    },
    [{ key: 'name', descending: false }],
  );
  sendPage(call, sorted, paging, p =>
    projectJson(p, repoCount(state, p), principal.kind),
  );
}

function headProject(state: HarborState, call: Call) {
  const name = call.url.searchParams.get('project_name');
  if (name === null) throw unprocessable('project_name in query is required');
  requireProjectAccess(call.principal, state, { name }, 'project:read');
  sendEmpty(call.res, 200);
}

/** Reads the ProjectReq fields Harbor binds (unknown metadata keys are dropped, values must be strings). */
async function readProjectReq(call: Call) {
  const body = await JsonBody.read(call.req, 'project', 'ProjectReq');
  const name = body.field<string>(body.value, 'project_name', 'string');
  if (name !== undefined && name.length > 255) {
    throw unprocessable(
      'project.project_name in body should be at most 255 chars long',
    );
  }
  const isPublic = body.field<boolean>(body.value, 'public', 'bool');
  const storageLimit = body.field<number>(body.value, 'storage_limit', 'int64');
  const registryId = body.field<number>(body.value, 'registry_id', 'int64');
  const rawMetadata = body.field<Record<string, unknown>>(
    body.value,
    'metadata',
    'object',
  );
  const metadata: Record<string, string> = {};
  for (const key of PROJECT_METADATA_KEYS) {
    const value =
      rawMetadata &&
      body.field<string>(rawMetadata, key, 'string', `metadata.${key}`);
    if (value !== undefined) metadata[key] = value;
  }
  return {
    name,
    isPublic,
    storageLimit,
    registryId,
    metadata,
    hasMetadata: rawMetadata !== undefined,
  };
}

async function createProject(state: HarborState, call: Call) {
  const request = await readProjectReq(call);
  const { principal } = call;
  requireAuthenticated(principal);
  if (principal.kind === 'robot' && principal.robot.level !== 'system') {
    throw forbidden('Only system level robot can create project');
  }
  // project_creation_restriction is "adminonly", Harbor's default.
  if (!canAccessSystem(principal, 'project:create')) {
    throw forbidden('Only system admin can create project');
  }
  if (request.registryId !== undefined) {
    throw notFound(
      `failed to get the registry ${request.registryId}: registry ${request.registryId} not found`,
    );
  }
  const metadata = { ...request.metadata };
  if (request.isPublic !== undefined && !metadata.public)
    metadata.public = String(request.isPublic);
  if (!metadata.public) metadata.public = 'false';
  if (metadata.public !== 'true' && metadata.public !== 'false') {
    throw badRequest(
      `metadata.public should only be 'true' or 'false', but got: '${metadata.public}'`,
    );
  }
  if (metadata.retention_id) {
    throw badRequest(
      "the retention_id in the request's payload when creating a project should be omitted, alternatively passing an empty string",
    );
  }
  delete metadata.retention_id;
  delete metadata.proxy_speed_kb;
  let storageLimit = request.storageLimit ?? 0;
  if (storageLimit === 0) storageLimit = -1;
  if (storageLimit < -1) {
    throw badRequest(
      `invalid value ${storageLimit} of storage, it must be -1 (unlimited) or a positive number of bytes`,
    );
  }
  const name = request.name ?? '';
  if (name.length < 1) {
    throw badRequest(
      `Project name ${name} is illegal in length. (greater than 255 or less than 1)`,
    );
  }
  if (!NAME_PATTERN.test(name)) {
    throw badRequest(
      'project name is not in lower case or contains illegal characters',
    );
  }
  const project = state.createProject({ name, metadata, storageLimit });
  const nameInLocation = headerFlag(call.req, 'x-resource-name-in-location');
  const base = call.url.pathname.replace(/\/+$/, '');
  sendEmpty(call.res, 201, {
    Location: `${base}/${nameInLocation ? project.name : project.id}`,
  });
}

function getProject(state: HarborState, call: Call) {
  const project = projectFromPath(state, call, 'project:read');
  sendJson(
    call.res,
    200,
    projectJson(project, repoCount(state, project), call.principal.kind),
  );
}

async function updateProject(state: HarborState, call: Call) {
  const request = await readProjectReq(call);
  const project = projectFromPath(state, call, 'project:update');
  const retentionId = request.metadata.retention_id;
  if (
    retentionId !== undefined &&
    retentionId !== project.metadata.retention_id
  ) {
    throw badRequest(
      "the retention_id in the request's payload when updating a project should be omitted, alternatively passing the one that has already been associated to this project",
    );
  }
  delete request.metadata.proxy_speed_kb;
  Object.assign(project.metadata, request.metadata);
  project.updateTime = new Date();
  sendEmpty(call.res, 200);
}

function deletableOf(
  state: HarborState,
  project: ProjectRecord,
): {
  deletable: boolean;
  message?: string;
} {
  if (repoCount(state, project) > 0) {
    return {
      deletable: false,
      message: 'the project contains repositories, can not be deleted',
    };
  }
  return { deletable: true };
}

function projectDeletable(state: HarborState, call: Call) {
  const project = projectFromPath(state, call, 'project:delete');
  const result = deletableOf(state, project);
  // go-swagger omits a false `deletable`.
  sendJson(
    call.res,
    200,
    result.deletable ? { deletable: true } : { message: result.message },
  );
}

function deleteProject(state: HarborState, call: Call) {
  const project = projectFromPath(state, call, 'project:delete');
  const result = deletableOf(state, project);
  if (!result.deletable) throw precondition(result.message!);
  state.deleteProject(project.id);
  sendEmpty(call.res, 200);
}

/** Projects: list, look up, create, update, check and delete. */
export function projectRoutes(state: HarborState): Route[] {
  return [
    route('/projects', {
      GET: call => listProjects(state, call),
      HEAD: call => headProject(state, call),
      POST: call => createProject(state, call),
    }),
    route('/projects/{project_name_or_id}/_deletable', {
      GET: call => projectDeletable(state, call),
    }),
    route('/projects/{project_name_or_id}', {
      GET: call => getProject(state, call),
      PUT: call => updateProject(state, call),
      DELETE: call => deleteProject(state, call),
    }),
  ];
}
