/**
 * Pull requests (`git/repositories/{id}/pullRequests`, `git/pullRequests`),
 * following the Git server's `GitPullRequestsController`: creation checks,
 * searchCriteria (active by default), and completion with
 * `lastMergeSourceCommit`, which merges the source into the target branch.
 */
import { randomUUID } from 'node:crypto';
import {
  RefConflictError,
  ZERO_SHA,
  type CommitInfo,
  type GitRepositories,
} from '../git/GitRepositories';
import {
  controllerNotFound,
  invalidArgument,
  methodNotAllowed,
  pullRequestCannotBeActivated,
  pullRequestExists,
  pullRequestNotEditable,
  pullRequestNotFound,
  pullRequestStale,
} from './errors';
import {
  enumValue,
  integer,
  negotiate,
  param,
  readJson,
  sendJson,
  sendList,
  type RequestContext,
} from './context';
import { trialMerge, writeCommit } from './gitTrees';
import { LOCATIONS } from './locations';
import type { PushLog } from './pushes';
import {
  EMULATOR_USER,
  identityRef,
  type AzureOrganizations,
  type OrganizationState,
  type ProjectState,
  type PullRequestState,
  type RepositoryState,
} from './state';

const STATUSES = { notSet: 0, active: 1, abandoned: 2, completed: 3, all: 4 };
const MERGE_STRATEGIES = {
  noFastForward: 1,
  squash: 2,
  rebase: 3,
  rebaseMerge: 4,
};
const MAX_DESCRIPTION = 4000;
const BRANCH_PREFIX = 'refs/heads/';

interface PullRequestBody {
  sourceRefName?: unknown;
  targetRefName?: unknown;
  title?: unknown;
  description?: unknown;
  isDraft?: unknown;
  status?: unknown;
  lastMergeSourceCommit?: { commitId?: string };
  completionOptions?: Record<string, unknown>;
  [field: string]: unknown;
}

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

/** Serves pull requests of one organization. */
export class PullRequestsApi {
  constructor(
    private readonly state: AzureOrganizations,
    private readonly git: GitRepositories,
    private readonly pushes: PushLog,
  ) {}

  /** `git/repositories/{id}/pullRequests[/{pullRequestId}]`. */
  async routeByRepository(
    ctx: RequestContext,
    repository: RepositoryState,
    tail: string[],
  ) {
    negotiate(ctx, LOCATIONS.pullRequests);
    const [id, ...rest] = tail;
    if (rest.length > 0) throw controllerNotFound(ctx.url.pathname);
    if (id === undefined) {
      if (ctx.method === 'GET') await this.list(ctx, undefined, repository);
      else if (ctx.method === 'POST') await this.create(ctx, repository);
      else throw methodNotAllowed(ctx.method);
      return;
    }
    const pullRequest = this.find(
      ctx.organization,
      id,
      p => p.repositoryId === repository.id,
    );
    if (ctx.method === 'GET')
      sendJson(ctx, 200, await this.toJson(ctx.organization, pullRequest));
    else if (ctx.method === 'PATCH') await this.update(ctx, pullRequest);
    else throw methodNotAllowed(ctx.method);
  }

  /** `git/pullRequests` (by project) and `git/pullRequests/{pullRequestId}`. */
  async routeByProject(
    ctx: RequestContext,
    project: ProjectState | undefined,
    rest: string[],
  ) {
    const [id, ...more] = rest;
    if (more.length > 0) throw controllerNotFound(ctx.url.pathname);
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
    if (id === undefined) {
      negotiate(ctx, LOCATIONS.pullRequestsByProject);
      await this.list(ctx, project, undefined);
      return;
    }
    negotiate(ctx, LOCATIONS.pullRequestById);
    const pullRequest = this.find(
      ctx.organization,
      id,
      p =>
        !project ||
        ctx.organization.repositories.get(p.repositoryId)?.projectId ===
          project.id,
    );
    sendJson(ctx, 200, await this.toJson(ctx.organization, pullRequest));
  }

  private find(
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

  private repositoryOf(
    organization: OrganizationState,
    pullRequest: PullRequestState,
  ) {
    return organization.repositories.get(pullRequest.repositoryId)!;
  }

  private async list(
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
          organization.repositories.get(p.repositoryId)?.projectId ===
            project.id,
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
      await Promise.all(matching.map(p => this.toJson(organization, p))),
    );
  }

