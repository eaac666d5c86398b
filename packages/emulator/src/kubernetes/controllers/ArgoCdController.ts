import type { GitRepositories } from '../../git/GitRepositories';
import type { HarborApi } from '../../harbor/HarborApi';
import { findResourceType, RESOURCE_TYPES, type ResourceType } from '../resources';
import type { KubeObject, KubeStore, StoreEvent } from '../state';
import { kubeTime } from '../time';
import {
  isSubset,
  renderApplication,
  splitImageReference,
  typeOfObject,
  WORKLOAD_KINDS,
  type Rendered,
} from './argoCdManifests';
import { SerialQueues } from '../../serialQueues';
import { projectOf, refusedTasks, specConditions, type AppProjectSpec } from './argoCdProjects';
import { readsLatest, refreshRequested, RefreshTimers, withoutServedRefresh, type RefreshRequest } from './argoCdRefresh';

const APPLICATIONS = findResourceType('argoproj.io', 'v1alpha1', 'applications')!;
const NAMESPACES = findResourceType('', 'v1', 'namespaces')!;
const APP_PROJECTS = findResourceType('argoproj.io', 'v1alpha1', 'appprojects')!;

/** The finalizer that makes Argo CD delete an application's resources with it. */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
export { REFRESH_ANNOTATION } from './argoCdRefresh';
/** The label Argo CD tracks the resources of an application by. */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

const SELF_HEAL_TIMEOUT_MS = 5000;

export interface ArgoCdControllerOptions {
  store: KubeStore;
  git: GitRepositories;
  harbor: HarborApi;
  harborUrl: string;
  repositoryForUrl(url: string): string | undefined;
  /** How long an application stays Progressing after a sync, in ms (0 in tests). */
  progressMs: number;
  /** How often an application's git source is read again, in ms (Argo CD's `timeout.reconciliation`, 120 s). */
  reconcileMs: number;
  /** The most added at random to each period, in ms (`timeout.reconciliation.jitter`, 60 s). */
  reconcileJitterMs: number;
}

/** What one reconcile was asked to do beyond comparing. */
type Pass = { refresh?: RefreshRequest; project: { name: string; spec: AppProjectSpec } };

type ManagedResource = {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: 'Synced' | 'OutOfSync';
  health?: { status: string; message?: string };
};

