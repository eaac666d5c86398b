import type { ListPullRequestsOptions, OpenPullRequestSummary, PullRequestState, PullRequestSummary } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { EtagCache, describeRepo, normalizeBranch, readKey } from '../support';
import { statusOf, type GitHubClient } from './client';

/** GitHub's largest page. */
const PER_PAGE = 100;

/** A pull request as GitHub lists it, as far as luban reads it. */
interface ListedPull {
  number: number;
  title: string;
  body?: string | null;
  html_url: string;
  created_at: string;
  head: { ref: string; repo?: { full_name?: string } | null };
  base: { ref: string };
}

/** A listed pull request's state: merged is a closed one with a merge time. */
function stateOfListed(pull: { state: string; merged_at?: string | null }): PullRequestState {
  if (pull.merged_at) return 'merged';
  return pull.state === 'open' ? 'open' : 'closed';
}

/**
 * The open pull requests of a repository, read as the overlays' branch heads
 * are: no request while a webhook watches the repository and nothing changed
 * since the last answer (a pull request luban opened or closed is a change,
 * see RepositoryWatch); otherwise one conditional request per read
 * (answered 304 while nothing changed, which GitHub does not count against
 * the rate limit). Never joined to a read already under way: a caller that
 * just opened a pull request must see every one opened before it.
 */
export class GitHubPullRequests {
  /** The first page of open pull requests into a base, with its ETag; all of them, and when they were asked for. */
  private readonly firstPages = new EtagCache<{ first: ListedPull[]; all: ListedPull[]; askedAt: number }>(1_000);

  constructor(private readonly client: GitHubClient) {}

  async listOpen(repo: RepoLocation, options: ListPullRequestsOptions): Promise<OpenPullRequestSummary[]> {
    const base = normalizeBranch(options.base, repo);
    const names = this.client.names(repo);
    const fullName = `${names.owner}/${names.repo}`.toLowerCase();
    const pulls = await this.readAll(repo, base);
    return pulls
      .filter(p => p.head.ref.startsWith(options.headPrefix) && p.head.repo?.full_name?.toLowerCase() === fullName)
      .map(p => ({
        number: p.number,
        title: p.title,
        body: p.body ?? '',
        head: p.head.ref,
        base: p.base.ref,
        webUrl: p.html_url,
        createdAt: p.created_at,
      }));
  }

  /** Every open pull request into `base`; the first page conditionally (nearly always the only one). */
  private async readAll(repo: RepoLocation, base: string): Promise<ListedPull[]> {
    const octokit = await this.client.octokit(repo);
    const names = this.client.names(repo);
    const action = `list the open pull requests into '${base}' of ${describeRepo(repo)}`;
    const key = readKey(repo, '', `pulls:${base}`);
    const cached = this.firstPages.get(key);
    if (cached && this.client.watch.trusts(repo, cached.value.askedAt)) return cached.value.all;
    const askedAt = this.client.watch.now();
    const query = { ...names, state: 'open' as const, base, sort: 'created' as const, direction: 'desc' as const, per_page: PER_PAGE };
    let first: ListedPull[];
    let etag: string | undefined;
    try {
      const response = await octokit.pulls.list({ ...query, headers: cached ? { 'if-none-match': cached.etag } : {} });
      first = response.data as ListedPull[];
      etag = response.headers.etag;
    } catch (error) {
      if (statusOf(error) !== 304 || !cached) throw this.client.fail(error, repo, action);
      first = cached.value.first;
      etag = cached.etag;
    }
    const all = [...first];
    try {
      for (let page = 2; all.length === (page - 1) * PER_PAGE; page++) {
        all.push(...((await octokit.pulls.list({ ...query, page })).data as ListedPull[]));
      }
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
    if (etag) this.firstPages.set(key, etag, { first, all, askedAt });
    return all;
  }

  /** Every pull request from `head` of the repository itself: GitHub's `head=owner:branch` filter, any state. */
  async listFromBranch(repo: RepoLocation, head: string): Promise<PullRequestSummary[]> {
    const octokit = await this.client.octokit(repo);
    const names = this.client.names(repo);
    const branch = normalizeBranch(head, repo);
    try {
      const { data } = await octokit.pulls.list({ ...names, state: 'all', head: `${names.owner}:${branch}`, sort: 'created', direction: 'desc', per_page: PER_PAGE });
      return data.map(p => ({
        number: p.number,
        title: p.title,
        state: stateOfListed(p),
        head: p.head.ref,
        base: p.base.ref,
        webUrl: p.html_url,
        createdAt: p.created_at,
        closedAt: p.merged_at ?? p.closed_at ?? undefined,
      }));
    } catch (error) {
      throw this.client.fail(error, repo, `list the pull requests from '${branch}' of ${describeRepo(repo)}`);
    }
  }

  async close(repo: RepoLocation, number: number, description: string): Promise<'closed' | 'unchanged'> {
    const octokit = await this.client.octokit(repo);
    const names = this.client.names(repo);
    const action = `close pull request #${number} of ${describeRepo(repo)}`;
    try {
      const { data: pull } = await octokit.pulls.get({ ...names, pull_number: number });
      if (pull.state !== 'open') return 'unchanged';
      // One request: the reason and the closing land together, or neither does.
      await octokit.pulls.update({ ...names, pull_number: number, state: 'closed', body: description });
      return 'closed';
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
  }
}
