/**
 * Reviewer votes on pull requests and the "Minimum number of reviewers"
 * policy they satisfy (learn.microsoft.com/azure/devops/repos/git/branch-policies,
 * "Require a minimum number of reviewers"; the REST `IdentityRefWithVote`).
 */
import { createHash } from 'node:crypto';
import {
  EMULATOR_USER,
  type OrganizationState,
  type PullRequestState,
  type RepositoryState,
} from './model';
import { MINIMUM_REVIEWERS_POLICY, requiredBranchPolicies } from './policies';

/** The votes a reviewer may cast. */
export const VOTES = [10, 5, 0, -5, -10];

/** Records a reviewer's vote, as that reviewer would cast it in the web UI. */
export function castVote(
  pullRequest: PullRequestState,
  reviewer: string,
  vote: number,
): void {
  if (!VOTES.includes(vote)) throw new Error(`invalid vote ${vote}`);
  const id = createHash('sha1').update(reviewer).digest('hex');
  const identity = {
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(
      16,
      20,
    )}-${id.slice(20, 32)}`,
    displayName: reviewer,
    uniqueName: `${reviewer
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')}@luban.invalid`,
  };
  const reviewers = (pullRequest.reviewers ?? []).filter(
    r => r.id !== identity.id,
  );
  pullRequest.reviewers = [...reviewers, { ...identity, vote }];
}

/**
 * Why the required "Minimum number of reviewers" policies of the target
 * branch are not met, or an empty list: too few approving votes (10 or 5;
 * the author's only with `creatorVoteCounts`), or a reviewer voting to wait
 * or reject unless `allowDownvotes`.
 */
export function unmetReviewerPolicies(
  organization: OrganizationState,
  repository: RepositoryState,
  pullRequest: PullRequestState,
): string[] {
  const reasons: string[] = [];
  const policies = requiredBranchPolicies(
    organization,
    repository,
    pullRequest.targetRefName,
  ).filter(p => p.typeId === MINIMUM_REVIEWERS_POLICY);
  for (const policy of policies) {
    const settings = policy.settings as {
      minimumApproverCount?: number;
      creatorVoteCounts?: boolean;
      allowDownvotes?: boolean;
    };
    const votes = (pullRequest.reviewers ?? []).filter(
      r => settings.creatorVoteCounts || r.id !== EMULATOR_USER.id,
    );
    const approvals = votes.filter(r => r.vote >= 5).length;
    const required = settings.minimumApproverCount ?? 1;
    if (approvals < required)
      reasons.push(
        `At least ${required} reviewer${
          required === 1 ? '' : 's'
        } must approve`,
      );
    if (!settings.allowDownvotes && votes.some(r => r.vote < 0))
      reasons.push('A reviewer voted to wait or reject');
  }
  return reasons;
}
