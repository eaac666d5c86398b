import { createHash } from 'node:crypto';
import { AuthenticationError, InputError, NotFoundError } from '@backstage/errors';
import {
  DefaultAzureDevOpsCredentialsProvider,
  type AzureDevOpsCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import { WebApi, getBearerHandler, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import { ClientApiBase } from 'azure-devops-node-api/ClientApiBases';
import type { ICoreApi } from 'azure-devops-node-api/CoreApi';
import type { IGitApi } from 'azure-devops-node-api/GitApi';
import {
  GitVersionType,
  ItemContentType,
  PullRequestStatus,
  VersionControlChangeType,
  type GitChange,
  type GitPullRequest,
  type GitRepository,
  type GitVersionDescriptor,
} from 'azure-devops-node-api/interfaces/GitInterfaces';
import { editFileWithRetries } from './editFile';
import {
  StaleBranchError,
  type CommitFilesOptions,
  type EditFileOptions,
  type EditFileResult,
  type EnsuredRepository,
  type EnsureRepositoryOptions,
  type FileCommit,
  type GitFile,
  type GitProvider,
  type OpenedPullRequest,
  type PullRequestInfo,
  type PullRequestOptions,
  type PullRequestState,
  type WebhookOptions,
  type WebhookResult,
} from './GitProvider';
import type { RepoLocation } from './repoLocation';
import {
  EtagCache,
  FULL_SHA,
  describeRepo,
  gitUpstreamError,
  networkError,
  normalizeBranch,
  normalizePath,
  readKey,
  SingleFlight,
} from './support';

const ZERO_SHA = '0'.repeat(40);
/** The REST resource locations azure-devops-node-api has no method for with custom headers, or none at all. */
const ITEMS_LOCATION = 'fb93c0db-47ed-4a31-8c20-47552878fb44';
const SUBSCRIPTIONS_LOCATION = 'fc50d02a-849f-41fb-8af1-0a5216103269';
const API_VERSION = '7.1';

/** What azure-devops-node-api rejects with: `statusCode` and the parsed body as `result`; neither without an answer. */
interface AzureFailure {
  statusCode?: number;
  result?: { message?: string; typeKey?: string } | null;
}

function statusOf(error: unknown): number | undefined {
  return (error as AzureFailure)?.statusCode;
}

function typeKeyOf(error: unknown): string | undefined {
  return (error as AzureFailure)?.result?.typeKey ?? undefined;
}

/** A service-hook subscription, as far as luban reads it. */
interface Subscription {
  id: string;
  status?: string;
  publisherInputs?: Record<string, string>;
  consumerInputs?: Record<string, string>;
}

/** The clients of one organization with one credential. */
interface Connection {
  git: IGitApi;
  core: () => Promise<ICoreApi>;
  hooks: ClientApiBase;
}

/** Thrown by the raw requests of this file, shaped like the library's errors. */
class AzureRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly result: AzureFailure['result'],
  ) {
    super(result?.message ?? `Failed request: (${statusCode})`);
  }
}

/**
 * {@link GitProvider} for Azure DevOps Services and Server, on
 * `azure-devops-node-api`. Personal access tokens or bearer tokens come from
 * `integrations.azure` through `DefaultAzureDevOpsCredentialsProvider`.
 * @public
 */
