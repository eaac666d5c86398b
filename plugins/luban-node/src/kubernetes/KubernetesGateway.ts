import type { Writable } from 'node:stream';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  Log,
  Watch,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { networkErrorMessage, upstreamError } from '../errors';
import { kubeConfigFor, type LubanCluster } from './clusters';
import { KubernetesRequestError, KubernetesRestClient } from './KubernetesRestClient';
import {
  KPACK,
  SOURCE_RESOLVE_REQUESTED_ANNOTATION,
  buildsOfImageSelector,
  cancelledBuildStatus,
  sourceResolverNameOf,
  toKpackBuild,
  type KpackBuild,
} from './kpack';
import { toArgoCdApplication, type ArgoCdApplicationState } from './argocd';

/**
 * What an apply did: created the object, updated it to match, or found it
 * already as asked.
 * @public
 */
export type ApplyResult = 'created' | 'updated' | 'unchanged';

/**
 * An object as applied (or, in a dry run, as it would be).
 * @public
 */
export interface AppliedObject<T extends KubernetesObject = KubernetesObject> {
  result: ApplyResult;
  object: T;
}

/**
 * Options of {@link KubernetesGateway.apply}.
 * @public
 */
export interface ApplyOptions {
  /** Read only, report what would happen. */
  dryRun?: boolean;
  /**
   * A label that marks who owns the object. An existing object without it,
   * or with another value, is not changed: the apply fails with a message
   * that names the owner.
   */
  owner?: { label: string; value: string };
}

/** How many times a write that lost a resourceVersion race is re-read and retried. */
const MAX_CONFLICT_RETRIES = 5;

function describe(object: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  const where = object.metadata?.namespace ? ` in namespace '${object.metadata.namespace}'` : '';
  return `${object.kind} '${object.metadata?.name}'${where}`;
}

/** Whether everything `desired` sets is set the same way in `live` (server-added fields do not count). */
function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && desired.length === live.length && desired.every((item, i) => isSubset(item, live[i]));
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof live !== 'object' || live === null) return false;
    return Object.entries(desired).every(([key, value]) => isSubset(value, (live as Record<string, unknown>)[key]));
  }
  return desired === live;
}

/** `live` with every field `desired` sets replaced by the desired value (objects merged, lists replaced). */
function overlay(live: unknown, desired: unknown): unknown {
  if (typeof desired !== 'object' || desired === null || Array.isArray(desired)) return desired;
  const base = typeof live === 'object' && live !== null && !Array.isArray(live) ? { ...(live as object) } : {};
  for (const [key, value] of Object.entries(desired)) {
    (base as Record<string, unknown>)[key] = overlay((base as Record<string, unknown>)[key], value);
  }
  return base;
}

function statusOf(error: unknown): { code?: number; reason?: string; message?: string } {
  if (error instanceof KubernetesRequestError) {
    return { code: error.code, reason: error.status?.reason, message: error.status?.message };
  }
  return {};
}

/**
 * The reference part of a Kubernetes object: enough to address it.
 * @public
 */
export type ObjectRef = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/**
 * luban's access to one Kubernetes cluster: idempotent applies with
 * ownership checks and compare-and-set retries, typed kpack and Argo CD
 * operations, watches and pod logs. Errors are `@backstage/errors` types
 * that name the cluster and the object; credentials never appear in them.
 * @public
 */
export class KubernetesGateway {
  private readonly kc: KubeConfig;
  private readonly rest: KubernetesRestClient;

  constructor(
    readonly cluster: LubanCluster,
    options: { requestTimeoutMs?: number } = {},
  ) {
    this.kc = kubeConfigFor(cluster);
    this.rest = new KubernetesRestClient(this.kc, options.requestTimeoutMs);
  }

  private async pathOf(ref: ObjectRef, withName = true): Promise<string> {
    return this.rest.pathOf(ref.apiVersion, ref.kind, ref.metadata.namespace, withName ? ref.metadata.name : undefined);
  }

  /** The cluster's name, as configured. */
  get clusterName(): string {
    return this.cluster.name;
  }

  private fail(error: unknown, action: string): never {
    const status = statusOf(error);
    const system = `Kubernetes cluster '${this.cluster.name}'`;
    if (status.code === undefined) {
      throw upstreamError(undefined, networkErrorMessage(error), { system, action });
    }
    throw upstreamError(status.code, status.message, { system, action });
  }

