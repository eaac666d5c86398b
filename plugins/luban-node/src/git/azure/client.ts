import { AuthenticationError, InputError } from '@backstage/errors';
import {
  DefaultAzureDevOpsCredentialsProvider,
  type AzureDevOpsCredentialsProvider,
  type ScmIntegrationRegistry,
} from '@backstage/integration';
import { WebApi, getBearerHandler, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import { ClientApiBase } from 'azure-devops-node-api/ClientApiBases';
import type { ICoreApi } from 'azure-devops-node-api/CoreApi';
import type { IGitApi } from 'azure-devops-node-api/GitApi';
import { GitVersionType, type GitVersionDescriptor } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { RepoLocation } from '../repoLocation';
import { ClientCache } from '../shared';
import { FULL_SHA, gitUpstreamError, networkError } from '../support';

/** The REST API version of the raw requests luban makes next to the library's. */
export const API_VERSION = '7.1';

/** What azure-devops-node-api rejects with: `statusCode` and the parsed body as `result`; neither without an answer. */
interface AzureFailure {
  statusCode?: number;
  result?: { message?: string; typeKey?: string } | null;
}

/** The HTTP status of a failed request; undefined when there was no answer. */
export function statusOf(error: unknown): number | undefined {
  return (error as AzureFailure)?.statusCode;
}

/** The exception type Azure DevOps names, e.g. `GitRepositoryNotFoundException`. */
export function typeKeyOf(error: unknown): string | undefined {
  return (error as AzureFailure)?.result?.typeKey ?? undefined;
}

/** Thrown by the raw requests of this provider, shaped like the library's errors. */
export class AzureRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly result: AzureFailure['result'],
  ) {
    super(result?.message ?? `Failed request: (${statusCode})`);
  }
}

/** The clients of one organization with one credential. */
export interface Connection {
  git: IGitApi;
  core: () => Promise<ICoreApi>;
  hooks: ClientApiBase;
}

/**
 * The clients of the configured Azure DevOps organizations, and how their
 * failures read: each error names the host, the repository and what was done.
 */
export class AzureDevOpsClient {
  private readonly credentials: AzureDevOpsCredentialsProvider;
  private readonly requestTimeoutMs: number;
  private readonly connections = new ClientCache<Promise<Connection>>();

  constructor(
    integrations: ScmIntegrationRegistry,
    options: { requestTimeoutMs?: number; credentialsProvider?: AzureDevOpsCredentialsProvider } = {},
  ) {
    this.credentials = options.credentialsProvider ?? DefaultAzureDevOpsCredentialsProvider.fromIntegrations(integrations);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  system(repo: RepoLocation) {
    return `Azure DevOps at ${repo.host}`;
  }

  fail(error: unknown, repo: RepoLocation, action: string): Error {
    const context = { system: this.system(repo), action };
    const status = statusOf(error);
    if (status === undefined) return networkError(error, context);
    return gitUpstreamError(status, (error as AzureFailure).result?.message ?? undefined, context);
  }

  names(repo: RepoLocation) {
    if (repo.provider !== 'azure' || !repo.organization || !repo.project) {
      throw new InputError(`${repo.webUrl} is not an Azure DevOps repository`);
    }
    return { organization: repo.organization, project: repo.project, repository: repo.repo };
  }

  /** The organization's clients with the credential config gives for the repository; location discovery is cached with them. */
  async connection(repo: RepoLocation, action: string): Promise<Connection> {
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
    const { type, token } = credentials;
    const orgUrl = `https://${repo.host}/${organization}`;
    const connection = this.connections.get([orgUrl, type, token], forget => {
      const created = this.connect(orgUrl, type === 'pat' ? getPersonalAccessTokenHandler(token) : getBearerHandler(token));
      // A failed discovery (wrong token, host down) must not stick.
      created.catch(forget);
      return created;
    });
    try {
      return await connection;
    } catch (error) {
      throw this.fail(error, repo, action);
    }
  }

  private async connect(orgUrl: string, handler: ReturnType<typeof getBearerHandler>): Promise<Connection> {
    const requestOptions = { socketTimeout: this.requestTimeoutMs, allowRetries: false };
    const webApi = new WebApi(orgUrl, handler, requestOptions);
    let core: Promise<ICoreApi> | undefined;
    const git = await webApi.getGitApi();
    return {
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
    };
  }

  /** Runs a library call, turning its failure into a typed error that names the repository and what was done. */
  async call<T>(repo: RepoLocation, action: string, fn: (connection: Connection) => Promise<T>): Promise<T> {
    const connection = await this.connection(repo, action);
    try {
      return await fn(connection);
    } catch (error) {
      throw this.fail(error, repo, action);
    }
  }

  /** The commit a branch points at now; undefined when the service knows no such branch. */
  async branchHead(repo: RepoLocation, branch: string, action: string): Promise<string | undefined> {
    const { project, repository } = this.names(repo);
    // The filter is a prefix: pick the exact name.
    const refs = await this.call(repo, action, ({ git }) => git.getRefs(repository, project, `heads/${branch}`));
    return (refs ?? []).find(r => r.name === `refs/heads/${branch}`)?.objectId;
  }
}

/** The version descriptor of a branch, tag or commit. */
export function versionOf(ref: string): GitVersionDescriptor {
  if (FULL_SHA.test(ref)) return { version: ref, versionType: GitVersionType.Commit };
  if (ref.startsWith('refs/tags/')) return { version: ref.slice('refs/tags/'.length), versionType: GitVersionType.Tag };
  return { version: ref.replace(/^refs\/heads\//, ''), versionType: GitVersionType.Branch };
}
