import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { EMULATED_CONTROLLER_USER_AGENT } from '../../controls';
import type { GitRepositories } from '../../git/GitRepositories';
import { findResourceType } from '../resources';
import type { KubeObject, KubeStore } from '../state';

/**
 * The git read credentials kpack and Argo CD find in the cluster, and whether
 * the emulated git host lets them read a repository. Both controllers clone
 * with nothing else: a private repository without a matching Secret cannot be read.
 */

const SECRETS = findResourceType('', 'v1', 'secrets')!;
const SERVICE_ACCOUNTS = findResourceType('', 'v1', 'serviceaccounts')!;

/** The annotation kpack reads a git Secret's host from (kpack pkg/apis/build/v1alpha2 `GITSecretAnnotationPrefix`). */
export const KPACK_GIT_ANNOTATION = 'kpack.io/git';
/** The label Argo CD finds its repository and credential-template Secrets by (argo-cd common/common.go). */
export const ARGOCD_SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';

/** A username and password (or token) for git over HTTP. */
export interface GitBasicAuth {
  username: string;
  password: string;
}

/** A Secret's value: `data` (base64, as the API server stores it), else a `stringData` the emulated store kept. */
function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = (secret as { data?: Record<string, string> }).data?.[key];
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  return (secret as { stringData?: Record<string, string> }).stringData?.[key];
}

/**
 * The basic-auth credential kpack uses for a git URL (kpack pkg/git/k8s_git_keychain.go and
 * git_keychain.go): the Secrets the service account lists, of type `kubernetes.io/basic-auth`,
 * whose `kpack.io/git` annotation is the URL's host (with port), bare or after `https://`,
 * `http://` or `git@`; by Secret name, the first match wins. An https URL never takes an
 * ssh-auth Secret. Undefined: kpack reads anonymously.
 */
export function kpackGitCredential(store: KubeStore, namespace: string, serviceAccountName: string, url: string): GitBasicAuth | undefined {
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    return undefined;
  }
  const account = store.find(SERVICE_ACCOUNTS, namespace, serviceAccountName || 'default');
  const names: string[] = ((account as { secrets?: Array<{ name?: string }> } | undefined)?.secrets ?? [])
    .map(ref => ref.name ?? '')
    .filter(Boolean);
  const matches = [`${host}`, `https://${host}`, `http://${host}`, `git@${host}`];
  const secret = names
    .map(name => store.find(SECRETS, namespace, name))
    .filter((s): s is KubeObject => s !== undefined && (s as { type?: string }).type === 'kubernetes.io/basic-auth')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .find(s => matches.includes(s.metadata.annotations?.[KPACK_GIT_ANNOTATION] ?? ''));
  if (!secret) return undefined;
  return { username: secretValue(secret, 'username') ?? '', password: secretValue(secret, 'password') ?? '' };
}

/** Argo CD's `git.NormalizeGitURL` for http(s) URLs: lower case, no trailing slash, no `.git`. */
function normalizeGitUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

function secretsOfType(store: KubeStore, argoNamespace: string, type: 'repository' | 'repo-creds'): KubeObject[] {
  return store.list(SECRETS, argoNamespace).filter(s => s.metadata.labels?.[ARGOCD_SECRET_TYPE_LABEL] === type);
}

/**
 * The credential Argo CD reads an Application's repository with (argo-cd util/db/repository_secrets.go
 * `getRepositorySecret` and `getRepositoryCredentialIndex`): a `repository` Secret whose `url` is the
 * same URL and whose `project` is the Application's project, else one with no `project`; a Secret
 * scoped to another project is never used. A repository Secret without a username takes them from
 * the `repo-creds` Secret with the longest matching URL prefix. Undefined: read anonymously.
 */
export function argoCdRepositoryCredential(store: KubeStore, argoNamespace: string, repoUrl: string, project: string): GitBasicAuth | undefined {
  const wanted = normalizeGitUrl(repoUrl);
  const same = secretsOfType(store, argoNamespace, 'repository').filter(s => normalizeGitUrl(secretValue(s, 'url') ?? '') === wanted);
  const repository =
    same.find(s => (secretValue(s, 'project') ?? '') === project) ?? same.find(s => !secretValue(s, 'project'));
  if (repository && secretValue(repository, 'username') !== undefined) {
    return { username: secretValue(repository, 'username') ?? '', password: secretValue(repository, 'password') ?? '' };
  }
  let best: { creds: KubeObject; length: number } | undefined;
  for (const creds of secretsOfType(store, argoNamespace, 'repo-creds')) {
    const prefix = normalizeGitUrl(secretValue(creds, 'url') ?? '');
    if (prefix && wanted.startsWith(prefix) && prefix.length > (best?.length ?? 0)) best = { creds, length: prefix.length };
  }
  if (!best) return undefined;
  return { username: secretValue(best.creds, 'username') ?? '', password: secretValue(best.creds, 'password') ?? '' };
}

