import type { KubernetesObject } from '@kubernetes/client-node';
import { argoCdApplicationName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { isBuildOfImage, type KpackBuild } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { EntityTargets, LubanTarget } from '../EntityTargets';

/** The catalog's luban apps change at onboarding: a short memory spares the catalog a read per event. */
const TTL_MS = 30_000;

/**
 * The apps luban knows (the catalog's entities, checked against their
 * project records by {@link EntityTargets}), and which one a Build or an
 * Argo CD Application is of. An empty or missing answer is asked again at
 * once: a new app's first events come before the catalog's next pass.
 */
export class AppIndex {
  private cached?: { expiresAt: number; targets: Promise<LubanTarget[]> };

  constructor(
    private readonly options: { targets: Pick<EntityTargets, 'allTargets'>; clusters: Pick<ClusterAccess, 'cluster'> },
  ) {}

  /** Every app, from a cache at most 30 seconds old unless `fresh`. */
  all(fresh = false): Promise<LubanTarget[]> {
    const now = Date.now();
    if (!fresh && this.cached && this.cached.expiresAt > now) return this.cached.targets;
    const entry = { expiresAt: now + TTL_MS, targets: this.options.targets.allTargets() };
    this.cached = entry;
    entry.targets.then(
      targets => {
        if (targets.length === 0 && this.cached === entry) this.cached = undefined;
      },
      () => {
        if (this.cached === entry) this.cached = undefined;
      },
    );
    return entry.targets;
  }

  /** The app whose Image made a Build on a cluster. */
  async ofBuild(clusterName: string, build: KpackBuild): Promise<LubanTarget | undefined> {
    const find = (targets: LubanTarget[]) =>
      targets.find(t => isBuildOfImage(build, t.image) && this.options.clusters.cluster(t.cluster).name === clusterName);
    return find(await this.all()) ?? find(await this.all(true));
  }

  /** The app and environment an Argo CD Application on a cluster deploys. */
  async ofApplication(clusterName: string, application: KubernetesObject): Promise<{ target: LubanTarget; env: LubanEnvironment } | undefined> {
    const find = (targets: LubanTarget[]) => {
      for (const target of targets) {
        const env = target.environments.find(
          e =>
            argoCdApplicationName(e.name, target.project, target.app) === application.metadata?.name &&
            this.options.clusters.cluster(e.cluster).name === clusterName,
        );
        if (env) return { target, env };
      }
      return undefined;
    };
    return find(await this.all()) ?? find(await this.all(true));
  }
}
