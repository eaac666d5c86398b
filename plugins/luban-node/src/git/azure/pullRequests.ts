import { PullRequestStatus, type GitPullRequest } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { ListPullRequestsOptions, OpenPullRequestSummary, PullRequestState, PullRequestSummary } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { describeRepo, normalizeBranch } from '../support';
import type { AzureDevOpsClient } from './client';

/** How many pull requests one page lists. */
const PAGE = 100;
/** The longest description the service stores (`GitPullRequestsController`). */
const MAX_DESCRIPTION = 4000;
const BRANCH_PREFIX = 'refs/heads/';

/**
 * The active pull requests of a repository. Azure DevOps documents no
 * conditional request for pull requests, so each read asks again, as the
 * overlays' branch heads are read; never joined to a read already under way
 * (a caller that just opened a pull request must see every older one).
 */
export class AzureDevOpsPullRequests {
  constructor(
    private readonly client: AzureDevOpsClient,
    private readonly webUrlOf: (repo: RepoLocation, number: number) => string,
  ) {}

  async listOpen(repo: RepoLocation, options: ListPullRequestsOptions): Promise<OpenPullRequestSummary[]> {
    const base = normalizeBranch(options.base, repo);
    const pulls = await this.readAll(repo, base);
    const prefix = `${BRANCH_PREFIX}${options.headPrefix}`;
    return pulls
      .filter(p => p.sourceRefName?.startsWith(prefix) && !p.forkSource)
      .map(p => ({
        number: p.pullRequestId!,
        title: p.title ?? '',
        body: p.description ?? '',
        head: p.sourceRefName!.slice(BRANCH_PREFIX.length),
        base,
        webUrl: this.webUrlOf(repo, p.pullRequestId!),
        createdAt: p.creationDate ? new Date(p.creationDate).toISOString() : '',
      }))
      .sort((a, b) => b.number - a.number);
  }

  /** Every active pull request into `base` (searchCriteria.targetRefName), page by page. */
  private async readAll(repo: RepoLocation, base: string): Promise<GitPullRequest[]> {
    const { project, repository } = this.client.names(repo);
    const action = `list the active pull requests into '${base}' of ${describeRepo(repo)}`;
    const criteria = { status: PullRequestStatus.Active, targetRefName: `${BRANCH_PREFIX}${base}` };
    const all: GitPullRequest[] = [];
    for (;;) {
      const page =
        (await this.client.call(repo, action, ({ git }) =>
          git.getPullRequests(repository, criteria, project, undefined, all.length, PAGE),
        )) ?? [];
      all.push(...page);
      if (page.length < PAGE) return all;
    }
  }

  /** Every pull request from `head` (searchCriteria.sourceRefName, status all), newest first. */
  async listFromBranch(repo: RepoLocation, head: string): Promise<PullRequestSummary[]> {
    const { project, repository } = this.client.names(repo);
    const branch = normalizeBranch(head, repo);
    const action = `list the pull requests from '${branch}' of ${describeRepo(repo)}`;
    const criteria = { status: PullRequestStatus.All, sourceRefName: `${BRANCH_PREFIX}${branch}` };
    const pulls =
      (await this.client.call(repo, action, ({ git }) => git.getPullRequests(repository, criteria, project, undefined, 0, PAGE))) ?? [];
    const stateOf = (p: GitPullRequest): PullRequestState => {
      if (p.status === PullRequestStatus.Completed) return 'merged';
      return p.status === PullRequestStatus.Active ? 'open' : 'closed';
    };
    const iso = (date: Date | string | undefined) => (date ? new Date(date).toISOString() : undefined);
    return pulls
      .filter(p => !p.forkSource)
      .map(p => ({
        number: p.pullRequestId!,
        title: p.title ?? '',
        state: stateOf(p),
        head: branch,
        base: (p.targetRefName ?? '').replace(/^refs\/heads\//, ''),
        webUrl: this.webUrlOf(repo, p.pullRequestId!),
        createdAt: iso(p.creationDate) ?? '',
        closedAt: iso(p.closedDate),
      }))
      .sort((a, b) => b.number - a.number);
  }

  async close(repo: RepoLocation, number: number, description: string): Promise<'closed' | 'unchanged'> {
    const { project, repository } = this.client.names(repo);
    const action = `abandon pull request ${number} of ${describeRepo(repo)}`;
    return this.client.call(repo, action, async ({ git }) => {
      const pull = await git.getPullRequest(repository, number, project);
      if (pull?.status !== PullRequestStatus.Active) return 'unchanged';
      // One request: the reason and the abandoning land together, or neither does.
      const update = { status: PullRequestStatus.Abandoned, description: description.slice(0, MAX_DESCRIPTION) };
      await git.updatePullRequest(update, repository, number, project);
      return 'closed';
    });
  }
}
