import type { AzureDevOpsCredentialsProvider, ScmIntegrationRegistry } from '@backstage/integration';
import {
  ItemContentType,
  PullRequestStatus,
  VersionControlChangeType,
  type GitChange,
  type GitPullRequest,
} from 'azure-devops-node-api/interfaces/GitInterfaces';
import {
  type BranchProtectionOptions,
  type CommitFilesOptions,
  type EnsuredRepository,
  type EnsureRepositoryOptions,
  type FileChange,
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
import { currentHead, PullRequestOpener, staleBranch, type BranchWrite } from './shared';
import { FULL_SHA, describeRepo, gitUpstreamError, normalizeBranch, normalizePath } from './support';
import { AzureDevOpsClient, statusOf, typeKeyOf, versionOf } from './azure/client';
import { branchProtected, isRejectedByPolicy } from './azure/branchPolicies';
import { AzureDevOpsContents } from './azure/contents';
import { requireMinimumReviewers, reviewsOfVotes } from './azure/minimumReviewers';
import { AzureDevOpsPullRequests } from './azure/pullRequests';
import { ensureAzureRepository, ZERO_SHA } from './azure/repositories';
import { registerAzureWebhook } from './azure/webhooks';
import { upsertAzureDevOpsPullRequestComment } from './azure/pullRequestComments';
import type { PullRequestComment } from './pullRequestComments';

/**
 * {@link GitProvider} for Azure DevOps Services and Server, on
 * `azure-devops-node-api`. Personal access tokens or bearer tokens come from
 * `integrations.azure` through `DefaultAzureDevOpsCredentialsProvider`.
 * @public
 */
export class AzureDevOpsProvider implements GitProvider {
  private readonly client: AzureDevOpsClient;
  private readonly contents: AzureDevOpsContents;
  private readonly pulls = new PullRequestOpener();
  private readonly pullRequests: AzureDevOpsPullRequests;

  constructor(
    integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: AzureDevOpsCredentialsProvider } = {},
  ) {
    this.client = new AzureDevOpsClient(integrations, options);
    this.contents = new AzureDevOpsContents(this.client);
    this.pullRequests = new AzureDevOpsPullRequests(this.client, (repo, number) => this.webUrlOfPullRequest(repo, number));
  }

  ensureRepository(repo: RepoLocation, options: EnsureRepositoryOptions = {}): Promise<EnsuredRepository> {
    return ensureAzureRepository(this.client, repo, options);
  }

  readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    return this.contents.readFile(repo, path, ref);
  }

  async getBranch(repo: RepoLocation, branch: string): Promise<string | undefined> {
    const name = normalizeBranch(branch, repo);
    return this.client.branchHead(repo, name, `read branch '${name}' of ${describeRepo(repo)}`);
  }

  async ensureBranch(repo: RepoLocation, branch: string, fromSha: string): Promise<'created' | 'unchanged'> {
    const { project, repository } = this.client.names(repo);
    const name = normalizeBranch(branch, repo);
    if (await this.getBranch(repo, name)) return 'unchanged';
    const action = `create branch '${name}' at ${fromSha} in ${describeRepo(repo)}`;
    const [result] = await this.client.call(repo, action, ({ git }) =>
      git.updateRefs([{ name: `refs/heads/${name}`, oldObjectId: ZERO_SHA, newObjectId: fromSha }], repository, project),
    );
    if (result?.success) return 'created';
    // Created meanwhile by someone else.
    if (await this.getBranch(repo, name)) return 'unchanged';
    throw gitUpstreamError(400, result?.customMessage ?? `the update was refused (${result?.updateStatus})`, {
      system: this.client.system(repo),
      action,
    });
  }

  /** Azure DevOps wants to be told add or edit, and refuses an edit that changes nothing: compare with the files at the head. */
  private async changesAt(repo: RepoLocation, head: string, files: FileChange[]): Promise<GitChange[]> {
    const changes: GitChange[] = [];
    for (const f of files) {
      const current = await this.readFile(repo, f.path, head);
      const item = { path: `/${f.path}` };
      if (f.content === null) {
        if (current) changes.push({ changeType: VersionControlChangeType.Delete, item });
      } else if (!current || current.content !== f.content) {
        changes.push({
          changeType: current ? VersionControlChangeType.Edit : VersionControlChangeType.Add,
          item,
          newContent: { content: f.content, contentType: ItemContentType.RawText },
        });
      }
    }
    return changes;
  }

  async commitFiles(repo: RepoLocation, options: CommitFilesOptions): Promise<{ commitSha: string }> {
    const { project, repository } = this.client.names(repo);
    const branch = normalizeBranch(options.branch, repo);
    const files = options.files.map(f => ({ path: normalizePath(f.path, repo), content: f.content }));
    const action = `commit ${files.map(f => `'${f.path}'`).join(', ')} to ${describeRepo(repo)}@${branch}`;
    const write: BranchWrite = { system: this.client.system(repo), action, branch, expectedHeadSha: options.expectedHeadSha };
    const head = await currentHead(name => this.getBranch(repo, name), write);
    const changes = await this.changesAt(repo, head, files);
    if (!changes.length) return { commitSha: head };
    const connection = await this.client.connection(repo, action);
    try {
      const push = await connection.git.createPush(
        { refUpdates: [{ name: `refs/heads/${branch}`, oldObjectId: head }], commits: [{ comment: options.message, changes }] },
        repository,
        project,
      );
      return { commitSha: push.commits?.[0]?.commitId ?? push.refUpdates?.[0]?.newObjectId ?? '' };
    } catch (error) {
      // TF401028: the branch moved since `head` was read.
      if (statusOf(error) === 409 && typeKeyOf(error) !== 'GitRepositoryNotFoundException') {
        throw staleBranch(write, await this.getBranch(repo, branch));
      }
      if (isRejectedByPolicy(error)) throw await branchProtected(this.client, repo, action, branch, error);
      throw this.client.fail(error, repo, action);
    }
  }

  private stateOf(pull: GitPullRequest): PullRequestState {
    if (pull.status === PullRequestStatus.Completed) return 'merged';
    return pull.status === PullRequestStatus.Active ? 'open' : 'closed';
  }

  private toOpened(repo: RepoLocation, pull: GitPullRequest, reused: boolean): OpenedPullRequest {
    return {
      number: pull.pullRequestId!,
      url: pull.url ?? '',
      webUrl: this.webUrlOfPullRequest(repo, pull.pullRequestId!),
      state: this.stateOf(pull),
      reused,
    };
  }

  async openOrReusePullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const { project, repository } = this.client.names(repo);
    const head = normalizeBranch(options.head, repo);
    const base = normalizeBranch(options.base, repo);
    const action = `open a pull request from '${head}' to '${base}' in ${describeRepo(repo)}`;
    const criteria = { sourceRefName: `refs/heads/${head}`, targetRefName: `refs/heads/${base}`, status: PullRequestStatus.Active };
    // Connected first: a failure to connect is a typed error already, not a failed create.
    const { git } = await this.client.connection(repo, action);
    return this.pulls.openOrReuse(repo, options, {
      findOpen: async () => {
        const [open] =
          (await this.client.call(repo, action, () => git.getPullRequests(repository, criteria, project, undefined, 0, 1))) ?? [];
        return open && this.toOpened(repo, open, true);
      },
      create: async () => {
        const pull = { sourceRefName: criteria.sourceRefName, targetRefName: criteria.targetRefName, title: options.title, description: options.body };
        return this.toOpened(repo, await git.createPullRequest(pull, repository, project), false);
      },
      // TF401179: opened meanwhile (a concurrent call); that one is the answer.
      alreadyOpen: error => statusOf(error) === 409,
      fail: error => this.client.fail(error, repo, action),
    });
  }

  async getPullRequest(repo: RepoLocation, number: number): Promise<PullRequestInfo> {
    const { project, repository } = this.client.names(repo);
    const action = `read pull request ${number} of ${describeRepo(repo)}`;
    const pull = await this.client.call(repo, action, ({ git }) => git.getPullRequest(repository, number, project));
    if (!pull) {
      throw gitUpstreamError(404, `TF401180: The requested pull request was not found.`, { system: this.client.system(repo), action });
    }
    return {
      number: pull.pullRequestId!,
      state: this.stateOf(pull),
      title: pull.title ?? '',
      webUrl: this.webUrlOfPullRequest(repo, pull.pullRequestId!),
    };
  }

  upsertPullRequestComment(repo: RepoLocation, number: number, comment: PullRequestComment): Promise<'created' | 'updated' | 'unchanged'> {
    return upsertAzureDevOpsPullRequestComment(this.client, repo, number, comment);
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

  registerWebhook(repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
    return registerAzureWebhook(this.client, repo, options);
  }

  protectBranch(repo: RepoLocation, branch: string, options: BranchProtectionOptions): Promise<WebhookResult> {
    return requireMinimumReviewers(this.client, repo, branch, options);
  }

  async pullRequestReviews(repo: RepoLocation, number: number): Promise<PullRequestReviews> {
    const { project, repository } = this.client.names(repo);
    const action = `read the reviewers of pull request ${number} of ${describeRepo(repo)}`;
    const pull = await this.client.call(repo, action, ({ git }) => git.getPullRequest(repository, number, project));
    if (!pull) throw gitUpstreamError(404, `TF401180: The requested pull request was not found.`, { system: this.client.system(repo), action });
    return reviewsOfVotes(pull);
  }

  async fileHistory(repo: RepoLocation, path: string, ref: string, limit: number): Promise<FileCommit[]> {
    const { project, repository } = this.client.names(repo);
    const file = normalizePath(path, repo);
    const action = `read the history of '${file}' in ${describeRepo(repo)}@${ref}`;
    return this.client.call(repo, action, async ({ git }) => {
      const commits = await git.getCommits(repository, { itemPath: `/${file}`, itemVersion: versionOf(ref) }, project, 0, Math.max(1, limit));
      const history: FileCommit[] = [];
      for (const commit of commits ?? []) {
        // Lists cut comments at 100 characters; the commit itself has all of it.
        const message = commit.commentTruncated ? (await git.getCommit(commit.commitId!, repository, project)).comment : commit.comment;
        const date = commit.author?.date ?? commit.committer?.date;
        history.push({
          sha: commit.commitId ?? '',
          message: message ?? '',
          date: date ? new Date(date).toISOString() : '',
          author: commit.author?.name ?? '',
        });
      }
      return history.slice(0, limit);
    });
  }

  async commitDate(repo: RepoLocation, sha: string): Promise<string | undefined> {
    const { project, repository } = this.client.names(repo);
    const action = `read the commit ${sha.slice(0, 12)} of ${describeRepo(repo)}`;
    return this.client.call(repo, action, async ({ git }) => {
      try {
        const commit = await git.getCommit(sha, repository, project);
        const date = commit?.author?.date ?? commit?.committer?.date;
        return date ? new Date(date).toISOString() : undefined;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  webUrlOfFile(repo: RepoLocation, path: string, ref: string): string {
    const file = normalizePath(path, repo);
    const version = FULL_SHA.test(ref) ? `GC${ref}` : `GB${ref.replace(/^refs\/heads\//, '')}`;
    return `${repo.webUrl}?path=${encodeURIComponent(`/${file}`)}&version=${encodeURIComponent(version)}`;
  }

  webUrlOfCommit(repo: RepoLocation, sha: string): string {
    return `${repo.webUrl}/commit/${encodeURIComponent(sha)}`;
  }

  webUrlOfCompare(repo: RepoLocation, fromSha: string, toSha: string): string {
    return `${repo.webUrl}/branchCompare?baseVersion=GC${fromSha}&targetVersion=GC${toSha}`;
  }

  webUrlOfPullRequest(repo: RepoLocation, number: number): string {
    return `${repo.webUrl}/pullrequest/${number}`;
  }
}