  private async create(ctx: RequestContext, repository: RepositoryState) {
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
    if (
      typeof description === 'string' &&
      description.length > MAX_DESCRIPTION
    ) {
      throw invalidArgument(
        `The pull request description cannot be longer than ${MAX_DESCRIPTION} characters.`,
      );
    }
    if (sourceRefName === targetRefName) {
      throw invalidArgument(
        'The source and target branches of a pull request cannot be the same.',
      );
    }
    const refs = await this.git.refs(
      this.state.pathOf(organization, repository),
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
    this.checkNoActiveDuplicate(
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
    // The service computes the merge in the background: a new pull request is always "queued".
    sendJson(ctx, 201, {
      ...(await this.toJson(organization, pullRequest, false)),
      mergeStatus: 'queued',
    });
  }

  private checkNoActiveDuplicate(
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

  private async update(ctx: RequestContext, pullRequest: PullRequestState) {
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
    if (
      typeof body.description === 'string' &&
      body.description.length > MAX_DESCRIPTION
    ) {
      throw invalidArgument(
        `The pull request description cannot be longer than ${MAX_DESCRIPTION} characters.`,
      );
    }
    if (status === 'completed') {
      await this.complete(organization, pullRequest, body);
    } else {
      if (status === 'abandoned' && pullRequest.status !== 'abandoned') {
        if (pullRequest.status !== 'active')
          throw pullRequestNotEditable(
            'The pull request has already been completed and cannot be changed.',
          );
        pullRequest.status = 'abandoned';
        pullRequest.closedDate = new Date().toISOString();
      } else if (status === 'active' && pullRequest.status === 'abandoned') {
        const repository = this.repositoryOf(organization, pullRequest);
        const refs = await this.git.refs(
          this.state.pathOf(organization, repository),
        );
        if (
          !refs.get(pullRequest.sourceRefName) ||
          !refs.get(pullRequest.targetRefName)
        ) {
          throw pullRequestCannotBeActivated();
        }
        this.checkNoActiveDuplicate(
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
    sendJson(ctx, 200, await this.toJson(organization, pullRequest));
  }

  /** Completes a pull request: merges (or squashes) the source into the target branch. */
  private async complete(
    organization: OrganizationState,
    pullRequest: PullRequestState,
    body: PullRequestBody,
  ) {
    const commitId = body.lastMergeSourceCommit?.commitId;
    if (typeof commitId !== 'string' || commitId.length !== 40) {
      throw invalidArgument(
        'The last merge source commit must be provided to complete the pull request.',
      );
    }
    if (pullRequest.status !== 'active') {
      throw pullRequestNotEditable(
        `The pull request is ${pullRequest.status} and cannot be completed.`,
      );
    }
    if (pullRequest.isDraft)
      throw pullRequestNotEditable(
        'A draft pull request cannot be completed. Publish it first.',
      );
    const repository = this.repositoryOf(organization, pullRequest);
    const path = this.state.pathOf(organization, repository);
    const refs = await this.git.refs(path);
    const source = refs.get(pullRequest.sourceRefName);
    const target = refs.get(pullRequest.targetRefName);
    if (!source || !target) throw pullRequestCannotBeActivated();
    if (source !== commitId.toLowerCase()) throw pullRequestStale();
    const options = {
      ...(pullRequest.completionOptions ?? {}),
      ...(body.completionOptions ?? {}),
    };
    const strategy =
      enumValue(options.mergeStrategy, MERGE_STRATEGIES) ??
      (options.squashMerge === true ? 'squash' : 'noFastForward');
    const title =
      typeof body.title === 'string' ? body.title : pullRequest.title;
    const message =
      typeof options.mergeCommitMessage === 'string'
        ? options.mergeCommitMessage
        : `Merged PR ${pullRequest.pullRequestId}: ${title}${
            pullRequest.description ? `\n\n${pullRequest.description}` : ''
          }`;
    const targetBranch = pullRequest.targetRefName.slice(BRANCH_PREFIX.length);
    let merged: CommitInfo;
    try {
      ({ result: merged } = await this.pushes.asPush(
        organization,
        repository,
        [pullRequest.targetRefName],
        async () => {
          if (strategy !== 'squash')
            return this.git.merge(path, {
              base: targetBranch,
              head: source,
              message,
            });
          const tree = await trialMerge(this.git.pathOf(path), target, source);
          if (!tree)
            throw new RefConflictError(
              pullRequest.targetRefName,
              target,
              source,
            );
          const sha = await writeCommit(this.git.pathOf(path), {
            tree,
            parents: [target],
            message,
            author: {
              name: EMULATOR_USER.displayName,
              email: EMULATOR_USER.uniqueName,
            },
          });
          await this.git.updateRef(path, pullRequest.targetRefName, sha, {
            expectedSha: target,
          });
          return (await this.git.commitInfo(path, sha))!;
        },
      ));
    } catch (error) {
      if (!(error instanceof RefConflictError)) throw error;
      // The service leaves a conflicting pull request active and reports the conflict.
      pullRequest.mergeStatus = 'conflicts';
      pullRequest.mergeStatusFor = `${target}..${source}`;
      return;
    }
    pullRequest.status = 'completed';
    pullRequest.closedDate = new Date().toISOString();
    pullRequest.lastMergeSourceCommit = source;
    pullRequest.lastMergeTargetCommit = target;
    pullRequest.lastMergeCommit = merged.sha;
    pullRequest.mergeStatus = 'succeeded';
    pullRequest.completionOptions = options;
    if (options.deleteSourceBranch === true) {
      await this.pushes.asPush(
        organization,
        repository,
        [pullRequest.sourceRefName],
        () =>
          this.git.updateRef(path, pullRequest.sourceRefName, ZERO_SHA, {
            expectedSha: source,
          }),
      );
    }
  }

  /** Refreshes an active pull request's heads and merge status (the service does it in the background). */
  private async refresh(
    organization: OrganizationState,
    pullRequest: PullRequestState,
  ) {
    if (pullRequest.status !== 'active') return;
    const repository = this.repositoryOf(organization, pullRequest);
    const path = this.state.pathOf(organization, repository);
    const refs = await this.git.refs(path);
    pullRequest.lastMergeSourceCommit =
      refs.get(pullRequest.sourceRefName) ?? pullRequest.lastMergeSourceCommit;
    pullRequest.lastMergeTargetCommit =
      refs.get(pullRequest.targetRefName) ?? pullRequest.lastMergeTargetCommit;
    const heads = `${pullRequest.lastMergeTargetCommit}..${pullRequest.lastMergeSourceCommit}`;
    if (pullRequest.mergeStatusFor === heads) return;
    const tree = await trialMerge(
      this.git.pathOf(path),
      pullRequest.lastMergeTargetCommit!,
      pullRequest.lastMergeSourceCommit!,
    );
    pullRequest.mergeStatus = tree ? 'succeeded' : 'conflicts';
    pullRequest.mergeStatusFor = heads;
  }

  /** `GitPullRequest`. */
  private async toJson(
    organization: OrganizationState,
    pullRequest: PullRequestState,
    refresh = true,
  ) {
    if (refresh) await this.refresh(organization, pullRequest);
    const repository = this.repositoryOf(organization, pullRequest);
    const organizationUrl = this.state.organizationUrl(organization);
    const repositoryUrl = this.state.repositoryUrl(organization, repository);
    const url = `${repositoryUrl}/pullRequests/${pullRequest.pullRequestId}`;
    const user = identityRef(organizationUrl);
    const commitRef = (sha?: string) =>
      sha
        ? { commitId: sha, url: `${repositoryUrl}/commits/${sha}` }
        : undefined;
    const closed = pullRequest.status !== 'active';
    const repositoryJson = this.state.repositoryJson(organization, repository);
    return {
      repository: {
        id: repositoryJson.id,
        name: repositoryJson.name,
        url: repositoryJson.url,
        project: repositoryJson.project,
      },
      pullRequestId: pullRequest.pullRequestId,
      codeReviewId: pullRequest.pullRequestId,
      status: pullRequest.status,
      createdBy: user,
      creationDate: pullRequest.creationDate,
      ...(closed && pullRequest.closedDate
        ? { closedDate: pullRequest.closedDate, closedBy: user }
        : {}),
      title: pullRequest.title,
      ...(pullRequest.description !== undefined
        ? { description: pullRequest.description }
        : {}),
      sourceRefName: pullRequest.sourceRefName,
      targetRefName: pullRequest.targetRefName,
      mergeStatus: pullRequest.mergeStatus ?? 'queued',
      isDraft: pullRequest.isDraft,
      mergeId: pullRequest.mergeId,
      lastMergeSourceCommit: commitRef(pullRequest.lastMergeSourceCommit),
      lastMergeTargetCommit: commitRef(pullRequest.lastMergeTargetCommit),
      ...(pullRequest.lastMergeCommit
        ? { lastMergeCommit: commitRef(pullRequest.lastMergeCommit) }
        : {}),
      ...(pullRequest.completionOptions
        ? { completionOptions: pullRequest.completionOptions }
        : {}),
      reviewers: [],
      url,
      _links: {
        self: { href: url },
        repository: { href: repositoryUrl },
        workItems: { href: `${url}/workitems` },
        sourceBranch: {
          href: `${repositoryUrl}/refs/${pullRequest.sourceRefName.slice(
            'refs/'.length,
          )}`,
        },
        targetBranch: {
          href: `${repositoryUrl}/refs/${pullRequest.targetRefName.slice(
            'refs/'.length,
          )}`,
        },
        statuses: { href: `${url}/statuses` },
        createdBy: { href: user.url },
        iterations: { href: `${url}/iterations` },
      },
      supportsIterations: true,
      artifactId: `vstfs:///Git/PullRequestId/${repository.projectId}%2f${repository.id}%2f${pullRequest.pullRequestId}`,
    };
  }
}
