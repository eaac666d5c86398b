import { createHash } from 'node:crypto';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { editFileWithRetries } from './editFile';
import {
  StaleBranchError,
  BranchProtectedError,
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
  encodePath,
  gitUpstreamError,
  networkError,
  normalizeBranch,
  normalizePath,
  readKey,
  SingleFlight,
} from './support';

/** What Octokit rejects with: a `RequestError` (status, response) or, without an answer, status 500 and no response. */
interface OctokitFailure {
  status?: number;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function statusOf(error: unknown): number | undefined {
  const failure = error as OctokitFailure;
  return failure?.response ? failure.status : undefined;
}

/** GitHub's message, with the validation details of a 422. */
function messageOf(error: unknown): string | undefined {
  const data = (error as OctokitFailure)?.response?.data;
  if (typeof data === 'string') return data || undefined;
  if (!data || typeof data !== 'object') return undefined;
  const { message, errors } = data as { message?: string; errors?: Array<string | { message?: string; code?: string }> };
  const details = (errors ?? [])
    .map(e => (typeof e === 'string' ? e : e.message ?? e.code))
    .filter(Boolean);
  return details.length ? `${message ?? ''} (${details.join('; ')})` : message;
}

const silentLog = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * How many file reads (and branch heads) are kept: a GitOps overlay is a few
 * hundred bytes, and a thousand apps in three environments read 3,000.
 */
const FILE_CACHE_ENTRIES = 20_000;

/** How far apart two heads may be for {@link GitHubProvider.changedPaths} to list what changed between them. */
const MAX_COMMITS_BETWEEN = 10;
/** GitHub lists at most 300 files of a comparison (and 3,000 of a commit): a list that long may be cut. */
const MAX_FILES_LISTED = 300;

/** The cached read of a file: the content (or its absence) at the commit the ref resolved to. */
type CachedRead = GitFile | undefined;

/**
 * {@link GitProvider} for GitHub and GitHub Enterprise, on `@octokit/rest`.
 * Tokens (personal or GitHub App installation) come from
 * `integrations.github` through `DefaultGithubCredentialsProvider`.
 * @public
 */
export class GitHubProvider implements GitProvider {
  private readonly credentials: GithubCredentialsProvider;
  private readonly requestTimeoutMs: number;
  /** Concurrent requests for the same pull request in this process share one call. */
  private readonly opening = new SingleFlight<OpenedPullRequest>();
  /** Files by repository, path and commit: what a commit holds never changes. */
  private readonly reads = new EtagCache<CachedRead>(FILE_CACHE_ENTRIES);
  /** The commit each branch or tag was last seen at, with the ETag of that answer. */
  private readonly heads = new EtagCache<string>(FILE_CACHE_ENTRIES);
  private readonly resolving = new SingleFlight<string | undefined>();
  /** The commit each file was last read at through a branch or tag name. */
  private readonly lastReadAt = new EtagCache<string>(FILE_CACHE_ENTRIES);
  /** The paths touched between two commits, by `from...to`. */
  private readonly changes = new EtagCache<ReadonlySet<string> | undefined>(1_000);
  private readonly comparing = new SingleFlight<ReadonlySet<string> | undefined>();
  private readonly clients = new Map<string, Octokit>();

