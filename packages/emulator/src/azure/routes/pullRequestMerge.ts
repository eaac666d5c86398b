/**
 * Completing a pull request (merging or squashing the source into the
 * target branch, as one push) and the merge status the service keeps up to
 * date in the background.
 */
import {
  RefConflictError,
  ZERO_SHA,
  type CommitInfo,
} from '../../git/GitRepositories';
import {
  invalidArgument,
  pullRequestCannotBeActivated,
  pullRequestNotEditable,
  pullRequestStale,
} from '../errors';
import { enumValue } from '../context';
import { trialMerge, writeCommit } from '../gitTrees';
import {
  EMULATOR_USER,
  type OrganizationState,
  type PullRequestState,
} from '../model';
import { unmetReviewerPolicies } from '../reviews';
import type { AzureServices } from './common';

/** The prefix of branch refs. */
export const BRANCH_PREFIX = 'refs/heads/';

const MERGE_STRATEGIES = {
  noFastForward: 1,
  squash: 2,
  rebase: 3,
  rebaseMerge: 4,
};

/** A `GitPullRequest` body as POST and PATCH send it. */
export interface PullRequestBody {
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

/** The repository a pull request belongs to. */
export function repositoryOf(
  organization: OrganizationState,
  pullRequest: PullRequestState,
) {
  return organization.repositories.get(pullRequest.repositoryId)!;
}

/** Completes a pull request: merges (or squashes) the source into the target branch. */
export async function completePullRequest(
  services: AzureServices,
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
  const repository = repositoryOf(organization, pullRequest);
  const path = services.state.pathOf(organization, repository);
  const refs = await services.git.refs(path);
  const source = refs.get(pullRequest.sourceRefName);
  const target = refs.get(pullRequest.targetRefName);
  if (!source || !target) throw pullRequestCannotBeActivated();
  if (source !== commitId.toLowerCase()) throw pullRequestStale();
  // Completion waits for the required policies: the answer is the pull request, still active.
  if (unmetReviewerPolicies(organization, repository, pullRequest).length > 0) {
    pullRequest.completionQueueTime = new Date().toISOString();
    return;
  }
  const options = {
    ...(pullRequest.completionOptions ?? {}),
    ...(body.completionOptions ?? {}),
  };
  const strategy =
    enumValue(options.mergeStrategy, MERGE_STRATEGIES) ??
    (options.squashMerge === true ? 'squash' : 'noFastForward');
  const title = typeof body.title === 'string' ? body.title : pullRequest.title;
  const message =
    typeof options.mergeCommitMessage === 'string'
      ? options.mergeCommitMessage
      : `Merged PR ${pullRequest.pullRequestId}: ${title}${
          pullRequest.description ? `\n\n${pullRequest.description}` : ''
        }`;
  const targetBranch = pullRequest.targetRefName.slice(BRANCH_PREFIX.length);
  let merged: CommitInfo;
  try {
    ({ result: merged } = await services.pushes.asPush(
      organization,
      repository,
      [pullRequest.targetRefName],
      async () => {
        if (strategy !== 'squash')
          return services.git.merge(path, {
            base: targetBranch,
            head: source,
            message,
          });
        const tree = await trialMerge(
          services.git.pathOf(path),
          target,
          source,
        );
        if (!tree)
          throw new RefConflictError(pullRequest.targetRefName, target, source);
        const sha = await writeCommit(services.git.pathOf(path), {
          tree,
          parents: [target],
          message,
          author: {
            name: EMULATOR_USER.displayName,
            email: EMULATOR_USER.uniqueName,
          },
        });
        await services.git.updateRef(path, pullRequest.targetRefName, sha, {
          expectedSha: target,
        });
        return (await services.git.commitInfo(path, sha))!;
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
    await services.pushes.asPush(
      organization,
      repository,
      [pullRequest.sourceRefName],
      () =>
        services.git.updateRef(path, pullRequest.sourceRefName, ZERO_SHA, {
          expectedSha: source,
        }),
    );
  }
}

/** Refreshes an active pull request's heads and merge status (the service does it in the background). */
export async function refreshMergeStatus(
  services: AzureServices,
  organization: OrganizationState,
  pullRequest: PullRequestState,
) {
  if (pullRequest.status !== 'active') return;
  const repository = repositoryOf(organization, pullRequest);
  const path = services.state.pathOf(organization, repository);
  const refs = await services.git.refs(path);
  pullRequest.lastMergeSourceCommit =
    refs.get(pullRequest.sourceRefName) ?? pullRequest.lastMergeSourceCommit;
  pullRequest.lastMergeTargetCommit =
    refs.get(pullRequest.targetRefName) ?? pullRequest.lastMergeTargetCommit;
  const heads = `${pullRequest.lastMergeTargetCommit}..${pullRequest.lastMergeSourceCommit}`;
  if (pullRequest.mergeStatusFor === heads) return;
  const tree = await trialMerge(
    services.git.pathOf(path),
    pullRequest.lastMergeTargetCommit!,
    pullRequest.lastMergeSourceCommit!,
  );
  pullRequest.mergeStatus = tree ? 'succeeded' : 'conflicts';
  pullRequest.mergeStatusFor = heads;
}
