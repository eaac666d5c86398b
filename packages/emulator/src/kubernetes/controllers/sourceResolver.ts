import type { GitRepositories } from '../../git/GitRepositories';
import { findResourceType } from '../resources';
import { gitReadAccess, kpackGitCredential, servedByHost } from './gitCredentials';
import type { KubeObject, KubeStore, StoreEvent } from '../state';

/** kpack's SourceResolver: the object that turns an Image's branch into the commit its builds use. */
export const SOURCE_RESOLVERS = findResourceType('kpack.io', 'v1alpha2', 'sourceresolvers')!;

/**
 * How often kpack re-resolves a branch: `SourcePollingFrequency` in kpack's
 * cmd/controller/main.go (the enqueuer in pkg/reconciler/sourceresolver/enqueuer.go
 * re-queues each pollable SourceResolver one minute after it resolved it).
 */
export const DEFAULT_SOURCE_POLL_MS = 60_000;

/** What kpack's git resolver calls the revision it resolved (kpack pkg/apis/core/v1alpha1/source_types.go). */
type GitSourceKind = 'Branch' | 'Tag' | 'Commit' | 'Unknown';

/** `status.source.git` of a SourceResolver. */
export interface ResolvedGitSource {
  url: string;
  revision: string;
  type: GitSourceKind;
  subPath?: string;
}

/** The name of an Image's SourceResolver (kpack image_builds.go `SourceResolverName`). */
export function sourceResolverNameOf(image: string): string {
  return `${image}-source`;
}

