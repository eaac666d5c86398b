import type { BranchProtectionOptions, PullRequestReviews, WebhookResult } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { EtagCache, describeRepo, normalizeBranch, readKey } from '../support';
import { statusOf, type GitHubClient } from './client';

/** Branch protection as GitHub answers `GET …/branches/{branch}/protection`, as far as luban keeps it. */
interface Protection {
  required_status_checks?: { strict?: boolean; contexts?: string[] } | null;
  enforce_admins?: { enabled?: boolean } | null;
  required_pull_request_reviews?: {
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    require_last_push_approval?: boolean;
    bypass_pull_request_allowances?: { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> };
  } | null;
  restrictions?: { users?: Array<{ login: string }>; teams?: Array<{ slug: string }>; apps?: Array<{ slug: string }> } | null;
  required_linear_history?: { enabled?: boolean };
  allow_force_pushes?: { enabled?: boolean };
  allow_deletions?: { enabled?: boolean };
  required_conversation_resolution?: { enabled?: boolean };
}

const logins = (users?: Array<{ login: string }>) => (users ?? []).map(u => u.login);
const slugs = (items?: Array<{ slug: string }>) => (items ?? []).map(i => i.slug);

/**
 * Requires `requiredApprovals` approving reviews on a GitHub branch, with
 * `enforce_admins` on (an administrator's merge needs them too) and luban's
 * own user in `bypass_pull_request_allowances`: the auto-deployer still
 * commits the first environment's overlay directly. A `PUT` replaces the
 * whole protection, so every other setting the branch has is sent back as it
 * is. Unchanged when the branch already asks as many or more.
 */
export async function protectGitHubBranch(
  client: GitHubClient,
  repo: RepoLocation,
  branch: string,
  options: BranchProtectionOptions,
): Promise<WebhookResult> {
  const name = normalizeBranch(branch, repo);
  if (options.requiredApprovals <= 0) return 'unchanged';
  const octokit = await client.octokit(repo);
  const names = client.names(repo);
  const action = `protect branch '${name}' of ${describeRepo(repo)} with ${options.requiredApprovals} required approval(s)`;
  try {
    // The token's user: a personal access token's owner or a machine user (GitHub Apps: see the README's Approvals).
    const { data: user } = await octokit.users.getAuthenticated();
    let current: Protection | undefined;
    try {
      current = (await octokit.repos.getBranchProtection({ ...names, branch: name })).data as Protection;
    } catch (error) {
      // 404 "Branch not protected".
      if (statusOf(error) !== 404) throw error;
    }
    const reviews = current?.required_pull_request_reviews ?? undefined;
    const bypass = reviews?.bypass_pull_request_allowances;
    const bypassUsers = logins(bypass?.users);
    const bypasses = bypassUsers.some(login => login.toLowerCase() === user.login.toLowerCase());
    if (reviews && (reviews.required_approving_review_count ?? 0) >= options.requiredApprovals && current?.enforce_admins?.enabled && bypasses) {
      return 'unchanged';
    }
    if (options.dryRun) return current ? 'updated' : 'created';
    const checks = current?.required_status_checks;
    const restrictions = current?.restrictions;
    await octokit.repos.updateBranchProtection({
      ...names,
      branch: name,
      required_status_checks: checks ? { strict: Boolean(checks.strict), contexts: checks.contexts ?? [] } : null,
      enforce_admins: true,
      required_pull_request_reviews: {
        dismiss_stale_reviews: reviews?.dismiss_stale_reviews ?? false,
        require_code_owner_reviews: reviews?.require_code_owner_reviews ?? false,
        require_last_push_approval: reviews?.require_last_push_approval ?? false,
        required_approving_review_count: Math.max(options.requiredApprovals, reviews?.required_approving_review_count ?? 0),
        bypass_pull_request_allowances: {
          users: bypasses ? bypassUsers : [...bypassUsers, user.login],
          teams: slugs(bypass?.teams),
          apps: slugs(bypass?.apps),
        },
      },
      restrictions: restrictions
        ? { users: logins(restrictions.users), teams: slugs(restrictions.teams), apps: slugs(restrictions.apps) }
        : null,
      required_linear_history: current?.required_linear_history?.enabled ?? false,
      allow_force_pushes: current?.allow_force_pushes?.enabled ?? false,
      allow_deletions: current?.allow_deletions?.enabled ?? false,
      required_conversation_resolution: current?.required_conversation_resolution?.enabled ?? false,
    });
    return current ? 'updated' : 'created';
  } catch (error) {
    throw client.fail(error, repo, action);
  }
}

/** A review as GitHub lists it, as far as luban reads it. */
interface Review {
  state: string;
  user?: { login: string } | null;
}

/** The reviews and head statuses last read, with their ETags: a view repeated while nothing changed is answered 304. */
const conditionalReads = new EtagCache<unknown>(2_000);

/** A GET asked conditionally: GitHub answers 304 (not counted against the rate limit) while the answer is unchanged. */
async function conditionalGet<T>(client: GitHubClient, repo: RepoLocation, route: string, params: Record<string, unknown>): Promise<T> {
  const octokit = await client.octokit(repo);
  const key = readKey(repo, route, JSON.stringify(params));
  const cached = conditionalReads.get(key);
  try {
    const response = await octokit.request(route, { ...params, headers: cached ? { 'if-none-match': cached.etag } : {} });
    if (response.headers.etag) conditionalReads.set(key, response.headers.etag, response.data);
    return response.data as T;
  } catch (error) {
    if (statusOf(error) === 304 && cached) return cached.value as T;
    throw error;
  }
}

/**
 * The latest verdict of each reviewer (a comment changes none; a dismissal
 * takes one back), GitHub's review decision, and the combined status of the
 * head branch: two conditional requests (the first 100 reviews).
 */
export async function gitHubPullRequestReviews(
  client: GitHubClient,
  repo: RepoLocation,
  number: number,
  head: string,
): Promise<PullRequestReviews> {
  const names = client.names(repo);
  try {
    const reviews = await conditionalGet<Review[]>(client, repo, 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
      ...names,
      pull_number: number,
      per_page: 100,
    });
    const verdicts = new Map<string, string>();
    for (const review of reviews) {
      if (review.user && review.state !== 'COMMENTED' && review.state !== 'PENDING') verdicts.set(review.user.login, review.state);
    }
    const having = (state: string) => [...verdicts].filter(([, verdict]) => verdict === state).map(([login]) => login).sort();
    const status = await conditionalGet<{ state: string; total_count: number }>(client, repo, 'GET /repos/{owner}/{repo}/commits/{ref}/status', {
      ...names,
      ref: normalizeBranch(head, repo),
    });
    const checks = status.total_count > 0 ? { state: status.state as 'success' | 'pending' | 'failure', total: status.total_count } : undefined;
    return { approvedBy: having('APPROVED'), changesRequestedBy: having('CHANGES_REQUESTED'), ...(checks ? { checks } : {}) };
  } catch (error) {
    throw client.fail(error, repo, `read the reviews of pull request #${number} of ${describeRepo(repo)}`);
  }
}
