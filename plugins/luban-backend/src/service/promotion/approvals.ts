import type { LubanEnvironmentState, LubanPullRequestReview, LubanRolloutState } from '@luban-backstage/plugin-luban-common';
import type { GitFile, GitProvider, PullRequestReviews, RepoLocation } from '@luban-backstage/plugin-luban-node';

/** Overlays as read at the commits Argo CD synced, by repository, path and commit. */
const overlaysAtCommits = new Map<string, string | undefined>();
/** Bounded: a thousand apps in three environments. */
const MAX_CACHED = 3_000;

/**
 * The review state of an open pull request as the Delivery view says it:
 * changes asked for outweigh approvals (GitHub's review decision; Azure DevOps
 * refuses completion on a wait or reject vote), then approvals are counted
 * against what the branch requires.
 */
export function reviewState(reviews: PullRequestReviews, requiredApprovals: number): LubanPullRequestReview {
  let state: LubanPullRequestReview['state'] = 'approved';
  if (reviews.changesRequestedBy.length > 0) state = 'changes-requested';
  else if (reviews.approvedBy.length < requiredApprovals) state = 'waiting';
  return {
    state,
    approvedBy: reviews.approvedBy,
    changesRequestedBy: reviews.changesRequestedBy,
    requiredApprovals,
    ...(reviews.checks ? { checks: reviews.checks } : {}),
  };
}

/** The reviews of an open pull request, read now (they change without the branch moving). */
export async function pullRequestReview(
  provider: GitProvider,
  repo: RepoLocation,
  pull: { number: number; head: string },
  requiredApprovals: number,
): Promise<LubanPullRequestReview> {
  return reviewState(await provider.pullRequestReviews(repo, pull.number, pull.head), requiredApprovals);
}

/**
 * Whether Argo CD runs what the overlay holds: `deployed` once the
 * Application is Synced at a revision whose overlay is the one on the branch
 * (the merge commit itself, or any later commit that left it alone), which
 * costs nothing when Argo CD compared against the commit the overlay was read
 * at and one read otherwise; `waiting-for-sync` until then — a merged
 * promotion into an environment Argo CD does not sync by itself stays so
 * until someone syncs it. undefined without an Application.
 */
export async function rolloutState(
  provider: GitProvider,
  repo: RepoLocation,
  overlay: { path: string; file: GitFile },
  argoCd: LubanEnvironmentState['argoCd'],
): Promise<LubanRolloutState | undefined> {
  if (!argoCd) return undefined;
  if (argoCd.syncStatus !== 'Synced' || !argoCd.revision) return 'waiting-for-sync';
  if (argoCd.revision === overlay.file.commitSha) return 'deployed';
  const key = JSON.stringify([repo.webUrl, overlay.path, argoCd.revision]);
  if (!overlaysAtCommits.has(key)) {
    // A file at a commit never changes: a warm view reads nothing again.
    if (overlaysAtCommits.size > MAX_CACHED) overlaysAtCommits.clear();
    overlaysAtCommits.set(key, (await provider.readFile(repo, overlay.path, argoCd.revision))?.content);
  }
  return overlaysAtCommits.get(key) === overlay.file.content ? 'deployed' : 'waiting-for-sync';
}

