/**
 * Pull requests beyond their HTTP handlers: their tips and changes read from
 * git, mergeability, their JSON and their webhook events. Shared by the
 * pull, merge and review routes and by ref updates (`synchronize`).
 */
import {
  BOT_ACTOR,
  bypassesPullRequests,
  rulesBind,
  type Actor,
} from './protection';
import { ZERO_SHA } from '../git/GitRepositories';
import { notFound } from './errors';
import { pullRequestPayload } from './events';
import { nodeId, timestamp, type PullRecord, type RepoRecord } from './model';
import { latestStatuses } from './routes/commits';
import type { GitHubState } from './state';
import { simpleUser } from './views';

/** Reads a PR's head and base tips from git while it is open; closed PRs keep the SHAs they closed with. */
export async function refresh(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
): Promise<void> {
  if (pull.state !== 'open') return;
  pull.head.sha = (await state.branchSha(repo, pull.head.ref)) ?? pull.head.sha;
  pull.base.sha = (await state.branchSha(repo, pull.base.ref)) ?? pull.base.sha;
}

/** The commits a pull request adds and the files it changes. */
export async function changes(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
) {
  const mergeBase = await state.objects.mergeBase(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  const shas = await state.objects.revList(
    repo.path,
    [pull.head.sha, `^${pull.base.sha}`],
    { reverse: true },
  );
  const files = await state.objects.diff(
    repo.path,
    mergeBase ?? pull.base.sha,
    pull.head.sha,
  );
  return { shas, files };
}

/**
 * The reviewers whose latest verdict approves: a later "changes requested"
 * or a dismissal takes an approval back, a comment does not (GitHub's
 * review decision).
 */
function approvers(pull: PullRecord, dismissStale: boolean): Set<number> {
  const verdicts = new Map<number, PullRecord['reviews'][number]>();
  for (const review of pull.reviews) {
    if (review.state !== 'COMMENTED') verdicts.set(review.user.id, review);
  }
  return new Set(
    [...verdicts.values()]
      .filter(
        review =>
          review.state === 'APPROVED' &&
          (!dismissStale || review.commitId === pull.head.sha),
      )
      .map(review => review.user.id),
  );
}

/**
 * Why merging into a protected base is refused, or undefined. The token's
 * user administers every repository, so rules bind it only with
 * enforce_admins; other users have write access and are always bound.
 */
function mergeBlocker(
  repo: RepoRecord,
  pull: PullRecord,
  baseContainedInHead: boolean,
  actor: Actor,
): string | undefined {
  const rules = repo.protections.get(pull.base.ref);
  if (!rulesBind(rules, actor)) return undefined;
  const reviews = rules.requiredPullRequestReviews;
  if (reviews && !bypassesPullRequests(rules, actor)) {
    const approvals = approvers(pull, reviews.dismissStaleReviews).size;
    const count = reviews.requiredApprovingReviewCount;
    if (approvals < count) {
      return count === 1
        ? 'At least 1 approving review is required by reviewers with write access.'
        : `At least ${count} approving reviews are required by reviewers with write access.`;
    }
  }
  const checks = rules.requiredStatusChecks;
  if (checks) {
    const passed = new Set(
      latestStatuses(repo, pull.head.sha)
        .filter(status => status.state === 'success')
        .map(status => status.context),
    );
    const missing = checks.contexts.filter(context => !passed.has(context));
    if (missing.length === 1)
      return `Required status check "${missing[0]}" is expected.`;
    if (missing.length > 1)
      return `${missing.length} of ${checks.contexts.length} required status checks are expected.`;
    if (checks.strict && !baseContainedInHead)
      return 'Head branch is out of date. Review and try the merge again.';
  }
  return undefined;
}

/** Mergeability as GitHub reports it: `mergeable`, `rebaseable`, `mergeable_state`. */
export async function mergeability(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  actor: Actor = BOT_ACTOR,
) {
  if (pull.state !== 'open')
    return {
      mergeable: null,
      rebaseable: null,
      state: 'unknown',
      blocker: undefined,
    };
  const merged = await state.objects.mergeTree(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  if (merged === 'conflict')
    return {
      mergeable: false,
      rebaseable: false,
      state: 'dirty',
      blocker: undefined,
    };
  const baseContained = await state.objects.isAncestor(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  const blocker = mergeBlocker(repo, pull, baseContained, actor);
  let mergeState = 'clean';
  if (pull.draft) mergeState = 'draft';
  else if (blocker) mergeState = baseContained ? 'blocked' : 'behind';
  return { mergeable: true, rebaseable: true, state: mergeState, blocker };
}

/** The repository as pull requests embed it (computed once per answer: it costs git calls). */
type RepositoryJson = Awaited<ReturnType<GitHubState['repositoryJson']>>;

function side(
  state: GitHubState,
  repo: RepoRecord,
  repoJson: RepositoryJson,
  branch: { ref: string; sha: string },
) {
  return {
    label: `${repo.owner.login}:${branch.ref}`,
    ref: branch.ref,
    sha: branch.sha,
    user: simpleUser(repo.owner, state.urls),
    repo: repoJson,
  };
}

/** A pull request as `pull-request-simple` (lists) or, with details, `pull-request`. */
export async function pullJson(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  details = true,
  repoJson?: RepositoryJson,
) {
  await refresh(state, repo, pull);
  const embedded = repoJson ?? (await state.repositoryJson(repo, undefined));
  const api = `${state.urls.repoApi(repo)}/pulls/${pull.number}`;
  const issue = `${state.urls.repoApi(repo)}/issues/${pull.number}`;
  const html = `${state.urls.repoWeb(repo)}/pull/${pull.number}`;
  const statuses = `${state.urls.repoApi(repo)}/statuses/${pull.head.sha}`;
  const simple = {
    url: api,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(pull.user, state.urls),
    body: pull.body,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: [],
    milestone: null,
    draft: pull.draft,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${state.urls.repoApi(repo)}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    head: side(state, repo, embedded, pull.head),
    base: side(state, repo, embedded, pull.base),
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: {
        href: `${state.urls.repoApi(repo)}/pulls/comments{/number}`,
      },
      commits: { href: `${api}/commits` },
      statuses: { href: statuses },
    },
    author_association:
      pull.user.id === repo.owner.id ? 'OWNER' : 'COLLABORATOR',
    auto_merge: null,
    active_lock_reason: null,
  };
  if (!details) return simple;
  const { shas, files } = await changes(state, repo, pull);
  const status = await mergeability(state, repo, pull);
  return {
    ...simple,
    merged: pull.mergedAt !== null,
    mergeable: status.mergeable,
    rebaseable: status.rebaseable,
    mergeable_state: status.state,
    merged_by: pull.mergedBy ? simpleUser(pull.mergedBy, state.urls) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: shas.length,
    additions: files.reduce((sum, file) => sum + file.additions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    changed_files: files.length,
  };
}

/** Sends a pull_request event to the repository's hooks. */
export async function notify(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  action: string,
  extra: Record<string, unknown> = {},
) {
  if (!repo.hooks.some(hook => hook.active)) return;
  const payload = await pullRequestPayload(
    state,
    repo,
    pull,
    action,
    await pullJson(state, repo, pull),
    extra,
  );
  state.webhooks.send(repo, 'pull_request', action, payload);
}

/** Tells hooks that open pull requests from a branch got new commits (called on every ref update). */
export async function synchronizePulls(
  state: GitHubState,
  repo: RepoRecord,
  branch: string,
  before: string,
  after: string,
) {
  for (const pull of repo.pulls) {
    if (pull.state !== 'open' || pull.head.ref !== branch || after === ZERO_SHA)
      continue;
    pull.head.sha = after;
    pull.updatedAt = timestamp();
    await notify(state, repo, pull, 'synchronize', { before, after });
  }
}

export function findPull(repo: RepoRecord, number: string): PullRecord {
  const pull = repo.pulls.find(
    candidate => String(candidate.number) === number,
  );
  if (!pull) throw notFound();
  return pull;
}

/** The branch of a `head` value (`branch` or `owner:branch`); another owner would be a fork, which the emulator lacks. */
export function headBranch(repo: RepoRecord, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.login.toLowerCase()
    ? head.slice(colon + 1)
    : undefined;
}