/** The SourceResolver kpack's Image reconciler keeps for an Image (kpack image_builds.go `SourceResolver()`). */
export function desiredSourceResolver(image: KubeObject): KubeObject {
  const { name, namespace, uid, labels } = image.metadata;
  return {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'SourceResolver',
    metadata: {
      name: sourceResolverNameOf(name),
      namespace,
      labels: labels ?? {},
      ownerReferences: [{ apiVersion: 'kpack.io/v1alpha2', kind: 'Image', name, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { serviceAccountName: image.spec?.serviceAccountName ?? 'default', source: image.spec?.source ?? {} },
  };
}

/**
 * Creates the Image's SourceResolver, or brings its spec and labels back to
 * what the Image asks (kpack pkg/reconciler/image/image.go `reconcileSourceResolver`:
 * annotations are left alone, which is why annotating it is a safe way to make kpack resolve now).
 */
export function ensureSourceResolver(store: KubeStore, image: KubeObject): KubeObject {
  const desired = desiredSourceResolver(image);
  const namespace = image.metadata.namespace!;
  const current = store.find(SOURCE_RESOLVERS, namespace, desired.metadata.name);
  if (!current) return store.create(SOURCE_RESOLVERS, namespace, desired);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
  if (same(current.spec, desired.spec) && same(current.metadata.labels, desired.metadata.labels)) return current;
  return store.update(SOURCE_RESOLVERS, namespace, current.metadata.name, {
    ...current,
    metadata: { ...current.metadata, labels: desired.metadata.labels },
    spec: desired.spec,
  });
}

/** Whether kpack may build from the resolver: resolved, for its current spec (kpack source_resolver.go `Ready()`). */
export function isSourceResolverReady(resolver: KubeObject): boolean {
  const ready = (resolver.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  return ready?.status === 'True' && resolver.status?.observedGeneration === resolver.metadata.generation;
}

/** The source a Build gets from a ready resolver (kpack `ResolvedGitSource.SourceConfig()`). */
export function resolvedSourceOf(resolver: KubeObject): { git: { url: string; revision: string }; subPath?: string } {
  const git: ResolvedGitSource = resolver.status.source.git;
  return { git: { url: git.url, revision: git.revision }, ...(git.subPath ? { subPath: git.subPath } : {}) };
}

export interface SourceResolversOptions {
  store: KubeStore;
  git: GitRepositories;
  /** Maps a git URL of an emulated host to a repository path, if it is one. */
  repositoryForUrl(url: string): string | undefined;
  /** How long after a resolve a branch is resolved again. */
  pollMs: number;
  /** Runs a resolve on the controller's work queue (so that `settled()` waits for it). */
  enqueue(key: string, work: () => Promise<void>): void;
}

/**
 * kpack's SourceResolver reconciler (pkg/reconciler/sourceresolver/sourceresolver.go):
 * a resolver is resolved when it is created or changed in any way (its
 * informer enqueues every update, an annotation included), and a pollable
 * one (a branch or tag) again `pollMs` after each resolve. Pending polls are
 * timers, not queued work: `settled()` does not wait for them.
 */
export class SourceResolvers {
  private readonly polls = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: SourceResolversOptions) {}

  /** Reacts to a store change of a SourceResolver. */
  onStoreEvent(event: StoreEvent) {
    const { namespace, name, deletionTimestamp } = event.object.metadata;
    if (event.type === 'DELETED') {
      this.cancelPoll(`${namespace}/${name}`);
    } else if (!deletionTimestamp) {
      this.enqueue(namespace!, name);
    }
  }

  /** Cancels every pending poll (the controller stopped, or the store was emptied). */
  cancelPolls() {
    for (const timer of this.polls.values()) clearTimeout(timer);
    this.polls.clear();
  }

  private cancelPoll(key: string) {
    clearTimeout(this.polls.get(key));
    this.polls.delete(key);
  }

  private enqueue(namespace: string, name: string) {
    this.options.enqueue(`sourceresolver:${namespace}/${name}`, () => this.resolve(namespace, name));
  }

  /** Re-queues a resolve after the polling delay; knative's delaying queue keeps the earlier of two waits for one key. */
  private schedulePoll(namespace: string, name: string) {
    const key = `${namespace}/${name}`;
    if (this.polls.has(key)) return;
    const timer = setTimeout(() => {
      this.polls.delete(key);
      this.enqueue(namespace, name);
    }, this.options.pollMs);
    timer.unref();
    this.polls.set(key, timer);
  }

  /**
   * As kpack's git resolver (pkg/git/resolver.go, remote_git_resolver.go): list the remote's refs with the
   * credential the service account's git Secrets give (k8s_git_keychain.go), and match the revision's
   * short name. A listing the host refuses (a private repository, no or a wrong credential) is type Unknown.
   */
  private async resolveGit(resolver: KubeObject): Promise<ResolvedGitSource> {
    const source: { git: { url: string; revision?: string }; subPath?: string } = resolver.spec.source;
    const { url, revision = '' } = source.git;
    const subPath = source.subPath ? { subPath: source.subPath } : {};
    const repository = this.options.repositoryForUrl(url);
    const { namespace } = resolver.metadata;
    const credential = kpackGitCredential(this.options.store, namespace!, resolver.spec.serviceAccountName ?? 'default', url);
    const listed =
      repository && (!(await servedByHost(this.options.git, repository)) || (await gitReadAccess(url, credential)).readable);
    const refs = listed ? await this.options.git.refs(repository).catch(() => undefined) : undefined;
    if (!refs) return { url, revision, type: 'Unknown', ...subPath };
    const branch = refs.get(`refs/heads/${revision}`);
    if (branch) return { url, revision: branch, type: 'Branch', ...subPath };
    const tag = refs.get(`refs/tags/${revision}`);
    if (tag) return { url, revision: tag, type: 'Tag', ...subPath };
    // No ref of that name: kpack takes the revision for a commit (and does not poll it).
    return { url, revision, type: 'Commit', ...subPath };
  }

  private async resolve(namespace: string, name: string) {
    const { store } = this.options;
    const resolver = store.find(SOURCE_RESOLVERS, namespace, name);
    if (!resolver || resolver.metadata.deletionTimestamp || !resolver.spec?.source?.git) return;
    const resolved = await this.resolveGit(resolver);
    const current = store.find(SOURCE_RESOLVERS, namespace, name);
    // A change of spec while the remote was listed: the event it made queued a fresher resolve.
    if (!current || current.metadata.generation !== resolver.metadata.generation) return;
    const status = structuredClone(current.status ?? {});
    // kpack source_resolver.go `ResolvedSource`: an unreachable remote keeps what was resolved for this generation.
    if (resolved.type !== 'Unknown' || status.observedGeneration !== current.metadata.generation) {
      const pollable = resolved.type === 'Branch' || resolved.type === 'Tag';
      status.source = { git: resolved };
      status.conditions = [
        { type: 'Ready', status: 'True' },
        { type: 'ActivePolling', status: pollable ? 'True' : 'False' },
      ];
    }
    if ((status.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'ActivePolling' && c.status === 'True')) {
      this.schedulePoll(namespace, name);
    }
    status.observedGeneration = current.metadata.generation;
    // kpack writes the status only when it changed, so an unchanged resolve makes no event.
    if (JSON.stringify(status) !== JSON.stringify(current.status ?? {})) {
      store.update(SOURCE_RESOLVERS, namespace, name, { ...current, status }, { subresource: 'status' });
    }
  }
}
