import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { argoCdApplicationName, lubanChannel, type LubanSignal } from '@luban-backstage/plugin-luban-common';
import { toKpackBuild } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';

/**
 * Pushes changes to open entity pages through Backstage signals, from the
 * cluster caches' watches: build progress, Argo CD sync and health, GitOps
 * pushes. Entities are followed once someone has viewed them.
 */
export class LiveUpdates {
  /** entity refs by `<cluster>/<namespace>/<image>` and by `<cluster>/<Argo CD Application>`. */
  private readonly byImage = new Map<string, Set<string>>();
  private readonly byApplication = new Map<string, Set<string>>();
  private readonly byGitopsRepo = new Map<string, Set<string>>();
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly options: { clusters: ClusterAccess; signals: SignalsService; logger: LoggerService },
  ) {}

  private static add(index: Map<string, Set<string>>, key: string, entityRef: string) {
    let refs = index.get(key);
    if (!refs) {
      refs = new Set();
      index.set(key, refs);
    }
    refs.add(entityRef);
  }

  /**
   * Starts following an entity's builds (on the cluster that builds it),
   * its Argo CD Applications (each on its environment's cluster) and its
   * GitOps repository.
   */
  follow(target: LubanTarget) {
    const { clusters } = this.options;
    const buildCluster = clusters.cluster(target.cluster).name;
    LiveUpdates.add(this.byImage, `${buildCluster}/${target.image.namespace}/${target.image.name}`, target.entityRef);
    this.subscribe(`builds/${buildCluster}`, async () => {
      (await clusters.builds(buildCluster)).onChange(({ object }) => this.onBuild(buildCluster, object));
    });
    for (const env of target.environments) {
      const argoCluster = clusters.cluster(env.cluster).name;
      LiveUpdates.add(this.byApplication, `${argoCluster}/${argoCdApplicationName(env.name, target.project, target.app)}`, target.entityRef);
      this.subscribe(`applications/${argoCluster}`, async () => {
        (await clusters.applications(argoCluster)).onChange(({ object }) => this.onApplication(argoCluster, object));
      });
    }
    if (target.gitopsRepo) LiveUpdates.add(this.byGitopsRepo, target.gitopsRepo.webUrl.toLowerCase(), target.entityRef);
  }

  /** Tells the pages of the entities deployed from a GitOps repository that it changed. */
  gitopsChanged(repositoryUrl: string, reason: string) {
    for (const entityRef of this.byGitopsRepo.get(repositoryUrl.toLowerCase()) ?? []) {
      this.publish(entityRef, { type: 'promotion', reason });
    }
  }

  private subscribe(key: string, start: () => Promise<void>) {
    if (this.subscribed.has(key)) return;
    this.subscribed.add(key);
    start().catch(error => {
      // The next view tries again.
      this.subscribed.delete(key);
      this.options.logger.warn('luban live updates are not running', { watch: key, error: String(error) });
    });
  }

  private onBuild(cluster: string, object: KubernetesObject) {
    const build = toKpackBuild(object);
    const refs = this.byImage.get(`${cluster}/${build.namespace}/${build.image}`);
    if (!refs) return;
    for (const entityRef of refs) this.publish(entityRef, { type: 'build', build: build.name, status: build.status });
  }

  private onApplication(cluster: string, object: KubernetesObject) {
    const refs = this.byApplication.get(`${cluster}/${object.metadata?.name}`);
    if (!refs) return;
    const status = (object as { status?: { sync?: { status?: string }; health?: { status?: string } } }).status;
    const environment = object.metadata?.labels?.['luban.dev/environment'] ?? object.metadata?.name ?? '';
    for (const entityRef of refs) {
      this.publish(entityRef, {
        type: 'deployment',
        environment,
        syncStatus: status?.sync?.status ?? 'Unknown',
        healthStatus: status?.health?.status ?? 'Unknown',
      });
    }
  }

  private publish(entityRef: string, message: LubanSignal) {
    this.options.signals
      .publish({ recipients: { type: 'broadcast' }, channel: lubanChannel(entityRef), message })
      .catch(error => this.options.logger.warn('Could not publish a luban signal', { entityRef, error: String(error) }));
  }
}