  /** Reads an object; undefined when it does not exist. */
  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.rest.request<T>('GET', await this.pathOf(ref));
    } catch (error) {
      if (statusOf(error).code === 404) return undefined;
      return this.fail(error, `read ${describe(ref)}`);
    }
  }

  /** Lists objects of a kind with the list's resourceVersion, to watch from it. */
  async listWithVersion<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    try {
      const path = await this.rest.pathOf(apiVersion, kind, options.namespace);
      const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
      const list = await this.rest.request<{ items: T[]; metadata: { resourceVersion: string } }>('GET', `${path}${query}`);
      // Lists of built-in types leave kind and apiVersion off their items.
      return { items: list.items.map(item => ({ apiVersion, kind, ...item })), resourceVersion: list.metadata.resourceVersion };
    } catch (error) {
      return this.fail(error, `list ${kind} objects${options.namespace ? ` in namespace '${options.namespace}'` : ''}`);
    }
  }

  /**
   * Lists a collection by its REST path (e.g. `/apis/kpack.io/v1alpha2/builds`),
   * with the list's resourceVersion to watch from. Unlike
   * {@link KubernetesGateway.listWithVersion}, it needs no discovery request.
   */
  async listAt<T extends KubernetesObject>(
    path: string,
    type: { apiVersion: string; kind: string },
    options: { labelSelector?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    try {
      const query = options.labelSelector ? `?labelSelector=${encodeURIComponent(options.labelSelector)}` : '';
      const list = await this.rest.request<{ items: T[]; metadata: { resourceVersion: string } }>('GET', `${path}${query}`);
      return { items: list.items.map(item => ({ ...type, ...item })), resourceVersion: list.metadata.resourceVersion };
    } catch (error) {
      return this.fail(error, `list ${type.kind} objects at ${path}`);
    }
  }

  /** Lists objects of a kind, optionally in one namespace and by label selector. */
  async list<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string } = {},
  ): Promise<T[]> {
    return (await this.listWithVersion<T>(apiVersion, kind, options)).items;
  }

  private checkOwner(live: KubernetesObject, desired: KubernetesObject, owner: ApplyOptions['owner']) {
    if (!owner) return;
    const actual = live.metadata?.labels?.[owner.label];
    if (actual === owner.value) return;
    throw new ConflictError(
      actual === undefined
        ? `${describe(desired)} already exists in Kubernetes cluster '${this.cluster.name}' but was not created by luban (it has no label ${owner.label}); label it ${owner.label}=${owner.value} to let luban manage it, or choose another name`
        : `${describe(desired)} already exists in Kubernetes cluster '${this.cluster.name}' and belongs to ${owner.label}=${actual}, not ${owner.value}; luban will not change it`,
    );
  }

  /**
   * Creates the object if it is absent, updates it if it differs from what
   * is asked, and otherwise leaves it alone. Lost resourceVersion races are
   * re-read and retried.
   */
  async apply<T extends KubernetesObject>(desired: T, options: ApplyOptions = {}): Promise<AppliedObject<T>> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.get<T>(desired as ObjectRef);
      if (!live) {
        if (options.dryRun) return { result: 'created', object: desired };
        try {
          const created = await this.rest.request<T>('POST', await this.pathOf(desired as ObjectRef, false), desired);
          return { result: 'created', object: created };
        } catch (error) {
          // Someone created it between our read and our create: compare with theirs.
          if (statusOf(error).reason === 'AlreadyExists' && attempt < MAX_CONFLICT_RETRIES) continue;
          return this.fail(error, `create ${describe(desired)}`);
        }
      }
      this.checkOwner(live, desired, options.owner);
      const { metadata: desiredMetadata, ...desiredRest } = desired;
      const matches =
        isSubset(desiredRest, live) &&
        isSubset(desiredMetadata?.labels ?? {}, live.metadata?.labels ?? {}) &&
        isSubset(desiredMetadata?.annotations ?? {}, live.metadata?.annotations ?? {});
      if (matches) return { result: 'unchanged', object: live };
      const next = overlay(live, { ...desiredRest, metadata: { labels: desiredMetadata?.labels, annotations: desiredMetadata?.annotations } }) as T;
      if (options.dryRun) return { result: 'updated', object: next };
      try {
        return { result: 'updated', object: await this.rest.request<T>('PUT', await this.pathOf(next as ObjectRef), next) };
      } catch (error) {
        if (statusOf(error).reason === 'Conflict' && attempt < MAX_CONFLICT_RETRIES) continue;
        return this.fail(error, `update ${describe(desired)}`);
      }
    }
  }

  /** Applies a JSON merge patch (RFC 7386) to an object. */
  async mergePatch<T extends KubernetesObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    try {
      return await this.rest.request<T>('PATCH', await this.pathOf(ref), patch, 'application/merge-patch+json');
    } catch (error) {
      return this.fail(error, `patch ${describe(ref)}`);
    }
  }

  /** The Builds of a kpack Image, newest first. */
  async listBuilds(namespace: string, image: string): Promise<KpackBuild[]> {
    const builds = await this.list(KPACK.apiVersion, 'Build', {
      namespace,
      labelSelector: buildsOfImageSelector(image),
    });
    return builds.map(b => toKpackBuild(b)).sort((a, b) => b.number - a.number);
  }

  /** An Argo CD Application's sync, health, images and history; undefined when absent. */
  async getApplication(namespace: string, name: string): Promise<ArgoCdApplicationState | undefined> {
    const app = await this.get<KubernetesObject>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace } });
    return app ? toArgoCdApplication(app) : undefined;
  }

  /**
   * Asks kpack for a new build of an Image, as `kp image trigger` does: the
   * latest Build gets the `additionalBuildNeeded` annotation. kpack rebuilds
   * the commit it last resolved, not a newer one pushed since: for a push,
   * use {@link KubernetesGateway.resolveSourceNow}.
   *
   * Idempotent while the asked-for build is not done: when the latest Build
   * still carries the annotation (kpack has not acted on it yet) or is a
   * TRIGGER build still running, that is the rebuild, and nothing is
   * written. A caller who retries after the answer to its patch was lost
   * (the patch was applied) so gets one build, not two.
   */
  async triggerBuild(namespace: string, image: string): Promise<{ triggeredFrom: string }> {
    const objects = await this.list(KPACK.apiVersion, 'Build', { namespace, labelSelector: buildsOfImageSelector(image) });
    const builds = objects.map(object => ({ object, build: toKpackBuild(object) })).sort((a, b) => b.build.number - a.build.number);
    const [latest, previous] = builds.map(b => b.build);
    if (!latest) {
      throw new NotFoundError(
        `kpack Image '${image}' in namespace '${namespace}' of Kubernetes cluster '${this.cluster.name}' has no build yet to trigger from`,
      );
    }
    if (builds[0].object.metadata?.annotations?.[KPACK.additionalBuildNeededAnnotation]) {
      return { triggeredFrom: latest.name };
    }
    if (latest.status === 'running' && latest.reasons.includes('TRIGGER') && previous) {
      return { triggeredFrom: previous.name };
    }
    await this.mergePatch(
      { apiVersion: KPACK.apiVersion, kind: 'Build', metadata: { name: latest.name, namespace } },
      { metadata: { annotations: { [KPACK.additionalBuildNeededAnnotation]: new Date().toISOString() } } },
    );
    return { triggeredFrom: latest.name };
  }

  /**
   * Stops a running kpack Build, which kpack cannot do itself (kpack issue
   * #245). Deleting the Build would not do: kpack's Image reconciler
   * (pkg/reconciler/image/build_needed.go) would find the previous Build's
   * commit behind the source and build the same commit again at once, and
   * the paper trail would be gone. So the Build is marked finished first
   * ({@link cancelledBuildStatus}: kpack's Build reconciler leaves a finished
   * Build alone, pkg/reconciler/build/build.go), then its pod is deleted,
   * which stops the work. A ConflictError when the Build is no longer running.
   */
  async cancelBuild(namespace: string, name: string, cancelledBy: string): Promise<KpackBuild> {
    const ref = { apiVersion: KPACK.apiVersion, kind: 'Build', metadata: { name, namespace } };
    const object = await this.get(ref);
    if (!object) throw new NotFoundError(`kpack Build '${name}' in namespace '${namespace}' of Kubernetes cluster '${this.cluster.name}' does not exist`);
    const build = toKpackBuild(object);
    if (build.status !== 'running') {
      throw new ConflictError(`kpack Build '${name}' is not running: it ${build.status === 'cancelled' ? 'was cancelled' : build.status}`);
    }
    const patched = await this.mergePatchAt<KubernetesObject>(ref, 'status', { status: cancelledBuildStatus(cancelledBy) });
    await this.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: build.podName ?? `${name}-build-pod`, namespace } });
    return toKpackBuild(patched);
  }

  /**
   * Starts a sync of an Argo CD Application as Argo CD's API does
   * (server/application/application.go `Sync`): sets the Application's
   * `operation` to sync `revision`, initiated by `username`, which the
   * application controller then runs (controller/appcontroller.go). A
   * ConflictError while another operation is in progress, as Argo CD answers.
   */
  async syncApplication(namespace: string, name: string, options: { revision: string; username: string }): Promise<void> {
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace } };
    const app = await this.get<KubernetesObject & { operation?: unknown; status?: any }>(ref);
    if (!app) throw new NotFoundError(`There is no Argo CD application ${name} in namespace '${namespace}' of Kubernetes cluster '${this.cluster.name}'`);
    if (app.operation || app.status?.operationState?.phase === 'Running') {
      throw new ConflictError(`Argo CD application ${name}: another operation is already in progress`);
    }
    await this.mergePatch(ref, { operation: { sync: { revision: options.revision }, initiatedBy: { username: options.username } } });
  }

  /** Deletes an object; false when it was gone already. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.rest.request('DELETE', await this.pathOf(ref));
      return true;
    } catch (error) {
      if (statusOf(error).code === 404) return false;
      return this.fail(error, `delete ${describe(ref)}`);
    }
  }

  /** A JSON merge patch of a subresource (`status`) of an object. */
  private async mergePatchAt<T extends KubernetesObject>(ref: ObjectRef, subresource: string, patch: Record<string, unknown>): Promise<T> {
    try {
      return await this.rest.request<T>('PATCH', `${await this.pathOf(ref)}/${subresource}`, patch, 'application/merge-patch+json');
    } catch (error) {
      return this.fail(error, `patch the ${subresource} of ${describe(ref)}`);
    }
  }

  /**
   * Makes kpack resolve an Image's source now rather than at its next poll
   * (once a minute): annotates the Image's SourceResolver, a change kpack
   * resolves at once. A newly pushed commit on the Image's branch is then
   * built (reason COMMIT). Needs `patch` on `sourceresolvers.kpack.io` in the
   * Image's namespace; a NotFoundError when kpack has not made the resolver
   * yet (it resolves the branch when it makes it).
   */
  async resolveSourceNow(namespace: string, image: string): Promise<{ sourceResolver: string }> {
    const sourceResolver = sourceResolverNameOf(image);
    await this.mergePatch(
      { apiVersion: KPACK.apiVersion, kind: 'SourceResolver', metadata: { name: sourceResolver, namespace } },
      { metadata: { annotations: { [SOURCE_RESOLVE_REQUESTED_ANNOTATION]: new Date().toISOString() } } },
    );
    return { sourceResolver };
  }

  /**
   * Watches a collection path (e.g. `/apis/kpack.io/v1alpha2/builds`) from a
   * resourceVersion. `done` receives the error that ended the watch (a 410
   * Gone arrives as an ERROR event with code 410).
   */
  async watch(
    path: string,
    query: { resourceVersion?: string; labelSelector?: string; allowWatchBookmarks?: boolean },
    onEvent: (type: string, object: KubernetesObject) => void,
    done: (error?: unknown) => void,
  ): Promise<{ abort(): void }> {
    return new Watch(this.kc).watch(path, query, onEvent, done);
  }

  /** Streams one container's log into `output`; resolves when the stream ends. */
  async streamPodLog(
    namespace: string,
    pod: string,
    container: string,
    output: Writable,
    options: { follow?: boolean } = {},
  ): Promise<{ abort(): void }> {
    try {
      return await new Log(this.kc).log(namespace, pod, container, output, { follow: options.follow ?? false });
    } catch (error) {
      return this.fail(error, `read the log of container '${container}' of pod '${pod}' in namespace '${namespace}'`);
    }
  }
}