function equalJson(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Emulates Argo CD's application controller: renders an Application's
 * source path from the emulated git host with `kubectl kustomize`, compares
 * it with the objects in the emulated cluster, syncs automatically or on a
 * requested operation, and reports health from whether the images exist in
 * the emulated Harbor.
 */
export class ArgoCdController {
  private readonly queues = new SerialQueues<string>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly refreshTimers: RefreshTimers;
  private stopped = false;

  constructor(private readonly options: ArgoCdControllerOptions) {
    // Git is not watched: like Argo CD without a webhook, a new commit is seen at the next periodic
    // refresh, or at once when the refresh annotation asks for it.
    this.refreshTimers = new RefreshTimers({
      reconcileMs: options.reconcileMs,
      jitterMs: options.reconcileJitterMs,
      onExpired: key => {
        const [namespace, name] = key.split('/');
        this.enqueue(namespace, name, true);
      },
    });
    this.unsubscribe.push(options.store.subscribe(event => this.onStoreEvent(event)));
  }

  /** Forgets the periodic refreshes of the Applications a reset removes. */
  reset() {
    this.refreshTimers.cancelAll();
  }

  stop() {
    this.stopped = true;
    for (const off of this.unsubscribe) off();
    for (const timer of this.timers) clearTimeout(timer);
    this.refreshTimers.stop();
  }

  /** Whether no reconcile is queued or running. */
  isIdle(): boolean {
    return this.queues.isIdle();
  }

  /** Resolves when every queued reconcile has finished (for tests). */
  async idle(): Promise<void> {
    await this.queues.idle();
  }

  /** Re-evaluates every application against the revision it last read (e.g. after an image was pushed). */
  resyncAll() {
    for (const app of this.options.store.list(APPLICATIONS)) {
      this.enqueue(app.metadata.namespace!, app.metadata.name);
    }
  }

  private enqueue(namespace: string, name: string, expired = false) {
    void this.queues.enqueue(`${namespace}/${name}`, () => (this.stopped ? undefined : this.reconcile(namespace, name, expired)));
  }

  private onStoreEvent(event: StoreEvent) {
    if (event.resourceType !== APPLICATIONS) return;
    const { namespace, name } = event.object.metadata;
    if (event.type !== 'DELETED') this.enqueue(namespace!, name);
    // An Application created again under the same name may already have its timer: keep that one.
    else if (!this.options.store.find(APPLICATIONS, namespace, name)) this.refreshTimers.cancel(`${namespace}/${name}`);
  }

  private writeStatus(app: KubeObject, status: Record<string, unknown>, extra: { removeOperation?: boolean; servedRefresh?: RefreshRequest } = {}) {
    const current = this.options.store.find(APPLICATIONS, app.metadata.namespace, app.metadata.name);
    if (!current) return;
    const next: KubeObject = { ...current, status: { ...current.status, ...status } };
    if (extra.removeOperation) delete next.operation;
    if (extra.servedRefresh) {
      next.metadata = { ...next.metadata, annotations: withoutServedRefresh(next.metadata.annotations, extra.servedRefresh) };
    }
    const material = (o: KubeObject) => ({ ...o, status: { ...o.status, reconciledAt: undefined } });
    if (equalJson(material(next), material(current))) return;
    next.status.reconciledAt = kubeTime();
    this.options.store.update(APPLICATIONS, app.metadata.namespace, app.metadata.name, next, { requireResourceVersion: false });
  }

  private destinationNamespace(app: KubeObject, object: KubeObject): string {
    return object.metadata?.namespace ?? app.spec?.destination?.namespace ?? 'default';
  }

  /** Compares rendered objects with the cluster: one entry per object. */
  private compare(app: KubeObject, rendered: Rendered): ManagedResource[] {
    return rendered.objects.map(object => {
      const type = typeOfObject(object);
      const namespace = type?.namespaced ? this.destinationNamespace(app, object) : '';
      const live = type ? this.options.store.find(type, namespace || undefined, object.metadata.name) : undefined;
      const { status: _status, metadata, ...desired } = object;
      const synced =
        live !== undefined &&
        isSubset(desired, live) &&
        isSubset(metadata.labels ?? {}, live.metadata.labels ?? {}) &&
        isSubset(metadata.annotations ?? {}, live.metadata.annotations ?? {});
      return {
        group: type?.group ?? object.apiVersion?.split('/')[0] ?? '',
        version: type?.version ?? '',
        kind: object.kind!,
        namespace,
        name: object.metadata.name,
        status: synced ? 'Synced' : 'OutOfSync',
      };
    });
  }

  private async reconcile(namespace: string, name: string, expired: boolean) {
    const app = this.options.store.find(APPLICATIONS, namespace, name);
    if (!app) return;
    if (app.metadata.deletionTimestamp) {
      await this.finalize(app);
      return;
    }
    const latest = readsLatest(app, expired);
    try {
      await this.refresh(app, latest);
    } finally {
      // The next periodic refresh counts from the end of this one (status.reconciledAt in Argo CD).
      if (latest) this.refreshTimers.schedule(`${namespace}/${name}`);
    }
  }

  /** Compares an Application with git (read again when `latest`), and syncs when it should. */
  private async refresh(app: KubeObject, latest: boolean) {
    const { store } = this.options;
    const namespace = app.metadata.namespace!;
    const refresh = refreshRequested(app);
    const project = projectOf(app, projectName => store.find(APP_PROJECTS, namespace, projectName));
    const invalid = specConditions(app, project);
    if (invalid.length > 0 || !project.spec) {
      this.refuse(app, invalid, refresh);
      return;
    }
    let rendered: Rendered;
    try {
      // A requested sync of a given revision syncs that revision (controller/sync.go: the operation's revision wins).
      const revision = app.operation?.sync?.revision || (latest ? undefined : app.status.sync.revision);
      rendered = await renderApplication(this.options.git, url => this.options.repositoryForUrl(url), app, revision, store);
    } catch (error) {
      this.writeStatus(
        app,
        {
          sync: { status: 'Unknown', comparedTo: { source: app.spec?.source, destination: app.spec?.destination } },
          health: { status: 'Unknown' },
          conditions: [this.condition(app, 'ComparisonError', (error as Error).message)],
        },
        { servedRefresh: refresh },
      );
      return;
    }
    const resources = this.compare(app, rendered);
    const outOfSync = resources.some(r => r.status === 'OutOfSync');
    const automated = app.spec?.syncPolicy?.automated && app.spec.syncPolicy.automated.enabled !== false;
    const requested = app.operation?.sync;
    const lastSynced = app.status?.operationState?.syncResult?.revision;
    const lastSyncAt = Date.parse(app.status?.operationState?.finishedAt ?? '') || 0;
    // Like Argo CD's --self-heal-timeout-seconds (5 s): drift is corrected, but not in a tight loop.
    const selfHeal =
      Boolean(app.spec?.syncPolicy?.automated?.selfHeal) && outOfSync && Date.now() - lastSyncAt >= SELF_HEAL_TIMEOUT_MS;
    const lastFailed = app.status?.operationState?.phase === 'Failed';
    if (requested || (automated && (lastSynced !== rendered.revision || (selfHeal && !lastFailed)))) {
      await this.sync(app, rendered, requested ? 'operation' : 'automated', { project: { name: project.name, spec: project.spec }, refresh });
      return;
    }
    // appcontroller.go autoSync: a failed automated sync is not retried at the same revision, and says so.
    const failedAutoSync = automated && lastFailed && lastSynced === rendered.revision;
    this.writeStatus(
      app,
      {
        sync: {
          status: outOfSync ? 'OutOfSync' : 'Synced',
          revision: rendered.revision,
          comparedTo: { source: app.spec?.source, destination: app.spec?.destination },
        },
        summary: { images: rendered.images },
        resources: resources.map(r => ({ ...r, health: this.healthOf(r, rendered) })),
        health: this.applicationHealth(app, rendered),
        conditions: failedAutoSync
          ? [this.condition(app, 'SyncError', `Failed last sync attempt to [${lastSynced}]: ${app.status.operationState.message}`)]
          : [],
      },
      { servedRefresh: refresh },
    );
  }

  /**
   * A condition that keeps the time it began. Rewritten on every attempt, the status write would wake
   * this controller again, and a busy one (each attempt crossing a second) would never rest.
   */
  private condition(app: KubeObject, type: string, message: string) {
    const since = (app.status?.conditions ?? []).find((c: { type?: string; message?: string }) => c.type === type && c.message === message)
      ?.lastTransitionTime;
    return { type, message, lastTransitionTime: since ?? kubeTime() };
  }

  /**
   * An Application its project does not admit (appcontroller.go refreshAppConditions): the
   * InvalidSpecError conditions, sync and health Unknown, nothing synced; a requested sync errs
   * with the conditions (sync.go SyncAppState).
   */
  private refuse(app: KubeObject, conditions: Array<{ type: string; message: string }>, refresh?: RefreshRequest) {
    const requested = Boolean(app.operation?.sync);
    const now = kubeTime();
    const failedOperation = {
      operation: app.operation,
      phase: 'Error',
      message: conditions.map(c => `${c.type}: ${c.message}`).join(';'),
      startedAt: now,
      finishedAt: now,
    };
    this.writeStatus(
      app,
      {
        sync: { ...app.status?.sync, status: 'Unknown' },
        health: { status: 'Unknown' },
        conditions: conditions.map(c => this.condition(app, c.type, c.message)),
        ...(requested ? { operationState: failedOperation } : {}),
      },
      { servedRefresh: refresh, removeOperation: requested },
    );
  }

  private healthOf(resource: ManagedResource, rendered: Rendered) {
    if (!WORKLOAD_KINDS.has(resource.kind)) return undefined;
    const missing = this.missingImages(rendered);
    return missing.length ? { status: 'Degraded', message: `image ${missing[0]} not found in the registry` } : { status: 'Healthy' };
  }

  private missingImages(rendered: Rendered): string[] {
    const harborHost = new URL(this.options.harborUrl).host;
    return rendered.images.filter(image => {
      const { repository: repo, reference } = splitImageReference(image);
      const [host, project, ...path] = repo.split('/');
      if (host !== harborHost) return false; // images from elsewhere are not checked
      return !project || path.length === 0 || !this.options.harbor.hasArtifact(project, path.join('/'), reference);
    });
  }

  private applicationHealth(app: KubeObject, rendered: Rendered) {
    const current = app.status?.health?.status;
    if (current === 'Progressing' && app.status?.operationState?.syncResult?.revision === rendered.revision) {
      return app.status.health; // still rolling out; the timer settles it
    }
    const missing = this.missingImages(rendered);
    return missing.length
      ? { status: 'Degraded', message: `Deployment has image ${missing[0]} which is not in the registry (ImagePullBackOff)` }
      : { status: 'Healthy' };
  }

  private async sync(app: KubeObject, rendered: Rendered, trigger: 'automated' | 'operation', pass: Pass) {
    const { store } = this.options;
    const refused = refusedTasks(app, rendered.objects, pass.project);
    const startedAt = kubeTime();
    const prune = trigger === 'automated' ? Boolean(app.spec.syncPolicy?.automated?.prune) : Boolean(app.operation?.sync?.prune);
    const createNamespace = (app.spec.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true');
    const initiatedBy = trigger === 'automated' ? { automated: true } : (app.operation?.initiatedBy ?? { username: 'admin' });
    const results: Array<Record<string, unknown>> = [];
    let failure: string | undefined = refused;
    const destination = app.spec?.destination?.namespace;
    if (!failure && destination && !store.find(NAMESPACES, undefined, destination)) {
      if (createNamespace) store.create(NAMESPACES, undefined, { metadata: { name: destination } });
      else failure = `namespaces "${destination}" not found`;
    }
    for (const object of failure ? [] : rendered.objects) {
      const type = typeOfObject(object);
      const namespace = type?.namespaced ? this.destinationNamespace(app, object) : undefined;
      if (!type) {
        failure = `The Kubernetes API could not find ${object.apiVersion}/${object.kind} for requested resource ${namespace ?? ''}/${object.metadata.name}. Make sure the "${object.kind}" CRD is installed on the destination cluster.`;
        break;
      }
      const desired: KubeObject = {
        ...object,
        metadata: { ...object.metadata, namespace, labels: { ...object.metadata.labels, [INSTANCE_LABEL]: app.metadata.name } },
      };
      try {
        const live = store.find(type, namespace, object.metadata.name);
        if (live) {
          store.update(type, namespace, object.metadata.name, { ...desired, metadata: { ...desired.metadata, resourceVersion: live.metadata.resourceVersion }, status: live.status });
        } else {
          store.create(type, namespace, desired);
        }
        this.setWorkloadStatus(type, namespace, object.metadata.name, 'progressing');
        results.push({ group: type.group, version: type.version, kind: type.kind, namespace: namespace ?? '', name: object.metadata.name, status: 'Synced', message: `${type.kind.toLowerCase()}.${type.group || 'core'}/${object.metadata.name} configured`, hookPhase: 'Running', syncPhase: 'Sync' });
      } catch (error) {
        failure = (error as Error).message;
        break;
      }
    }
    if (!failure && prune) {
      const wanted = new Set(rendered.objects.map(o => `${o.kind}/${this.destinationNamespace(app, o)}/${o.metadata.name}`));
      for (const previous of (app.status?.resources ?? []) as ManagedResource[]) {
        if (wanted.has(`${previous.kind}/${previous.namespace}/${previous.name}`)) continue;
        const type = RESOURCE_TYPES.find(t => t.group === previous.group && t.kind === previous.kind);
        if (type && store.find(type, previous.namespace || undefined, previous.name)) {
          store.delete(type, previous.namespace || undefined, previous.name);
        }
      }
    }
    const finishedAt = kubeTime();
    const operation = { sync: { revision: rendered.revision, prune }, initiatedBy, ...(trigger === 'automated' ? { retry: {} } : {}) };
    const history = [...((app.status?.history ?? []) as Array<{ id: number }>)];
    if (!failure) {
      history.push({
        id: (history[history.length - 1]?.id ?? -1) + 1,
        revision: rendered.revision,
        deployedAt: finishedAt,
        deployStartedAt: startedAt,
        source: app.spec.source,
        initiatedBy,
      } as { id: number });
    }
    const limit = app.spec?.revisionHistoryLimit ?? 10;
    const current = store.find(APPLICATIONS, app.metadata.namespace, app.metadata.name) ?? app;
    const message = refused ?? (failure ? `one or more objects failed to apply, reason: ${failure}` : 'successfully synced (all tasks run)');
    // As the next reconcile reports a failed automated sync (appcontroller.go autoSync).
    const syncError = trigger === 'automated' ? `Failed last sync attempt to [${rendered.revision}]: ${message}` : refused ?? failure;
    this.writeStatus(
      current,
      {
        sync: {
          status: failure ? 'OutOfSync' : 'Synced',
          revision: rendered.revision,
          comparedTo: { source: app.spec?.source, destination: app.spec?.destination },
        },
        summary: { images: rendered.images },
        resources: failure ? app.status?.resources ?? [] : this.compare(app, rendered).map(r => ({ ...r, health: this.healthOf(r, rendered) })),
        health: failure ? app.status?.health ?? { status: 'Missing' } : { status: 'Progressing', message: 'Waiting for rollout to finish' },
        history: history.slice(-limit),
        operationState: {
          operation,
          phase: failure ? 'Failed' : 'Succeeded',
          message,
          syncResult: { revision: rendered.revision, source: app.spec.source, resources: results },
          startedAt,
          finishedAt,
        },
        conditions: failure ? [{ type: 'SyncError', message: syncError, lastTransitionTime: finishedAt }] : [],
      },
      { removeOperation: true, servedRefresh: pass.refresh },
    );
    if (!failure) this.settleHealthLater(app, rendered);
  }

  private settleHealthLater(app: KubeObject, rendered: Rendered) {
    const settle = () => {
      const current = this.options.store.find(APPLICATIONS, app.metadata.namespace, app.metadata.name);
      if (!current || this.stopped) return;
      const missing = this.missingImages(rendered);
      for (const object of rendered.objects) {
        const type = typeOfObject(object);
        if (type && WORKLOAD_KINDS.has(type.kind)) {
          this.setWorkloadStatus(type, type.namespaced ? this.destinationNamespace(app, object) : undefined, object.metadata.name, missing.length ? 'degraded' : 'healthy');
        }
      }
      this.writeStatus(current, {
        health: missing.length
          ? { status: 'Degraded', message: `Deployment has image ${missing[0]} which is not in the registry (ImagePullBackOff)` }
          : { status: 'Healthy' },
      });
    };
    if (this.options.progressMs <= 0) {
      settle();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueueWork(app, settle);
    }, this.options.progressMs);
    this.timers.add(timer);
  }

  private enqueueWork(app: KubeObject, work: () => void) {
    void this.queues.enqueue(`${app.metadata.namespace}/${app.metadata.name}`, work);
  }

  /** Writes a Deployment-like status so the Kubernetes plugin sees the rollout. */
  private setWorkloadStatus(type: ResourceType, namespace: string | undefined, name: string, state: 'progressing' | 'healthy' | 'degraded') {
    if (type.kind !== 'Deployment' && type.kind !== 'StatefulSet') return;
    const live = this.options.store.find(type, namespace, name);
    if (!live) return;
    const replicas = live.spec?.replicas ?? 1;
    const ready = state === 'healthy' ? replicas : 0;
    const status = {
      observedGeneration: live.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(state === 'healthy' ? {} : { unavailableReplicas: replicas }),
      conditions: [
        {
          type: 'Available',
          status: state === 'healthy' ? 'True' : 'False',
          reason: state === 'healthy' ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          lastUpdateTime: kubeTime(),
          lastTransitionTime: kubeTime(),
        },
        {
          type: 'Progressing',
          status: state === 'degraded' ? 'False' : 'True',
          reason: { progressing: 'ReplicaSetUpdated', healthy: 'NewReplicaSetAvailable', degraded: 'ProgressDeadlineExceeded' }[state],
          lastUpdateTime: kubeTime(),
          lastTransitionTime: kubeTime(),
        },
      ],
    };
    if (!equalJson(live.status, status)) {
      this.options.store.update(type, namespace, name, { ...live, status }, { subresource: 'status' });
    }
  }

  private async finalize(app: KubeObject) {
    const { store } = this.options;
    if (!(app.metadata.finalizers ?? []).includes(RESOURCES_FINALIZER)) return;
    for (const resource of (app.status?.resources ?? []) as ManagedResource[]) {
      const type = RESOURCE_TYPES.find(t => t.group === resource.group && t.kind === resource.kind);
      if (type && store.find(type, resource.namespace || undefined, resource.name)) {
        store.delete(type, resource.namespace || undefined, resource.name);
      }
    }
    const current = store.find(APPLICATIONS, app.metadata.namespace, app.metadata.name);
    if (!current) return;
    store.update(
      APPLICATIONS,
      app.metadata.namespace,
      app.metadata.name,
      { ...current, metadata: { ...current.metadata, finalizers: (current.metadata.finalizers ?? []).filter(f => f !== RESOURCES_FINALIZER) } },
      { requireResourceVersion: false },
    );
  }
}
