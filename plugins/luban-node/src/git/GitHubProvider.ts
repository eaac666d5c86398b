import type { GithubCredentialsProvider, ScmIntegrationRegistry } from '@backstage/integration';
import {
  BranchProtectedError,
  type BranchProtectionOptions,
  type CommitFilesOptions,
  type EnsuredRepository,
  type EnsureRepositoryOptions,
  type FileCommit,
  type GitFile,
  type GitProvider,
  type ListPullRequestsOptions,
  type OpenedPullRequest,
  type OpenPullRequestSummary,
  type PullRequestInfo,
  type PullRequestOptions,
  type PullRequestReviews,
  type PullRequestState,
  type PullRequestSummary,
  type WebhookOptions,
  type WebhookResult,
} from './GitProvider';
import type { RepoLocation } from './repoLocation';
import type { RepositoryWatch } from './repositoryWatch';
import { currentHead, PullRequestOpener, staleBranch, type BranchWrite } from './shared';
import { describeRepo, encodePath, normalizeBranch, normalizePath } from './support';
import { gitHubPullRequestReviews, protectGitHubBranch } from './github/branchProtection';
import { GitHubClient, messageOf, statusOf } from './github/client';
import { GitHubContents } from './github/contents';
import { GitHubPullRequests } from './github/pullRequests';
import { ensureGitHubRepository } from './github/repositories';
import { upsertGitHubPullRequestComment } from './github/pullRequestComments';
import type { PullRequestComment } from './pullRequestComments';

/** A pull request as GitHub answers it, as far as its state goes. */
interface GitHubPull {
  number: number;
  url: string;
  html_url: string;
  state: string;
  merged_at?: string | null;
  merged?: boolean;
}

/**
 * {@link GitProvider} for GitHub and GitHub Enterprise, on `@octokit/rest`.
 * Tokens (personal or GitHub App installation) come from
 * `integrations.github` through `DefaultGithubCredentialsProvider`.
 * @public
 */
export class GitHubProvider implements GitProvider {
  private readonly client: GitHubClient;
  private readonly contents: GitHubContents;
  private readonly pulls = new PullRequestOpener();
  private readonly pullRequests: GitHubPullRequests;

