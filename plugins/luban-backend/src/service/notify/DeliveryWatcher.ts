import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import { digestOfImage } from '@luban-backstage/plugin-luban-common';
import { toArgoCdApplication, toKpackBuild, type ResourceInformer } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { AppIndex } from './AppIndex';
import type { DeliveryNotifier } from './DeliveryNotifier';

const RETRY_MS = 5_000;

/** What an Application runs: the first image digest of Argo CD's summary, or the revision it synced. */
export function runningOf(application: KubernetesObject): string {
  const state = toArgoCdApplication(application);
  return state.images.map(image => digestOfImage(image)).find(Boolean) ?? state.revision ?? 'unknown';
}

/**
 * Hears from the clusters' shared caches what owners are told of as it
 * happens: a kpack Build that failed and an environment's Argo CD
 * Application that turned Degraded. What had already happened when luban
 * started is not announced again (a first install would otherwise notify
 * of every old failure); it is the notifier that keeps the same event from
 * being sent twice.
 */
export class DeliveryWatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Health by `cluster/Application`, to see a turn to Degraded rather than every status update of a Degraded one. */
  private readonly health = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly options: { clusters: ClusterAccess; apps: AppIndex; notifier: DeliveryNotifier; logger: LoggerService },
  ) {}

  start(clusterNames: string[]) {
    for (const name of clusterNames) {
      this.follow(name, 'builds', informer => this.watchBuilds(name, informer));
      this.follow(name, 'applications', informer => this.watchApplications(name, informer));
    }
  }

  stop() {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private follow(clusterName: string, what: 'builds' | 'applications', watch: (informer: ResourceInformer<KubernetesObject>) => void) {
    this.options.clusters[what](clusterName).then(
      informer => {
        if (!this.stopped) watch(informer);
      },
      error => {
        if (this.stopped) return;
        this.options.logger.warn('Notifications cannot read a cluster yet', { cluster: clusterName, what, error: String(error) });
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopped) this.follow(clusterName, what, watch);
        }, RETRY_MS).unref();
        this.timers.add(timer);
      },
    );
  }

  private watchBuilds(clusterName: string, informer: ResourceInformer<KubernetesObject>) {
    const before = new Set(informer.list(o => toKpackBuild(o).status === 'failed').map(o => o.metadata?.uid));
    informer.onChange(({ type, object }) => {
      if (type === 'DELETED' || this.stopped || before.has(object.metadata?.uid)) return;
      const build = toKpackBuild(object);
      if (build.status !== 'failed') return;
      this.run('build-failed', async () => {
        const target = await this.options.apps.ofBuild(clusterName, build);
        if (!target) return;
        await this.options.notifier.notify({
          kind: 'build-failed',
          project: target.project,
          app: target.app,
          entityRef: target.entityRef,
          build: `${clusterName}/${build.namespace}/${build.name}`,
          number: build.number,
          message: build.message,
        });
      });
    });
  }

  private watchApplications(clusterName: string, informer: ResourceInformer<KubernetesObject>) {
    const key = (object: KubernetesObject) => `${clusterName}/${object.metadata?.namespace}/${object.metadata?.name}`;
    for (const object of informer.list()) this.health.set(key(object), toArgoCdApplication(object).healthStatus);
    informer.onChange(({ type, object }) => {
      if (this.stopped) return;
      if (type === 'DELETED') {
        this.health.delete(key(object));
        return;
      }
      const state = toArgoCdApplication(object);
      const previous = this.health.get(key(object));
      this.health.set(key(object), state.healthStatus);
      if (state.healthStatus !== 'Degraded' || previous === 'Degraded') return;
      this.run('degraded', async () => {
        const found = await this.options.apps.ofApplication(clusterName, object);
        if (!found) return;
        const { target, env } = found;
        await this.options.notifier.notify({
          kind: 'degraded',
          project: target.project,
          app: target.app,
          entityRef: target.entityRef,
          env: env.name,
          running: runningOf(object),
          message: state.healthMessage,
        });
      });
    });
  }

  private run(event: string, work: () => Promise<void>) {
    work().catch(error => this.options.logger.warn('Could not notify of a delivery event', { event, error: String(error) }));
  }
}
