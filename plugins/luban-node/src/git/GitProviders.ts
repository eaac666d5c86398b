import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations, type ScmIntegrationRegistry } from '@backstage/integration';
import { readMaxStalenessMs, readRequestTimeoutMs } from '../config/environments';
import { AzureDevOpsProvider } from './AzureDevOpsProvider';
import { GitHubProvider } from './GitHubProvider';
import type { GitProvider } from './GitProvider';
import { parseRepoLocation, type RepoLocation } from './repoLocation';
import { DEFAULT_MAX_STALENESS_MS, RepositoryWatch } from './repositoryWatch';

/**
 * Options of {@link GitProviders.fromConfig}.
 * @public
 */
export interface GitProvidersOptions {
  /** How long one request may take; default `luban.requestTimeoutSeconds` (30 s). */
  requestTimeoutMs?: number;
  /** How long an answer of a repository a webhook watches is used without asking again; default `luban.gitops.maxStaleness` (60 s), 0 asks every time. */
  maxStalenessMs?: number;
}

/**
 * The git providers of the configured integrations: one {@link GitProvider}
 * per kind of host, chosen by the repository. Credentials come only from
 * `integrations.github` and `integrations.azure`.
 * @public
 */
export class GitProviders {
  /** Reads `integrations` (and `luban.requestTimeoutSeconds`) from the root config. */
  static fromConfig(config: Config, options: GitProvidersOptions = {}): GitProviders {
    return new GitProviders(ScmIntegrations.fromConfig(config), {
      requestTimeoutMs: options.requestTimeoutMs ?? readRequestTimeoutMs(config),
      maxStalenessMs: options.maxStalenessMs ?? readMaxStalenessMs(config),
    });
  }

  private readonly github: GitHubProvider;
  private readonly azure: AzureDevOpsProvider;
  /**
   * What webhook deliveries and luban's own writes say of repositories: tell
   * it of every delivery ({@link RepositoryWatch.delivered}), and reads of a
   * watched repository ask its host only when something changed.
   */
  readonly watch: RepositoryWatch;

  constructor(
    /** The configured integrations, e.g. for {@link parseRepoLocation}. */
    readonly integrations: ScmIntegrationRegistry,
    options: GitProvidersOptions = {},
  ) {
    this.watch = new RepositoryWatch({ maxStalenessMs: options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS });
    this.github = new GitHubProvider(integrations, { ...options, watch: this.watch });
    this.azure = new AzureDevOpsProvider(integrations, options);
  }

  /** Parses a repository URL (or RepoUrlPicker value) of a configured host. */
  parse(input: string): RepoLocation {
    return parseRepoLocation(input, this.integrations);
  }

  /** The provider serving the repository. */
  forRepository(repo: RepoLocation): GitProvider {
    if (repo.provider === 'github') return this.github;
    if (repo.provider === 'azure') return this.azure;
    throw new InputError(`Repository ${repo.webUrl}: ${String(repo.provider)} hosts are not supported; use GitHub or Azure DevOps`);
  }
}