/** What the git host answered a ref listing: readable, or refused with its status and words. */
export type GitReadAnswer = { readable: true } | { readable: false; status: number; message: string };

/**
 * Whether an emulated host serves the repository. Tests may create one straight in the
 * emulator's git store (`emulator.git.create`) that no host lists; the controllers read those
 * without a credential, as before. The emulated GitHub installs its protection hook into every
 * repository it serves; Azure DevOps creates each of its own.
 */
export async function servedByHost(git: GitRepositories, repository: string): Promise<boolean> {
  if (!repository.startsWith('github/')) return true;
  return access(join(git.pathOf(repository), 'hooks', 'pre-receive')).then(
    () => true,
    () => false,
  );
}

/**
 * Lists a repository's refs on the emulated git host as `git ls-remote` does (GET
 * `info/refs?service=git-upload-pack`), with the credential or anonymously, so the host's own
 * rules decide: a public GitHub repository needs none; a private one, and every Azure DevOps one,
 * needs a token the host accepts. The emulator talks to itself here, so its own certificate is trusted.
 */
export function gitReadAccess(url: string, credential: GitBasicAuth | undefined): Promise<GitReadAnswer> {
  const target = new URL(`${url.replace(/\/+$/, '')}/info/refs?service=git-upload-pack`);
  const headers: Record<string, string> = {
    'User-Agent': EMULATED_CONTROLLER_USER_AGENT,
    ...(credential ? { Authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}` } : {}),
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise(resolve => {
    const req = send(target, { method: 'GET', headers, rejectUnauthorized: false, timeout: 30_000 }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        if (res.statusCode !== 200) chunks.push(chunk);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve(status === 200 ? { readable: true } : { readable: false, status, message: Buffer.concat(chunks).toString('utf8').trim() });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', error => resolve({ readable: false, status: 0, message: error.message }));
    req.end();
  });
}

/**
 * How go-git, which kpack and Argo CD list refs with, words a refused listing
 * (go-git plumbing/transport `ErrAuthenticationRequired`, `ErrAuthorizationFailed`, `ErrRepositoryNotFound`).
 */
export function goGitListError(answer: Exclude<GitReadAnswer, { readable: true }>): string {
  const detail = answer.message ? `: ${answer.message.split('\n')[0]}` : '';
  if (answer.status === 401) return `authentication required${detail}`;
  if (answer.status === 403) return `authorization failed${detail}`;
  if (answer.status === 404) return 'repository not found';
  return answer.message || `unexpected client error: unexpected requesting status code ${answer.status}`;
}

/**
 * Why kpack's build pod could not fetch a Build's source with its service account's git
 * Secrets (kpack pkg/git/fetch.go wraps go-git's error), or undefined when the host lets it read.
 */
export async function kpackFetchRefused(store: KubeStore, git: GitRepositories, repository: string, build: KubeObject): Promise<string | undefined> {
  const url: string | undefined = build.spec?.source?.git?.url;
  if (!url || !(await servedByHost(git, repository))) return undefined;
  const credential = kpackGitCredential(store, build.metadata.namespace!, build.spec?.serviceAccountName ?? 'default', url);
  const answer = await gitReadAccess(url, credential);
  return answer.readable ? undefined : `unable to fetch references for repository: ${goGitListError(answer)}`;
}

/**
 * Why Argo CD's repo server could not list an Application's repository with the credential its
 * repository Secrets give (the ComparisonError argo-cd controller/state.go reports, the repo
 * server's `failed to list refs` of util/git/client.go), or undefined when the host lets it read.
 */
export async function argoCdListRefused(store: KubeStore, git: GitRepositories, repository: string, app: KubeObject): Promise<string | undefined> {
  const url: string | undefined = app.spec?.source?.repoURL;
  if (!url || !(await servedByHost(git, repository))) return undefined;
  const credential = argoCdRepositoryCredential(store, app.metadata.namespace!, url, app.spec?.project ?? 'default');
  const answer = await gitReadAccess(url, credential);
  if (answer.readable) return undefined;
  return `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: ${goGitListError(answer)}`;
}
