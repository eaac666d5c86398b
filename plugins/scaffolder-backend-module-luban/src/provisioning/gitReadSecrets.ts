import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import { argoCdProjectName, ciNamespaceName, LUBAN_LABELS, LUBAN_MANAGED_BY } from '@luban-backstage/plugin-luban-common';
import type { RepoLocation } from '@luban-backstage/plugin-luban-node';
import type { ProvisionedObject } from './kubernetesObjects';

/**
 * The Secrets that let kpack and Argo CD read a project's private repositories:
 * on a real cluster both clone with nothing but these (kpack pkg/git/k8s_git_keychain.go,
 * Argo CD util/db/repository_secrets.go), so without them no build starts and every
 * Application shows a ComparisonError.
 */

/** The kpack git Secret of a project's `ci-` namespace; the builder service account lists it. */
export const KPACK_GIT_SECRET = 'luban-git';

/** A username and token for git over HTTPS. */
interface GitReadCredential {
  username: string;
  password: string;
}

/**
 * The credential kpack and Argo CD read a repository's host with: the
 * read-only one `luban.gitReadCredentials` names for the host (least
 * privilege), else the token luban's own integration uses. GitHub App
 * credentials are refused: an installation token lasts an hour and nothing
 * would renew the Secret.
 */
export class GitReadCredentials {
  private constructor(
    private readonly integrations: ScmIntegrationRegistry,
    private readonly readOnly: Map<string, { username?: string; token: string }>,
  ) {}

  static fromConfig(config: Config, integrations: ScmIntegrationRegistry): GitReadCredentials {
    const readOnly = new Map<string, { username?: string; token: string }>();
    for (const entry of config.getOptionalConfigArray('luban.gitReadCredentials') ?? []) {
      readOnly.set(entry.getString('host').toLowerCase(), { username: entry.getOptionalString('username'), token: entry.getString('token') });
    }
    return new GitReadCredentials(integrations, readOnly);
  }

  /** The credential for a repository's host; an `InputError` when luban has none that lasts. */
  for(repo: RepoLocation): GitReadCredential {
    const configured = this.readOnly.get(repo.host.toLowerCase());
    const defaultUsername = repo.provider === 'github' ? 'x-access-token' : 'luban';
    if (configured) return { username: configured.username ?? defaultUsername, password: configured.token };
    return { username: defaultUsername, password: this.integrationToken(repo) };
  }

  private integrationToken(repo: RepoLocation): string {
    if (repo.provider === 'github') {
      const token = this.integrations.github.byHost(repo.host)?.config.token;
      if (!token) {
        throw new InputError(
          `integrations.github for '${repo.host}' has no token: kpack and Argo CD need one to read private repositories (GitHub App installation tokens expire within an hour); configure luban.gitReadCredentials or integrations.github[].token`,
        );
      }
      return token;
    }
    const config = this.integrations.azure.byHost(repo.host)?.config;
    const pat =
      config?.credentials?.map(c => (c as { personalAccessToken?: string }).personalAccessToken).find(Boolean) ??
      (config as { token?: string } | undefined)?.token;
    if (!pat) {
      throw new InputError(
        `integrations.azure for '${repo.host}' has no personal access token: kpack and Argo CD need one to read private repositories; configure luban.gitReadCredentials or integrations.azure[].credentials[].personalAccessToken`,
      );
    }
    return pat;
  }
}

const base64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');

/** kpack's git Secret for the source host: basic-auth, annotated `kpack.io/git: https://<host>` (kpack matches the host exactly). */
export function kpackGitSecret(project: string, repo: RepoLocation, credential: GitReadCredential): ProvisionedObject {
  const scheme = repo.cloneUrl.startsWith('http://') ? 'http' : 'https';
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: KPACK_GIT_SECRET,
      namespace: ciNamespaceName(project),
      labels: { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY },
      annotations: { 'kpack.io/git': `${scheme}://${repo.host}` },
    } as ProvisionedObject['metadata'],
    type: 'kubernetes.io/basic-auth',
    data: { username: base64(credential.username), password: base64(credential.password) },
  };
}

/**
 * Argo CD's repository Secret for the GitOps repository, usable only by the project's AppProject,
 * with the credential `gitRead` gives for its host (an `InputError` before anything is written when there is none).
 */
export function argoCdRepositorySecret(options: {
  project: string;
  argoNamespace: string;
  repo: RepoLocation;
  gitRead: GitReadCredentials;
}): ProvisionedObject {
  const { project, repo } = options;
  const credential = options.gitRead.for(repo);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `luban-repo-${project}-gitops`,
      namespace: options.argoNamespace,
      labels: {
        'argocd.argoproj.io/secret-type': 'repository',
        [LUBAN_LABELS.project]: project,
        [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY,
      },
    },
    type: 'Opaque',
    data: {
      type: base64('git'),
      url: base64(repo.cloneUrl),
      project: base64(argoCdProjectName(project)),
      username: base64(credential.username),
      password: base64(credential.password),
    },
  };
}