  constructor(
    private readonly integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: GithubCredentialsProvider } = {},
  ) {
    this.credentials = options.credentialsProvider ?? DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  private system(repo: RepoLocation) {
    return `GitHub at ${repo.host}`;
  }

  private fail(error: unknown, repo: RepoLocation, action: string): Error {
    const context = { system: this.system(repo), action };
    const status = statusOf(error);
    if (status === undefined) return networkError(error, context);
    // GitHub answers an exhausted rate limit with 403: it is a wait, not a missing permission.
    const limited = status === 403 && (error as OctokitFailure).response?.headers?.['x-ratelimit-remaining'] === '0';
    return gitUpstreamError(limited ? 429 : status, messageOf(error), context);
  }

  private names(repo: RepoLocation) {
    if (repo.provider !== 'github' || !repo.owner) {
      throw new InputError(`${repo.webUrl} is not a GitHub repository`);
    }
    return { owner: repo.owner, repo: repo.repo };
  }

  /** An Octokit for the repository's host with the token config gives for its owner. */
  private async client(repo: RepoLocation): Promise<Octokit> {
    const integration = this.integrations.github.byHost(repo.host);
    if (!integration) {
      throw new InputError(`GitHub host '${repo.host}' is not configured under integrations.github`);
    }
    let token: string | undefined;
    try {
      ({ token } = await this.credentials.getCredentials({ url: repo.webUrl }));
    } catch (error) {
      throw new NotAllowedError(
        `${this.system(repo)}: integrations.github gives no credentials for ${describeRepo(repo)} (${(error as Error).message}). Configure a token or install the GitHub App for '${repo.owner}'`,
      );
    }
    const baseUrl =
      integration.config.apiBaseUrl ??
      (repo.host === 'github.com' ? 'https://api.github.com' : `https://${repo.host}/api/v3`);
    // Keyed by a hash: the token itself is kept only inside the client.
    const key = createHash('sha256').update(`${baseUrl}\n${token ?? ''}`).digest('hex');
    let octokit = this.clients.get(key);
    if (!octokit) {
      // App installation tokens rotate; forget old clients rather than grow.
      if (this.clients.size >= 20) this.clients.clear();
      octokit = new Octokit({ auth: token, baseUrl, log: silentLog });
      const timeoutMs = this.requestTimeoutMs;
      // Each request gets its own deadline (a signal passed through hook.wrap would be dropped on the way to fetch).
      octokit.hook.before('request', options => {
        options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) };
      });
      this.clients.set(key, octokit);
    }
    return octokit;
  }

  async ensureRepository(repo: RepoLocation, options: EnsureRepositoryOptions = {}): Promise<EnsuredRepository> {
    const names = this.names(repo);
    const octokit = await this.client(repo);
    const action = `create repository ${describeRepo(repo)}`;
    const existing = await this.readRepository(octokit, repo);
    if (existing) {
      if (!options.dryRun && !(await this.getBranch(repo, existing.defaultBranch))) {
        // Created elsewhere without commits: give it the initial commit it lacks.
        await this.initialCommit(octokit, repo, existing.defaultBranch, options.description);
        return { ...existing, result: 'created' };
      }
      return { ...existing, result: 'unchanged' };
    }
    const defaultBranch = normalizeBranch(options.defaultBranch ?? 'main', repo);
    if (options.dryRun) {
      return { result: 'created', webUrl: repo.webUrl, cloneUrl: repo.cloneUrl, defaultBranch };
    }
    const settings = {
      name: names.repo,
      description: options.description,
      private: options.private ?? true,
      auto_init: true,
    };
    let created: { html_url: string; clone_url: string; default_branch: string };
    try {
      const { data: account } = await octokit.users.getByUsername({ username: names.owner });
      if (account.type === 'Organization') {
        created = (await octokit.repos.createInOrg({ org: names.owner, ...settings })).data;
      } else {
        const { data: viewer } = await octokit.users.getAuthenticated();
        if (viewer.login.toLowerCase() !== names.owner.toLowerCase()) {
          throw new NotAllowedError(
            `${this.system(repo)} could not ${action}: '${names.owner}' is a user, and the configured account (${viewer.login}) can only create repositories for itself`,
          );
        }
        created = (await octokit.repos.createForAuthenticatedUser(settings)).data;
      }
    } catch (error) {
      if (error instanceof NotAllowedError) throw error;
      // Created meanwhile (a concurrent or retried call): report what is there.
      if (statusOf(error) === 422 && /already exists/i.test(messageOf(error) ?? '')) {
        const raced = await this.readRepository(octokit, repo);
        if (raced) return { ...raced, result: 'unchanged' };
      }
      throw this.fail(error, repo, action);
    }
    if (created.default_branch !== defaultBranch) {
      await this.moveDefaultBranch(octokit, repo, created.default_branch, defaultBranch);
    }
    return { result: 'created', webUrl: created.html_url, cloneUrl: created.clone_url, defaultBranch };
  }

  private async readRepository(octokit: Octokit, repo: RepoLocation) {
    try {
      const { data } = await octokit.repos.get(this.names(repo));
      return { webUrl: data.html_url, cloneUrl: data.clone_url, defaultBranch: data.default_branch };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.fail(error, repo, `read repository ${describeRepo(repo)}`);
    }
  }

  private async initialCommit(octokit: Octokit, repo: RepoLocation, branch: string, description?: string) {
    try {
      await octokit.repos.createOrUpdateFileContents({
        ...this.names(repo),
        path: 'README.md',
        branch,
        message: 'Initial commit',
        content: Buffer.from(`# ${repo.repo}\n${description ? `\n${description}\n` : ''}`).toString('base64'),
      });
    } catch (error) {
      throw this.fail(error, repo, `make the initial commit of ${describeRepo(repo)}`);
    }
  }

  /** Renames the default branch auto_init made to the one asked for. */
  private async moveDefaultBranch(octokit: Octokit, repo: RepoLocation, from: string, to: string) {
    const names = this.names(repo);
    const action = `make '${to}' the default branch of ${describeRepo(repo)}`;
    try {
      const { data: ref } = await octokit.git.getRef({ ...names, ref: `heads/${from}` });
      await octokit.git.createRef({ ...names, ref: `refs/heads/${to}`, sha: ref.object.sha });
      await octokit.repos.update({ ...names, default_branch: to });
      await octokit.git.deleteRef({ ...names, ref: `heads/${from}` });
    } catch (error) {
      throw this.fail(error, repo, action);
    }
  }

  async readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    const file = normalizePath(path, repo);
    const action = `read '${file}' in ${describeRepo(repo)}@${ref}`;
    const octokit = await this.client(repo);
    if (FULL_SHA.test(ref)) return this.readCached(octokit, repo, file, ref, action);
    const commitSha = await this.resolveRef(octokit, repo, ref, action);
    // No commits yet: no file either.
    if (!commitSha) return undefined;
    const atRef = readKey(repo, file, ref);
    const previousSha = this.lastReadAt.get(atRef)?.value;
    let value: GitFile | undefined;
    const previous = previousSha && previousSha !== commitSha ? this.reads.get(readKey(repo, file, previousSha)) : undefined;
    if (previous && !this.reads.get(readKey(repo, file, commitSha))) {
      // The branch moved: when no commit since touched the file, what was read before still holds.
      const changed = await this.changedPaths(repo, previousSha!, commitSha);
      if (changed && !changed.has(file)) {
        value = previous.value && { ...previous.value, commitSha };
        this.reads.set(readKey(repo, file, commitSha), '', value);
      }
    }
    if (!value) value = await this.readCached(octokit, repo, file, commitSha, action);
    this.lastReadAt.set(atRef, '', commitSha);
    return value;
  }

  /** A file at a commit: what a commit holds never changes, so each is read once. */
  private async readCached(octokit: Octokit, repo: RepoLocation, file: string, commitSha: string, action: string) {
    const key = readKey(repo, file, commitSha);
    const cached = this.reads.get(key);
    if (cached) return cached.value;
    const value = await this.readAtCommit(octokit, repo, file, commitSha, action);
    this.reads.set(key, '', value);
    return value;
  }

  async changedPaths(repo: RepoLocation, fromSha: string, toSha: string): Promise<ReadonlySet<string> | undefined> {
    const key = readKey(repo, '', `${fromSha}...${toSha}`);
    const known = this.changes.get(key);
    if (known) return known.value;
    return this.comparing.run(key, async () => {
      const octokit = await this.client(repo);
      const names = this.names(repo);
      let paths: Set<string> | undefined;
      try {
        const { data } = await octokit.repos.compareCommitsWithBasehead({ ...names, basehead: `${fromSha}...${toSha}` });
        // Anything but a short, straight line forward (a force push, a long gap) is read file by file.
        if (data.status === 'ahead' && data.total_commits <= MAX_COMMITS_BETWEEN) {
          const touched = (files: Array<{ filename: string; previous_filename?: string }> | undefined) =>
            (files ?? []).flatMap(f => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
          if (data.total_commits === 1 && (data.files?.length ?? 0) < MAX_FILES_LISTED) {
            paths = new Set(touched(data.files));
          } else {
            // The comparison's files are the net change; a path changed and changed back counts too.
            paths = new Set();
            for (const commit of data.commits) {
              const { data: detail } = await octokit.repos.getCommit({ ...names, ref: commit.sha });
              if ((detail.files?.length ?? 0) >= MAX_FILES_LISTED) return undefined;
              for (const path of touched(detail.files)) paths.add(path);
            }
          }
        }
      } catch {
        // Reading the files one by one still works, and reports the failure if it persists.
        return undefined;
      }
      this.changes.set(key, '', paths);
      return paths;
    });
  }

  /**
   * The commit a branch or tag points at, by one conditional request per
   * repository and ref: answered 304 while it has not moved (which GitHub
   * does not count against the rate limit), and shared by concurrent reads
   * of the same ref (a view reads one overlay per environment at once).
   * Undefined for a repository without commits.
   */
  private async resolveRef(octokit: Octokit, repo: RepoLocation, ref: string, action: string): Promise<string | undefined> {
    const key = readKey(repo, '', ref);
    const names = this.names(repo);
    try {
      return await this.resolving.run(key, async () => {
        const cached = this.heads.get(key);
        try {
          const response = await octokit.repos.getCommit({
            ...names,
            ref,
            mediaType: { format: 'sha' },
            headers: cached ? { 'if-none-match': cached.etag } : {},
          });
          const commitSha = String(response.data as unknown).trim();
          if (response.headers.etag) this.heads.set(key, response.headers.etag, commitSha);
          return commitSha;
        } catch (error) {
          if (statusOf(error) === 304 && cached) return cached.value;
          // 409: the repository has no commits yet.
          if (statusOf(error) === 409) return undefined;
          throw error;
        }
      });
    } catch (error) {
      // Each caller names its own file: concurrent reads share the request, not the message.
      if (statusOf(error) === 422) {
        throw new NotFoundError(`${this.system(repo)} could not ${action}: there is no branch, tag or commit '${ref}'`);
      }
      throw this.fail(error, repo, action);
    }
  }

  private async readAtCommit(octokit: Octokit, repo: RepoLocation, file: string, commitSha: string, action: string) {
    const names = this.names(repo);
    try {
      const { data } = await octokit.repos.getContent({ ...names, path: file, ref: commitSha });
      if (Array.isArray(data) || data.type !== 'file') {
        throw new InputError(`${this.system(repo)} could not ${action}: it is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`);
      }
      let base64 = data.content ?? '';
      // Files over 1 MB come without content; their blob has it.
      if (data.encoding === 'none' || (!base64 && data.size > 0)) {
        base64 = (await octokit.git.getBlob({ ...names, file_sha: data.sha })).data.content;
      }
      return { content: Buffer.from(base64, 'base64').toString('utf8'), version: data.sha, commitSha };
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (statusOf(error) === 404) return undefined;
      throw this.fail(error, repo, action);
    }
  }

  async getBranch(repo: RepoLocation, branch: string): Promise<string | undefined> {
    const name = normalizeBranch(branch, repo);
    const octokit = await this.client(repo);
    try {
      const { data } = await octokit.git.getRef({ ...this.names(repo), ref: `heads/${name}` });
      return data.object.sha;
    } catch (error) {
      // 404: no such branch; 409: no commits, so no branch at all.
      if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
      throw this.fail(error, repo, `read branch '${name}' of ${describeRepo(repo)}`);
    }
  }

  async ensureBranch(repo: RepoLocation, branch: string, fromSha: string): Promise<'created' | 'unchanged'> {
    const name = normalizeBranch(branch, repo);
    if (await this.getBranch(repo, name)) return 'unchanged';
    const octokit = await this.client(repo);
    try {
      await octokit.git.createRef({ ...this.names(repo), ref: `refs/heads/${name}`, sha: fromSha });
      return 'created';
    } catch (error) {
      // Created meanwhile by someone else.
      if (statusOf(error) === 422 && (await this.getBranch(repo, name))) return 'unchanged';
      throw this.fail(error, repo, `create branch '${name}' at ${fromSha} in ${describeRepo(repo)}`);
    }
  }

  async commitFiles(repo: RepoLocation, options: CommitFilesOptions): Promise<{ commitSha: string }> {
    const names = this.names(repo);
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
    if (!files.length) return { commitSha: head };
    const octokit = await this.client(repo);
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
      const { data: commit } = await octokit.git.createCommit({
        ...names,
        message: options.message,
        tree: tree.sha,
        parents: [head],
      });
      commitSha = commit.sha;
    } catch (error) {
      throw this.fail(error, repo, action);
    }
    try {
      // Without force GitHub moves the branch only forward: a head that moved meanwhile is refused.
      await octokit.git.updateRef({ ...names, ref: `heads/${branch}`, sha: commitSha, force: false });
    } catch (error) {
      if (statusOf(error) === 422) {
        const now = await this.getBranch(repo, branch);
        if (now !== options.expectedHeadSha) throw stale(now);
        // The head did not move, so the refusal is the branch's protection.
        throw new BranchProtectedError(
          `${this.system(repo)} could not ${action}: branch '${branch}' is protected (${messageOf(error) ?? 'changes must be made through a pull request'}); open a pull request instead`,
          branch,
        );
      }
      throw this.fail(error, repo, action);
    }
    return { commitSha };
  }

  editFile(repo: RepoLocation, options: EditFileOptions): Promise<EditFileResult> {
    return editFileWithRetries(this, repo, options);
  }

  private toOpened(pull: { number: number; url: string; html_url: string; state: string; merged_at?: string | null }, reused: boolean): OpenedPullRequest {
    return { number: pull.number, url: pull.url, webUrl: pull.html_url, state: this.stateOf(pull), reused };
  }

  private stateOf(pull: { state: string; merged_at?: string | null; merged?: boolean }): PullRequestState {
    if (pull.merged || pull.merged_at) return 'merged';
    return pull.state === 'open' ? 'open' : 'closed';
  }

  openOrReusePullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const key = readKey(repo, normalizeBranch(options.head, repo), normalizeBranch(options.base, repo));
    return this.opening.run(key, () => this.openPullRequest(repo, options), opened => ({ ...opened, reused: true }));
  }

  private async openPullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest> {
    const names = this.names(repo);
    const head = normalizeBranch(options.head, repo);
    const base = normalizeBranch(options.base, repo);
    const octokit = await this.client(repo);
    const action = `open a pull request from '${head}' to '${base}' in ${describeRepo(repo)}`;
    const findOpen = async () => {
      try {
        const { data } = await octokit.pulls.list({ ...names, state: 'open', head: `${names.owner}:${head}`, base, per_page: 1 });
        return data[0];
      } catch (error) {
        throw this.fail(error, repo, action);
      }
    };
    const existing = await findOpen();
    if (existing) return this.toOpened(existing, true);
    try {
      const { data } = await octokit.pulls.create({ ...names, head, base, title: options.title, body: options.body });
      return this.toOpened(data, false);
    } catch (error) {
      // Opened meanwhile (a concurrent call): that one is the answer.
      if (statusOf(error) === 422 && /already exists/i.test(messageOf(error) ?? '')) {
        const raced = await findOpen();
        if (raced) return this.toOpened(raced, true);
      }
      throw this.fail(error, repo, action);
    }
  }

  async getPullRequest(repo: RepoLocation, number: number): Promise<PullRequestInfo> {
    const octokit = await this.client(repo);
    try {
      const { data } = await octokit.pulls.get({ ...this.names(repo), pull_number: number });
      const state = this.stateOf(data);
      return {
        number: data.number,
        state,
        title: data.title,
        webUrl: data.html_url,
        headBranch: data.head.ref,
        baseBranch: data.base.ref,
        mergeCommitSha: state === 'merged' ? data.merge_commit_sha ?? undefined : undefined,
      };
    } catch (error) {
      throw this.fail(error, repo, `read pull request #${number} of ${describeRepo(repo)}`);
    }
  }

  async registerWebhook(repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
    const names = this.names(repo);
    const octokit = await this.client(repo);
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
      throw this.fail(error, repo, action);
    }
  }

  async fileHistory(repo: RepoLocation, path: string, ref: string, limit: number): Promise<FileCommit[]> {
    const file = normalizePath(path, repo);
    const octokit = await this.client(repo);
    const perPage = Math.min(Math.max(1, limit), 100);
    const history: FileCommit[] = [];
    try {
      for await (const page of octokit.paginate.iterator(octokit.repos.listCommits, {
        ...this.names(repo),
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
      throw this.fail(error, repo, `read the history of '${file}' in ${describeRepo(repo)}@${ref}`);
    }
    return history.slice(0, limit);
  }

  webUrlOfFile(repo: RepoLocation, path: string, ref: string): string {
    return `${repo.webUrl}/blob/${encodePath(ref)}/${encodePath(normalizePath(path, repo))}`;
  }

  webUrlOfCommit(repo: RepoLocation, sha: string): string {
    return `${repo.webUrl}/commit/${encodeURIComponent(sha)}`;
  }

  webUrlOfPullRequest(repo: RepoLocation, number: number): string {
    return `${repo.webUrl}/pull/${number}`;
  }
}
