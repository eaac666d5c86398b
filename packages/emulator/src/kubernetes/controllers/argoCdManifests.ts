import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { GitRepositories } from '../../git/GitRepositories';
import { runGitOk } from '../../git/runGit';
import { RESOURCE_TYPES, type ResourceType } from '../resources';
import type { KubeObject, KubeStore } from '../state';
import { argoCdListRefused } from './gitCredentials';
import { applyKustomizeOverrides, type ArgoCdKustomize } from './argoCdKustomize';

/**
 * What Argo CD's repo server and diffing do for the emulated controller:
 * render an Application's source with `kubectl kustomize`, find the images
 * of workloads, and compare a rendered object with the live one.
 */

/** Kinds whose pods run images (their health depends on the images being in the registry). */
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']);

/** An Application's source rendered at a revision. */
export interface Rendered {
  revision: string;
  objects: KubeObject[];
  images: string[];
}

/** The resource type of a rendered object, when the emulated cluster serves it. */
export function typeOfObject(object: KubeObject): ResourceType | undefined {
  const [group, version] = object.apiVersion?.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  return RESOURCE_TYPES.find(t => t.group === group && t.version === version && t.kind === object.kind);
}

/** The container images of a workload object (pod template or pod spec). */
function imagesOf(object: KubeObject): string[] {
  let podSpec = object.spec?.template?.spec;
  if (object.kind === 'Pod') podSpec = object.spec;
  if (object.kind === 'CronJob') podSpec = object.spec?.jobTemplate?.spec?.template?.spec;
  return [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]
    .map((c: { image?: string }) => c.image)
    .filter((image: string | undefined): image is string => Boolean(image));
}

/** `repo@sha256:…`, `repo:tag` or `repo` (tag `latest`); a registry host may carry a port. */
export function splitImageReference(image: string): { repository: string; reference: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { repository: image.slice(0, at), reference: image.slice(at + 1) };
  const colon = image.indexOf(':', image.lastIndexOf('/') + 1);
  if (colon >= 0) return { repository: image.slice(0, colon), reference: image.slice(colon + 1) };
  return { repository: image, reference: 'latest' };
}

/**
 * Whether everything the rendered manifest sets is set the same way live.
 * Fields the API server adds (defaults, its own labels) do not count as drift.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((item, i) => isSubset(item, live[i]));
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof live !== 'object' || live === null) return false;
    return Object.entries(desired).every(([key, value]) => isSubset(value, (live as Record<string, unknown>)[key]));
  }
  return desired === live;
}

/** Renders done, by commit and source path; a commit id names its content, so an entry never goes stale. */
const renderedByCommit = new Map<string, Rendered>();
const RENDER_CACHE_SIZE = 1000;

/**
 * Renders an Application's source path from the emulated git host, as Argo CD's repo server does:
 * at `revision` (the commit last read) or, without one, at its target revision resolved now;
 * the repository is read with the credential Argo CD's repository Secrets in `store` give.
 */
export async function renderApplication(
  git: GitRepositories,
  repositoryForUrl: (url: string) => string | undefined,
  app: KubeObject,
  revision: string | undefined,
  store: KubeStore,
): Promise<Rendered> {
  const source = app.spec?.source ?? {};
  const repository = source.repoURL ? repositoryForUrl(source.repoURL) : undefined;
  if (!repository || !(await git.exists(repository))) {
    throw new Error(`rpc error: code = Unknown desc = repository not found: ${source.repoURL}`);
  }
  // The repo server lists the remote's refs with the Application's repository credential first.
  const refused = await argoCdListRefused(store, git, repository, app);
  if (refused) throw new Error(refused);
  const target = revision ?? (!source.targetRevision || source.targetRevision === 'HEAD'
    ? await git.defaultBranch(repository)
    : source.targetRevision);
  const commit = await git.resolve(repository, target);
  if (!commit) {
    throw new Error(`rpc error: code = Unknown desc = unable to resolve '${target}' to a commit SHA`);
  }
  // Argo CD's repo server caches generated manifests by revision (reposerver/repository/repository.go,
  // GenerateManifest and its manifest cache): a commit renders the same every time, so it is rendered once.
  // The Application's kustomize overrides change what renders, so they are part of the key.
  const key = `${commit}\0${source.path ?? '.'}\0${JSON.stringify(source.kustomize ?? {})}`;
  const cached = renderedByCommit.get(key);
  if (cached) return structuredClone(cached);
  const rendered = await renderCommit(git, repository, commit, source.path, source.kustomize);
  renderedByCommit.set(key, rendered);
  if (renderedByCommit.size > RENDER_CACHE_SIZE) renderedByCommit.delete(renderedByCommit.keys().next().value!);
  return structuredClone(rendered);
}

/** Writes the commit's files to a scratch directory and runs `kubectl kustomize` on the source path. */
async function renderCommit(
  git: GitRepositories,
  repository: string,
  commit: string,
  sourcePath: string | undefined,
  kustomize?: ArgoCdKustomize,
): Promise<Rendered> {
  const dir = await mkdtemp(join(tmpdir(), 'luban-argocd-'));
  try {
    // The commit's files, written by one git process (with an index of its own: the bare repository has none).
    const tree = join(dir, 'tree');
    await mkdir(tree);
    await runGitOk(git.pathOf(repository), ['--work-tree', tree, 'checkout', commit, '--', '.'], {
      // HOME too: no one's ~/.gitconfig (a filter, an eol rule) changes what the repo server sees.
      env: { GIT_INDEX_FILE: join(dir, 'index'), HOME: dir },
    });
    const appPath = join(tree, sourcePath ?? '.');
    await applyKustomizeOverrides(appPath, kustomize);
    let output: string;
    try {
      output = (await promisify(execFile)('kubectl', ['kustomize', appPath], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`rpc error: code = Unknown desc = \`kustomize build ${sourcePath}\` failed exit status 1: ${stderr.trim()}`);
    }
    const objects = parseAllDocuments(output)
      .map(doc => doc.toJS() as KubeObject)
      .filter(o => o && o.kind);
    const images = [...new Set(objects.filter(o => WORKLOAD_KINDS.has(o.kind!)).flatMap(imagesOf))];
    return { revision: commit, objects, images };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