export class AzureDevOpsProvider implements GitProvider {
  private readonly credentials: AzureDevOpsCredentialsProvider;
  private readonly requestTimeoutMs: number;
  /** Concurrent requests for the same pull request in this process share one call. */
  private readonly opening = new SingleFlight<OpenedPullRequest>();
  private readonly reads = new EtagCache<GitFile | undefined>(20_000);
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(
    integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: AzureDevOpsCredentialsProvider } = {},
  ) {
    this.credentials = options.credentialsProvider ?? DefaultAzureDevOpsCredentialsProvider.fromIntegrations(integrations);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  private system(repo: RepoLocation) {
    return `Azure DevOps at ${repo.host}`;
  }

  private fail(error: unknown, repo: RepoLocation, action: string): Error {
    const context = { system: this.system(repo), action };
    const status = statusOf(error);
    if (status === undefined) return networkError(error, context);
    return gitUpstreamError(status, (error as AzureFailure).result?.message ?? undefined, context);
  }

  private names(repo: RepoLocation) {
    if (repo.provider !== 'azure' || !repo.organization || !repo.project) {
      throw new InputError(`${repo.webUrl} is not an Azure DevOps repository`);
    }
    return { organization: repo.organization, project: repo.project, repository: repo.repo };
  }

  /** The organization's clients with the credential config gives for the repository; location discovery is cached with them. */
  private async connection(repo: RepoLocation, action: string): Promise<Connection> {
    const { organization } = this.names(repo);
    let credentials;
    try {
      credentials = await this.credentials.getCredentials({ url: repo.webUrl });
    } catch (error) {
      throw new AuthenticationError(
        `${this.system(repo)} could not ${action}: integrations.azure gives no credentials for ${repo.host}/${organization} (${(error as Error).message})`,
      );
    }
    if (!credentials) {
      throw new AuthenticationError(
        `${this.system(repo)} could not ${action}: integrations.azure has no credentials for ${repo.host}/${organization}. Configure a personal access token or a service principal for it`,
      );
    }
    const orgUrl = `https://${repo.host}/${organization}`;
    // Keyed by a hash: the token itself is kept only inside the clients.
    const key = createHash('sha256').update(`${orgUrl}\n${credentials.type}\n${credentials.token}`).digest('hex');
    let connection = this.connections.get(key);
    if (!connection) {
      // Bearer tokens rotate; forget old clients rather than grow.
      if (this.connections.size >= 20) this.connections.clear();
      const handler =
        credentials.type === 'pat' ? getPersonalAccessTokenHandler(credentials.token) : getBearerHandler(credentials.token);
      const requestOptions = { socketTimeout: this.requestTimeoutMs, allowRetries: false };
      const webApi = new WebApi(orgUrl, handler, requestOptions);
      let core: Promise<ICoreApi> | undefined;
      connection = webApi.getGitApi().then(git => ({
        git,
        core: () => {
          if (!core) {
            core = webApi.getCoreApi();
            core.catch(() => {
              core = undefined;
            });
          }
          return core;
        },
        hooks: new ClientApiBase(orgUrl, [handler], 'node-Hooks-api', requestOptions),
      }));
      this.connections.set(key, connection);
      // A failed discovery (wrong token, host down) must not stick.
      connection.catch(() => this.connections.delete(key));
    }
    try {
      return await connection;
    } catch (error) {
      throw this.fail(error, repo, action);
    }
  }

  /** Runs a library call, turning its failure into a typed error that names the repository and what was done. */
  private async call<T>(repo: RepoLocation, action: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connection(repo, action);
    try {
      return await fn(connection);
    } catch (error) {
      throw this.fail(error, repo, action);
    }
  }

  private versionOf(ref: string): GitVersionDescriptor {
    if (FULL_SHA.test(ref)) return { version: ref, versionType: GitVersionType.Commit };
    if (ref.startsWith('refs/tags/')) return { version: ref.slice('refs/tags/'.length), versionType: GitVersionType.Tag };
    return { version: ref.replace(/^refs\/heads\//, ''), versionType: GitVersionType.Branch };
  }

  private async readRepository(repo: RepoLocation): Promise<GitRepository | undefined> {
    const { project, repository } = this.names(repo);
    // getRepository resolves a 404 to null.
    const found = await this.call(repo, `read repository ${describeRepo(repo)}`, ({ git }) => git.getRepository(repository, project));
    return found ?? undefined;
  }

  private ensured(repo: RepoLocation, found: GitRepository, result: EnsuredRepository['result']): EnsuredRepository {
    return {
      result,
      webUrl: found.webUrl ?? repo.webUrl,
      // remoteUrl carries an `organization@` user name; clones take credentials from elsewhere.
      cloneUrl: found.remoteUrl ? found.remoteUrl.replace(/\/\/[^/@]+@/, '//') : repo.cloneUrl,
      defaultBranch: (found.defaultBranch ?? '').replace(/^refs\/heads\//, ''),
    };
  }

  async ensureRepository(repo: RepoLocation, options: EnsureRepositoryOptions = {}): Promise<EnsuredRepository> {
    const { project, repository } = this.names(repo);
    const defaultBranch = normalizeBranch(options.defaultBranch ?? 'main', repo);
    const action = `create repository ${describeRepo(repo)}`;
    let found = await this.readRepository(repo);
    if (found?.defaultBranch) return this.ensured(repo, found, 'unchanged');
    if (options.dryRun) {
      return found
        ? { ...this.ensured(repo, found, 'created'), defaultBranch }
        : { result: 'created', webUrl: repo.webUrl, cloneUrl: repo.cloneUrl, defaultBranch };
    }
    if (!found) {
      const teamProject = await this.call(repo, action, async ({ core }) => (await core()).getProject(project));
      if (!teamProject?.id) {
        throw new NotFoundError(
          `${this.system(repo)} could not ${action}: there is no project '${project}' in organization '${repo.organization}'. Create the project first`,
        );
      }
      const connection = await this.connection(repo, action);
      try {
        found = await connection.git.createRepository({ name: repository, project: { id: teamProject.id } }, project);
      } catch (error) {
        // Created meanwhile (a concurrent or retried call).
        if (statusOf(error) !== 409) throw this.fail(error, repo, action);
        found = await this.readRepository(repo);
        if (found?.defaultBranch) return this.ensured(repo, found, 'unchanged');
      }
    }
    // A new (or empty) repository has no branch: the initial commit creates the default one.
    const readme = `# ${repository}\n${options.description ? `\n${options.description}\n` : ''}`;
    const connection = await this.connection(repo, action);
    try {
      await connection.git.createPush(
        {
          refUpdates: [{ name: `refs/heads/${defaultBranch}`, oldObjectId: ZERO_SHA }],
          commits: [
            {
              comment: 'Initial commit',
              changes: [
                {
                  changeType: VersionControlChangeType.Add,
                  item: { path: '/README.md' },
                  newContent: { content: readme, contentType: ItemContentType.RawText },
                },
              ],
            },
          ],
        },
        repository,
        project,
      );
    } catch (error) {
      // 409: initialized meanwhile by someone else.
      if (statusOf(error) !== 409) throw this.fail(error, repo, `make the initial commit of ${describeRepo(repo)}`);
    }
    found = (await this.readRepository(repo)) ?? found;
    if (!found) throw gitUpstreamError(404, 'the repository is gone after its creation', { system: this.system(repo), action });
    if (!found.defaultBranch) {
      found = await this.call(repo, `set the default branch of ${describeRepo(repo)}`, ({ git }) =>
        git.updateRepository({ defaultBranch: `refs/heads/${defaultBranch}` }, repository, project),
      );
    }
    return this.ensured(repo, found, 'created');
  }

  async readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    const { project, repository } = this.names(repo);
    const file = normalizePath(path, repo);
    const action = `read '${file}' in ${describeRepo(repo)}@${ref}`;
    const key = readKey(repo, file, ref);
    const cached = this.reads.get(key);
    // What a commit holds never changes.
    if (cached && FULL_SHA.test(ref)) return cached.value;
    const { git } = await this.connection(repo, action);
    let status: number;
    let text: string;
    let etag: string | undefined;
    try {
      // getItem cannot send If-None-Match: the same request through the library's own HTTP client.
      const { apiVersion, requestUrl } = await git.vsoClient.getVersioningData(
        API_VERSION,
        'git',
        ITEMS_LOCATION,
        { project, repositoryId: repository },
        { path: `/${file}`, includeContent: true, versionDescriptor: this.versionOf(ref) },
      );
      const response = await git.http.get(requestUrl!, {
        Accept: git.createAcceptHeader('application/json', apiVersion),
        ...(cached ? { 'If-None-Match': cached.etag } : {}),
      });
      status = response.message.statusCode ?? 0;
      etag = response.message.headers.etag as string | undefined;
      text = await response.readBody();
    } catch (error) {
      throw this.fail(error, repo, action);
    }
    if (status === 304 && cached) return cached.value;
    let body: {
      message?: string;
      typeKey?: string;
      objectId?: string;
      commitId?: string;
      content?: string;
      isFolder?: boolean;
    } = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (status === 404 && body.typeKey === 'GitItemNotFoundException') return undefined;
    if (status === 404 && body.typeKey === 'GitUnresolvableToCommitException') {
      throw new NotFoundError(`${this.system(repo)} could not ${action}: there is no branch, tag or commit '${ref}'`);
    }
    if (status < 200 || status >= 300) throw this.fail(new AzureRequestError(status, body), repo, action);
    if (body.isFolder) throw new InputError(`${this.system(repo)} could not ${action}: it is a folder, not a file`);
    const value = { content: body.content ?? '', version: body.objectId ?? '', commitSha: body.commitId ?? '' };
    if (etag || FULL_SHA.test(ref)) this.reads.set(key, etag ?? '', value);
    return value;
  }

  async getBranch(repo: RepoLocation, branch: string): Promise<string | undefined> {
    const { project, repository } = this.names(repo);
    const name = normalizeBranch(branch, repo);
    // The filter is a prefix: pick the exact name.
    const refs = await this.call(repo, `read branch '${name}' of ${describeRepo(repo)}`, ({ git }) =>
      git.getRefs(repository, project, `heads/${name}`),
    );
    return (refs ?? []).find(r => r.name === `refs/heads/${name}`)?.objectId;
  }

  async ensureBranch(repo: RepoLocation, branch: string, fromSha: string): Promise<'created' | 'unchanged'> {
    const { project, repository } = this.names(repo);
    const name = normalizeBranch(branch, repo);
    if (await this.getBranch(repo, name)) return 'unchanged';
    const action = `create branch '${name}' at ${fromSha} in ${describeRepo(repo)}`;
    const [result] = await this.call(repo, action, ({ git }) =>
      git.updateRefs([{ name: `refs/heads/${name}`, oldObjectId: ZERO_SHA, newObjectId: fromSha }], repository, project),
    );
    if (result?.success) return 'created';
    // Created meanwhile by someone else.
    if (await this.getBranch(repo, name)) return 'unchanged';
    throw gitUpstreamError(400, result?.customMessage ?? `the update was refused (${result?.updateStatus})`, {
      system: this.system(repo),
      action,
    });
  }

  async commitFiles(repo: RepoLocation, options: CommitFilesOptions): Promise<{ commitSha: string }> {
    const { project, repository } = this.names(repo);
    const branch = normalizeBranch(options.branch, repo);
    const files = options.files.map(f => ({ path: normalizePath(f.path, repo), content: f.content }));
    const action = `commit ${files.map(f => `'${f.path}'`).join(', ')} to ${describeRepo(repo)}@${branch}`;
    const stale = (actual?: string) =>
      new StaleBranchError(
        `${this.system(repo)} could not ${action}: the branch is at ${actual ?? 'another commit'}, not ${options.expectedHeadSha}; someone else committed meanwhile. Read again and retry`,
        branch,
        options.expectedHeadSha,
        actual,
      );
    const head = await this.getBranch(repo, branch);
    if (!head) throw new NotFoundError(`${this.system(repo)} could not ${action}: there is no branch '${branch}'`);
    if (head !== options.expectedHeadSha) throw stale(head);
    // Azure DevOps wants to be told add or edit, and refuses an edit that changes nothing: compare with the files at the head.
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
    if (!changes.length) return { commitSha: head };
    const connection = await this.connection(repo, action);
    try {
      const push = await connection.git.createPush(
        {
          refUpdates: [{ name: `refs/heads/${branch}`, oldObjectId: head }],
          commits: [{ comment: options.message, changes }],
        },
        repository,
        project,
      );
      return { commitSha: push.commits?.[0]?.commitId ?? push.refUpdates?.[0]?.newObjectId ?? '' };
    } catch (error) {
      // TF401028: the branch moved since `head` was read.
      if (statusOf(error) === 409 && typeKeyOf(error) !== 'GitRepositoryNotFoundException') {
        throw stale(await this.getBranch(repo, branch));
      }
      throw this.fail(error, repo, action);
    }
  }

  editFile(repo: RepoLocation, options: EditFileOptions): Promise<EditFileResult> {
    return editFileWithRetries(this, repo, options);
  }

  private stateOf(pull: GitPullRequest): PullRequestState {
    if (pull.status === PullRequestStatus.Completed) return 'merged';
    return pull.status === PullRequestStatus.Active ? 'open' : 'closed';
  }

  openOrReusePullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const key = readKey(repo, normalizeBranch(options.head, repo), normalizeBranch(options.base, repo));
    return this.opening.run(key, () => this.openPullRequest(repo, options), opened => ({ ...opened, reused: true }));
  }

  private async openPullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const { project, repository } = this.names(repo);
    const head = normalizeBranch(options.head, repo);
    const base = normalizeBranch(options.base, repo);
    const action = `open a pull request from '${head}' to '${base}' in ${describeRepo(repo)}`;
    const criteria = { sourceRefName: `refs/heads/${head}`, targetRefName: `refs/heads/${base}`, status: PullRequestStatus.Active };
    const opened = (pull: GitPullRequest, reused: boolean): OpenedPullRequest => ({
      number: pull.pullRequestId!,
      url: pull.url ?? '',
      webUrl: this.webUrlOfPullRequest(repo, pull.pullRequestId!),
      state: this.stateOf(pull),
      reused,
    });
    const findOpen = async () =>
      (await this.call(repo, action, ({ git }) => git.getPullRequests(repository, criteria, project, undefined, 0, 1)))?.[0];
    const existing = await findOpen();
    if (existing) return opened(existing, true);
    const connection = await this.connection(repo, action);
    try {
      const created = await connection.git.createPullRequest(
        { sourceRefName: criteria.sourceRefName, targetRefName: criteria.targetRefName, title: options.title, description: options.body },
        repository,
        project,
      );
      return opened(created, false);
    } catch (error) {
      // TF401179: opened meanwhile (a concurrent call); that one is the answer.
      if (statusOf(error) === 409) {
        const raced = await findOpen();
        if (raced) return opened(raced, true);
      }
      throw this.fail(error, repo, action);
    }
  }

  async getPullRequest(repo: RepoLocation, number: number): Promise<PullRequestInfo> {
    const { project, repository } = this.names(repo);
    const action = `read pull request ${number} of ${describeRepo(repo)}`;
    const pull = await this.call(repo, action, ({ git }) => git.getPullRequest(repository, number, project));
    if (!pull) {
      throw gitUpstreamError(404, `TF401180: The requested pull request was not found.`, { system: this.system(repo), action });
    }
    const state = this.stateOf(pull);
    return {
      number: pull.pullRequestId!,
      state,
      title: pull.title ?? '',
      webUrl: this.webUrlOfPullRequest(repo, pull.pullRequestId!),
      headBranch: (pull.sourceRefName ?? '').replace(/^refs\/heads\//, ''),
      baseBranch: (pull.targetRefName ?? '').replace(/^refs\/heads\//, ''),
      mergeCommitSha: state === 'merged' ? pull.lastMergeCommit?.commitId : undefined,
    };
  }

  /** A raw REST call of the service-hooks area, which azure-devops-node-api has no client for. */
  private async hooksRequest<T>(
    hooks: ClientApiBase,
    method: 'GET' | 'POST' | 'PUT',
    routeValues: Record<string, string>,
    query: Record<string, string>,
    body?: unknown,
  ): Promise<T> {
    const { apiVersion, requestUrl } = await hooks.vsoClient.getVersioningData(
      API_VERSION,
      'hooks',
      SUBSCRIPTIONS_LOCATION,
      routeValues,
      query,
    );
    const options = hooks.createRequestOptions('application/json', apiVersion);
    let response;
    if (method === 'GET') response = await hooks.rest.get<T>(requestUrl!, options);
    else if (method === 'POST') response = await hooks.rest.create<T>(requestUrl!, body, options);
    else response = await hooks.rest.replace<T>(requestUrl!, body, options);
    return response.result as T;
  }

  async registerWebhook(repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
    const host = new URL(options.url).host;
    const action = `register the push service hook to ${host} on ${describeRepo(repo)}`;
    if (options.events.some(e => e !== 'push')) throw new InputError(`${action}: only push events are supported`);
    const found = await this.readRepository(repo);
    if (!found?.id || !found.project?.id) {
      throw gitUpstreamError(404, `there is no repository ${describeRepo(repo)}`, { system: this.system(repo), action });
    }
    const repositoryId = found.id;
    const desired = {
      publisherId: 'tfs',
      eventType: 'git.push',
      resourceVersion: '1.0',
      consumerId: 'webHooks',
      consumerActionId: 'httpRequest',
      publisherInputs: { projectId: found.project.id, repository: repositoryId },
      consumerInputs: {
        url: options.url,
        // Argo Events' generic webhook accepts exactly `Authorization: Bearer <secret>`; the built-in basic auth sends `Basic …`.
        httpHeaders: `Authorization: Bearer ${options.secret}`,
        resourceDetailsToSend: 'all',
        messagesToSend: 'none',
        detailedMessagesToSend: 'none',
      },
    };
    return this.call(repo, action, async ({ hooks }) => {
      const list = await this.hooksRequest<{ value?: Subscription[] }>(hooks, 'GET', {}, {
        publisherId: desired.publisherId,
        eventType: desired.eventType,
        consumerId: desired.consumerId,
        consumerActionId: desired.consumerActionId,
      });
      const existing = (list?.value ?? []).find(
        s =>
          s.consumerInputs?.url === options.url &&
          s.publisherInputs?.repository?.toLowerCase() === repositoryId.toLowerCase(),
      );
      if (!existing) {
        await this.hooksRequest(hooks, 'POST', {}, {}, desired);
        return 'created';
      }
      // The headers (with the secret) are confidential: whether they are set can be compared, not what they say.
      const matches =
        existing.status === 'enabled' && Boolean(existing.consumerInputs?.httpHeaders) && !existing.publisherInputs?.branch;
      if (matches) return 'unchanged';
      await this.hooksRequest(hooks, 'PUT', { subscriptionId: existing.id }, {}, { ...desired, id: existing.id });
      return 'updated';
    });
  }

  async fileHistory(repo: RepoLocation, path: string, ref: string, limit: number): Promise<FileCommit[]> {
    const { project, repository } = this.names(repo);
    const file = normalizePath(path, repo);
    const action = `read the history of '${file}' in ${describeRepo(repo)}@${ref}`;
    return this.call(repo, action, async ({ git }) => {
      const commits = await git.getCommits(
        repository,
        { itemPath: `/${file}`, itemVersion: this.versionOf(ref) },
        project,
        0,
        Math.max(1, limit),
      );
      const history: FileCommit[] = [];
      for (const commit of commits ?? []) {
        // Lists cut comments at 100 characters; the commit itself has all of it.
        const message = commit.commentTruncated
          ? (await git.getCommit(commit.commitId!, repository, project)).comment
          : commit.comment;
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

  webUrlOfFile(repo: RepoLocation, path: string, ref: string): string {
    const file = normalizePath(path, repo);
    const version = FULL_SHA.test(ref) ? `GC${ref}` : `GB${ref.replace(/^refs\/heads\//, '')}`;
    return `${repo.webUrl}?path=${encodeURIComponent(`/${file}`)}&version=${encodeURIComponent(version)}`;
  }

  webUrlOfCommit(repo: RepoLocation, sha: string): string {
    return `${repo.webUrl}/commit/${encodeURIComponent(sha)}`;
  }

  webUrlOfPullRequest(repo: RepoLocation, number: number): string {
    return `${repo.webUrl}/pullrequest/${number}`;
  }
}