  constructor(
    integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: GithubCredentialsProvider; watch?: RepositoryWatch } = {},
  ) {
    this.client = new GitHubClient(integrations, options);
    this.contents = new GitHubContents(this.client);
    this.pullRequests = new GitHubPullRequests(this.client);
  }

  ensureRepository(repo: RepoLocation, options: EnsureRepositoryOptions = {}): Promise<EnsuredRepository> {
    return ensureGitHubRepository(this.client, branch => this.getBranch(repo, branch), repo, options);
  }

  readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    return this.contents.readFile(repo, path, ref);
  }

  changedPaths(repo: RepoLocation, fromSha: string, toSha: string): Promise<ReadonlySet<string> | undefined> {
    return this.contents.changedPaths(repo, fromSha, toSha);
  }

  async getBranch(repo: RepoLocation, branch: string): Promise<string | undefined> {
    const name = normalizeBranch(branch, repo);
    const octokit = await this.client.octokit(repo);
    try {
      const { data } = await octokit.git.getRef({ ...this.client.names(repo), ref: `heads/${name}` });
      return data.object.sha;
    } catch (error) {
      // 404: no such branch; 409: no commits, so no branch at all.
      if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
      throw this.client.fail(error, repo, `read branch '${name}' of ${describeRepo(repo)}`);
    }
  }

  async ensureBranch(repo: RepoLocation, branch: string, fromSha: string): Promise<'created' | 'unchanged'> {
    const name = normalizeBranch(branch, repo);
    if (await this.getBranch(repo, name)) return 'unchanged';
    const octokit = await this.client.octokit(repo);
    try {
      await octokit.git.createRef({ ...this.client.names(repo), ref: `refs/heads/${name}`, sha: fromSha });
      return 'created';
    } catch (error) {
      // Created meanwhile by someone else.
      if (statusOf(error) === 422 && (await this.getBranch(repo, name))) return 'unchanged';
      throw this.client.fail(error, repo, `create branch '${name}' at ${fromSha} in ${describeRepo(repo)}`);
    }
  }

  async commitFiles(repo: RepoLocation, options: CommitFilesOptions): Promise<{ commitSha: string }> {
    const names = this.client.names(repo);
    const branch = normalizeBranch(options.branch, repo);
    const files = options.files.map(f => ({ path: normalizePath(f.path, repo), content: f.content }));
    const action = `commit ${files.map(f => `'${f.path}'`).join(', ')} to ${describeRepo(repo)}@${branch}`;
    const write: BranchWrite = { system: this.client.system(repo), action, branch, expectedHeadSha: options.expectedHeadSha };
    const head = await currentHead(name => this.getBranch(repo, name), write);
    if (!files.length) return { commitSha: head };
    const octokit = await this.client.octokit(repo);
    let commitSha: string;
    try {
      const { data: parent } = await octokit.git.getCommit({ ...names, commit_sha: head });
      const { data: tree } = await octokit.git.createTree({
        ...names,
        base_tree: parent.tree.sha,
        tree: files.map(f =>
          f.content === null
            ? { path: f.path, mode: '100644' as const, type: 'blob' as const, sha: null }
            : { path: f.path, mode: '100644' as const, type: 'blob' as const, content: f.content },
        ),
      });
      if (tree.sha === parent.tree.sha) return { commitSha: head };
      const { data: commit } = await octokit.git.createCommit({ ...names, message: options.message, tree: tree.sha, parents: [head] });
      commitSha = commit.sha;
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
    try {
      // Without force GitHub moves the branch only forward: a head that moved meanwhile is refused.
      await octokit.git.updateRef({ ...names, ref: `heads/${branch}`, sha: commitSha, force: false });
    } catch (error) {
      if (statusOf(error) === 422) {
        const now = await this.getBranch(repo, branch);
        if (now !== options.expectedHeadSha) throw staleBranch(write, now);
        // The head did not move, so the refusal is the branch's protection.
        throw new BranchProtectedError(
          `${write.system} could not ${action}: branch '${branch}' is protected (${messageOf(error) ?? 'changes must be made through a pull request'}); open a pull request instead`,
          branch,
        );
      }
      throw this.client.fail(error, repo, action);
    }
    return { commitSha };
  }

  private stateOf(pull: Pick<GitHubPull, 'state' | 'merged_at' | 'merged'>): PullRequestState {
    if (pull.merged || pull.merged_at) return 'merged';
    return pull.state === 'open' ? 'open' : 'closed';
  }

  private toOpened(pull: GitHubPull, reused: boolean): OpenedPullRequest {
    return { number: pull.number, url: pull.url, webUrl: pull.html_url, state: this.stateOf(pull), reused };
  }

  async openOrReusePullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const names = this.client.names(repo);
    const head = normalizeBranch(options.head, repo);
    const base = normalizeBranch(options.base, repo);
    const action = `open a pull request from '${head}' to '${base}' in ${describeRepo(repo)}`;
    // The client first, as for Azure DevOps: a credential failure is a typed error already, not a failed create.
    const octokit = await this.client.octokit(repo);
    return this.pulls.openOrReuse(repo, options, {
      findOpen: async () => {
        try {
          const { data } = await octokit.pulls.list({ ...names, state: 'open', head: `${names.owner}:${head}`, base, per_page: 1 });
          return data[0] && this.toOpened(data[0], true);
        } catch (error) {
          throw this.client.fail(error, repo, action);
        }
      },
      create: async () => {
        const { data } = await octokit.pulls.create({ ...names, head, base, title: options.title, body: options.body });
        return this.toOpened(data, false);
      },
      // Opened meanwhile (a concurrent call): that one is the answer.
      alreadyOpen: error => statusOf(error) === 422 && /already exists/i.test(messageOf(error) ?? ''),
      fail: error => this.client.fail(error, repo, action),
    });
  }

  async getPullRequest(repo: RepoLocation, number: number): Promise<PullRequestInfo> {
    const octokit = await this.client.octokit(repo);
    try {
      const { data } = await octokit.pulls.get({ ...this.client.names(repo), pull_number: number });
      return { number: data.number, state: this.stateOf(data), title: data.title, webUrl: data.html_url };
    } catch (error) {
      throw this.client.fail(error, repo, `read pull request #${number} of ${describeRepo(repo)}`);
    }
  }

  upsertPullRequestComment(repo: RepoLocation, number: number, comment: PullRequestComment): Promise<'created' | 'updated' | 'unchanged'> {
    return upsertGitHubPullRequestComment(this.client, repo, number, comment);
  }

  listOpenPullRequests(repo: RepoLocation, options: ListPullRequestsOptions): Promise<OpenPullRequestSummary[]> {
    return this.pullRequests.listOpen(repo, options);
  }

  listPullRequestsFromBranch(repo: RepoLocation, head: string): Promise<PullRequestSummary[]> {
    return this.pullRequests.listFromBranch(repo, head);
  }

  closePullRequest(repo: RepoLocation, number: number, options: { description: string }): Promise<'closed' | 'unchanged'> {
    return this.pullRequests.close(repo, number, options.description);
  }

  async registerWebhook(repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
    const names = this.client.names(repo);
    const octokit = await this.client.octokit(repo);
    const host = new URL(options.url).host;
    const action = `register the webhook to ${host} on ${describeRepo(repo)}`;
    const events = [...new Set(options.events)].sort();
    const config = { url: options.url, content_type: 'json' as const, secret: options.secret, insecure_ssl: '0' as const };
    try {
      const hooks = await octokit.paginate(octokit.repos.listWebhooks, { ...names, per_page: 100 });
      const existing = hooks.find(hook => hook.config.url === options.url);
      if (!existing) {
        await octokit.repos.createWebhook({ ...names, name: 'web', active: true, events, config });
        return 'created';
      }
      // GitHub shows a stored secret only as '********': whether one is set can be compared, its value cannot.
      const matches =
        existing.active &&
        [...existing.events].sort().join(',') === events.join(',') &&
        existing.config.content_type === 'json' &&
        Boolean(existing.config.secret) &&
        String(existing.config.insecure_ssl ?? '0') === '0';
      if (matches) return 'unchanged';
      await octokit.repos.updateWebhook({ ...names, hook_id: existing.id, active: true, events, config });
      return 'updated';
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
  }

  protectBranch(repo: RepoLocation, branch: string, options: BranchProtectionOptions): Promise<WebhookResult> {
    return protectGitHubBranch(this.client, repo, branch, options);
  }

  pullRequestReviews(repo: RepoLocation, number: number, head: string): Promise<PullRequestReviews> {
    return gitHubPullRequestReviews(this.client, repo, number, head);
  }

  async fileHistory(repo: RepoLocation, path: string, ref: string, limit: number): Promise<FileCommit[]> {
    const file = normalizePath(path, repo);
    const octokit = await this.client.octokit(repo);
    const perPage = Math.min(Math.max(1, limit), 100);
    const history: FileCommit[] = [];
    try {
      for await (const page of octokit.paginate.iterator(octokit.repos.listCommits, {
        ...this.client.names(repo),
        sha: ref,
        path: file,
        per_page: perPage,
      })) {
        for (const commit of page.data) {
          history.push({
            sha: commit.sha,
            message: commit.commit.message,
            date: commit.commit.author?.date ?? commit.commit.committer?.date ?? '',
            author: commit.commit.author?.name ?? commit.author?.login ?? '',
          });
        }
        if (history.length >= limit) break;
      }
    } catch (error) {
      throw this.client.fail(error, repo, `read the history of '${file}' in ${describeRepo(repo)}@${ref}`);
    }
    return history.slice(0, limit);
  }

  async commitDate(repo: RepoLocation, sha: string): Promise<string | undefined> {
    const octokit = await this.client.octokit(repo);
    try {
      // The Git Database API's commit: its author and committer, without the diff the REST commit carries.
      const { data } = await octokit.git.getCommit({ ...this.client.names(repo), commit_sha: sha });
      return data.author?.date ?? data.committer?.date;
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 422) return undefined;
      throw this.client.fail(error, repo, `read the commit ${sha.slice(0, 12)} of ${describeRepo(repo)}`);
    }
  }

  webUrlOfFile(repo: RepoLocation, path: string, ref: string): string {
    return `${repo.webUrl}/blob/${encodePath(ref)}/${encodePath(normalizePath(path, repo))}`;
  }

  webUrlOfCommit(repo: RepoLocation, sha: string): string {
    return `${repo.webUrl}/commit/${encodeURIComponent(sha)}`;
  }

  webUrlOfCompare(repo: RepoLocation, fromSha: string, toSha: string): string {
    return `${repo.webUrl}/compare/${fromSha}...${toSha}`;
  }

  webUrlOfPullRequest(repo: RepoLocation, number: number): string {
    return `${repo.webUrl}/pull/${number}`;
  }
}
