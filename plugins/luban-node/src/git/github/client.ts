import { InputError, NotAllowedError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  type GithubCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { RepositoryWatch } from '../repositoryWatch';
import type { RepoLocation } from '../repoLocation';
import { ClientCache } from '../shared';
import { describeRepo, gitUpstreamError, networkError } from '../support';

/** What Octokit rejects with: a `RequestError` (status, response) or, without an answer, status 500 and no response. */
interface OctokitFailure {
  status?: number;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

/** The HTTP status of a failed request; undefined when there was no answer. */
export function statusOf(error: unknown): number | undefined {
  const failure = error as OctokitFailure;
  return failure?.response ? failure.status : undefined;
}

/** GitHub's message, with the validation details of a 422. */
export function messageOf(error: unknown): string | undefined {
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
 * The Octokit clients of the configured GitHub hosts, and how their
 * failures read: each error names the host, the repository and what was done.
 */
export class GitHubClient {
  private readonly credentials: GithubCredentialsProvider;
  private readonly requestTimeoutMs: number;
  private readonly clients = new ClientCache<Octokit>();

  /** What webhooks and luban's own writes say of repositories (see {@link RepositoryWatch}). */
  readonly watch: RepositoryWatch;

  constructor(
    private readonly integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: GithubCredentialsProvider; watch?: RepositoryWatch } = {},
  ) {
    this.credentials = options.credentialsProvider ?? DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.watch = options.watch ?? new RepositoryWatch({ maxStalenessMs: 0 });
  }

  system(repo: RepoLocation) {
    return `GitHub at ${repo.host}`;
  }

  fail(error: unknown, repo: RepoLocation, action: string): Error {
    const context = { system: this.system(repo), action };
    const status = statusOf(error);
    if (status === undefined) return networkError(error, context);
    // GitHub answers an exhausted rate limit with 403: it is a wait, not a missing permission.
    const limited = status === 403 && (error as OctokitFailure).response?.headers?.['x-ratelimit-remaining'] === '0';
    return gitUpstreamError(limited ? 429 : status, messageOf(error), context);
  }

  names(repo: RepoLocation) {
    if (repo.provider !== 'github' || !repo.owner) {
      throw new InputError(`${repo.webUrl} is not a GitHub repository`);
    }
    return { owner: repo.owner, repo: repo.repo };
  }

  /** An Octokit for the repository's host with the token config gives for its owner. */
  async octokit(repo: RepoLocation): Promise<Octokit> {
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
    return this.clients.get([baseUrl, token ?? ''], () => {
      const octokit = new Octokit({ auth: token, baseUrl, log: silentLog });
      const timeoutMs = this.requestTimeoutMs;
      // Each request gets its own deadline (a signal passed through hook.wrap would be dropped on the way to fetch).
      octokit.hook.before('request', options => {
        options.request = { ...options.request, signal: AbortSignal.timeout(timeoutMs) };
      });
      // Whatever luban writes to a repository, answered or not (a write may be applied and its answer lost),
      // changes it: nothing read of it before is used again without asking.
      const host = repo.host;
      const wrote = (options: { method?: string; owner?: unknown; repo?: unknown }) => {
        if (options.method === 'GET' || options.method === 'HEAD') return;
        if (typeof options.owner !== 'string' || typeof options.repo !== 'string') return;
        this.watch.changed({ provider: 'github', host, owner: options.owner, repo: options.repo });
      };
      octokit.hook.after('request', (_response, options) => wrote(options));
      octokit.hook.error('request', (error, options) => {
        wrote(options);
        throw error;
      });
      return octokit;
    });
  }
}
