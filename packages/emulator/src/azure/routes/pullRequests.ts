/**
 * Pull requests (`git/repositories/{id}/pullRequests`, `git/pullRequests`),
 * following the Git server's `GitPullRequestsController`: creation checks,
 * searchCriteria (active by default), and completion with
 * `lastMergeSourceCommit`, which merges the source into the target branch.
 */
import { randomUUID } from 'node:crypto';
import {
  controllerNotFound,
  invalidArgument,
  methodNotAllowed,
  pullRequestCannotBeActivated,
  pullRequestExists,
  pullRequestNotEditable,
  pullRequestNotFound,
} from '../errors';
import {
  enumValue,
  integer,
  negotiate,
  param,
  readJson,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import { LOCATIONS } from '../locations';
import {
  EMULATOR_USER,
  type OrganizationState,
  type ProjectState,
  type PullRequestState,
  type RepositoryState,
} from '../model';
import { pullRequestJson } from '../views';
import { publishPullRequestEvent } from '../pullRequestHooks';
import type { AzureServices } from './common';
import {
  BRANCH_PREFIX,
  completePullRequest,
  refreshMergeStatus,
  repositoryOf,
  type PullRequestBody,
} from './pullRequestMerge';

const STATUSES = { notSet: 0, active: 1, abandoned: 2, completed: 3, all: 4 };
const MAX_DESCRIPTION = 4000;

/** Fields a PATCH may not set (the controller's `InvalidPullRequestUpdate` check). */
const READ_ONLY_FIELDS = [
  'creationDate',
  'closedDate',
  'createdBy',
  'lastMergeCommit',
  'lastMergeTargetCommit',
  'mergeId',
  'repository',
  'sourceRefName',
  'reviewers',
];

/** `git/repositories/{id}/pullRequests[/{pullRequestId}]`. */
export async function routePullRequestsByRepository(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  tail: string[],
) {
  negotiate(ctx, LOCATIONS.pullRequests);
  const [id, ...rest] = tail;
  if (rest.length > 0) throw controllerNotFound(ctx.url.pathname);
  if (id === undefined) {
    if (ctx.method === 'GET') await list(services, ctx, undefined, repository);
    else if (ctx.method === 'POST') await create(services, ctx, repository);
    else throw methodNotAllowed(ctx.method);
    return;
  }
  const pullRequest = find(
    ctx.organization,
    id,
    p => p.repositoryId === repository.id,
  );
  if (ctx.method === 'GET')
    sendJson(ctx, 200, await toJson(services, ctx.organization, pullRequest));
  else if (ctx.method === 'PATCH') await update(services, ctx, pullRequest);
  else throw methodNotAllowed(ctx.method);
}

/** `git/pullRequests` (by project) and `git/pullRequests/{pullRequestId}`. */
export async function routePullRequestsByProject(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState | undefined,
  rest: string[],
) {
  const [id, ...more] = rest;
  if (more.length > 0) throw controllerNotFound(ctx.url.pathname);
  if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
  if (id === undefined) {
    negotiate(ctx, LOCATIONS.pullRequestsByProject);
    await list(services, ctx, project, undefined);
    return;
  }
  negotiate(ctx, LOCATIONS.pullRequestById);
  const pullRequest = find(
    ctx.organization,
    id,
    p =>
      !project ||
      ctx.organization.repositories.get(p.repositoryId)?.projectId ===
        project.id,
  );
  sendJson(ctx, 200, await toJson(services, ctx.organization, pullRequest));
}

function find(
  organization: OrganizationState,
  id: string,
  visible: (p: PullRequestState) => boolean,
) {
  const pullRequest = /^\d+$/.test(id)
    ? organization.pullRequests.get(Number(id))
    : undefined;
  if (!pullRequest || !visible(pullRequest)) throw pullRequestNotFound();
  return pullRequest;
}

async function list(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState | undefined,
  repository: RepositoryState | undefined,
) {
  const { organization } = ctx;
  const statusParam = param(ctx, 'searchCriteria.status', 'status');
  const status = enumValue(statusParam, STATUSES);
  if (statusParam && !status)
    throw invalidArgument(
      `The value '${statusParam}' is not valid for Status.`,
    );
  const wanted = !status || status === 'notSet' ? 'active' : status;
  const source = param(ctx, 'searchCriteria.sourceRefName', 'sourceRefName');
  const target = param(ctx, 'searchCriteria.targetRefName', 'targetRefName');
  const repositoryId = param(
    ctx,
    'searchCriteria.repositoryId',
    'repositoryId',
  )?.toLowerCase();
  const creatorId = param(
    ctx,
    'searchCriteria.creatorId',
    'creatorId',
  )?.toLowerCase();
  const top = Math.min(integer(ctx, ['$top', 'top'], 101), 1000);
  const skip = integer(ctx, ['$skip', 'skip'], 0);
  const matching = [...organization.pullRequests.values()]
    .filter(p => !repository || p.repositoryId === repository.id)
    .filter(
      p =>
        !project ||
        organization.repositories.get(p.repositoryId)?.projectId === project.id,
    )
    .filter(p => !repositoryId || p.repositoryId === repositoryId)
    .filter(() => !creatorId || creatorId === EMULATOR_USER.id)
    .filter(p => wanted === 'all' || p.status === wanted)
    .filter(p => !source || p.sourceRefName === source)
    .filter(p => !target || p.targetRefName === target)
    .sort((a, b) => b.pullRequestId - a.pullRequestId)
    .slice(skip, skip + top);
  sendList(
    ctx,
    await Promise.all(matching.map(p => toJson(services, organization, p))),
  );
}

/** 400 when a description is longer than the service stores. */
function checkDescription(description: unknown) {
  if (typeof description === 'string' && description.length > MAX_DESCRIPTION) {
    throw invalidArgument(
      `The pull request description cannot be longer than ${MAX_DESCRIPTION} characters.`,
    );
  }
}

async function create(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
) {
  const { organization } = ctx;
  const body = ((await readJson(ctx)) ?? {}) as PullRequestBody;
  const { sourceRefName, targetRefName, title, description } = body;
  if (
    typeof sourceRefName !== 'string' ||
    !sourceRefName ||
    typeof targetRefName !== 'string' ||
    !targetRefName
  ) {
    throw invalidArgument(
      'The source and target ref names of a pull request are required.',
    );
  }
  if (typeof title !== 'string' || !title.trim())
    throw invalidArgument('The pull request title cannot be empty.');
  checkDescription(description);
  if (sourceRefName === targetRefName) {
    throw invalidArgument(
      'The source and target branches of a pull request cannot be the same.',
    );
  }
  const refs = await services.git.refs(
    services.state.pathOf(organization, repository),
  );
  const source = refs.get(sourceRefName);
  const target = refs.get(targetRefName);
  if (
    !source ||
    !target ||
    !sourceRefName.startsWith(BRANCH_PREFIX) ||
    !targetRefName.startsWith(BRANCH_PREFIX)
  ) {
    throw pullRequestCannotBeActivated();
  }
  checkNoActiveDuplicate(
    organization,
    repository.id,
    sourceRefName,
    targetRefName,
  );
  const pullRequest: PullRequestState = {
    pullRequestId: organization.nextPullRequestId++,
    repositoryId: repository.id,
    title,
    description: typeof description === 'string' ? description : undefined,
    sourceRefName,
    targetRefName,
    isDraft: body.isDraft === true,
    status: 'active',
    creationDate: new Date().toISOString(),
    mergeId: randomUUID(),
    lastMergeSourceCommit: source,
    lastMergeTargetCommit: target,
  };
  organization.pullRequests.set(pullRequest.pullRequestId, pullRequest);
  publishPullRequestEvent(services, organization, pullRequest, 'git.pullrequest.created', 'created');
  // The service computes the merge in the background: a new pull request is always "queued".
  sendJson(ctx, 201, {
    ...(await toJson(services, organization, pullRequest, false)),
    mergeStatus: 'queued',
  });
}

function checkNoActiveDuplicate(
  organization: OrganizationState,
  repositoryId: string,
  source: string,
  target: string,
) {
  const duplicate = [...organization.pullRequests.values()].some(
    p =>
      p.repositoryId === repositoryId &&
      p.status === 'active' &&
      p.sourceRefName === source &&
      p.targetRefName === target,
  );
  if (duplicate) throw pullRequestExists();
}

async function update(
  services: AzureServices,
  ctx: RequestContext,
  pullRequest: PullRequestState,
) {
  const { organization } = ctx;
  const body = ((await readJson(ctx)) ?? {}) as PullRequestBody;
  const status = enumValue(body.status, STATUSES);
  const invalidUpdate = () =>
    invalidArgument(
      'The pull request update is not valid: only the title, description, status, isDraft, completion options and merge options can be updated.',
    );
  if (
    READ_ONLY_FIELDS.some(
      field => body[field] !== undefined && body[field] !== null,
    )
  )
    throw invalidUpdate();
  if (body.pullRequestId && body.pullRequestId !== pullRequest.pullRequestId)
    throw invalidUpdate();
  if (body.lastMergeSourceCommit && status !== 'completed')
    throw invalidUpdate();
  if (
    body.title !== undefined &&
    (typeof body.title !== 'string' || !body.title.trim())
  ) {
    throw invalidArgument('The pull request title cannot be empty.');
  }
  checkDescription(body.description);
  const statusBefore = pullRequest.status;
  if (status === 'completed') {
    await completePullRequest(services, organization, pullRequest, body);
  } else {
    if (status === 'abandoned' && pullRequest.status !== 'abandoned') {
      if (pullRequest.status !== 'active')
        throw pullRequestNotEditable(
          'The pull request has already been completed and cannot be changed.',
        );
      pullRequest.status = 'abandoned';
      pullRequest.closedDate = new Date().toISOString();
    } else if (status === 'active' && pullRequest.status === 'abandoned') {
      const repository = repositoryOf(organization, pullRequest);
      const refs = await services.git.refs(
        services.state.pathOf(organization, repository),
      );
      if (
        !refs.get(pullRequest.sourceRefName) ||
        !refs.get(pullRequest.targetRefName)
      ) {
        throw pullRequestCannotBeActivated();
      }
      checkNoActiveDuplicate(
        organization,
        repository.id,
        pullRequest.sourceRefName,
        pullRequest.targetRefName,
      );
      pullRequest.status = 'active';
      pullRequest.closedDate = undefined;
    } else if (status === 'active' && pullRequest.status === 'completed') {
      throw pullRequestNotEditable(
        'The pull request has already been completed and cannot be changed.',
      );
    }
    if (typeof body.title === 'string') pullRequest.title = body.title;
    if (typeof body.description === 'string')
      pullRequest.description = body.description;
    if (typeof body.isDraft === 'boolean') pullRequest.isDraft = body.isDraft;
    if (body.completionOptions)
      pullRequest.completionOptions = body.completionOptions;
  }
  if (pullRequest.status !== statusBefore) {
    if (pullRequest.status === 'completed') publishPullRequestEvent(services, organization, pullRequest, 'git.pullrequest.merged', 'completed');
    publishPullRequestEvent(services, organization, pullRequest, 'git.pullrequest.updated', `set to ${pullRequest.status}`);
  }
  sendJson(ctx, 200, await toJson(services, organization, pullRequest));
}

/** `GitPullRequest`, after refreshing an active pull request's heads and merge status. */
async function toJson(
  services: AzureServices,
  organization: OrganizationState,
  pullRequest: PullRequestState,
  refresh = true,
) {
  if (refresh) await refreshMergeStatus(services, organization, pullRequest);
  return pullRequestJson(services.state, organization, pullRequest);
}
