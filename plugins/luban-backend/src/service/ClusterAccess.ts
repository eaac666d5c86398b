import type { KubernetesObject } from '@kubernetes/client-node';
import {
  KPACK,
  ResourceInformer,
  type KubernetesGateway,
  type LubanCluster,
  type LubanClusters,
} from '@luban-backstage/plugin-luban-node';

/**
 * The configured clusters (their gateways come from the one
 * {@link LubanClusters}), and the shared caches luban reads from: every kpack
 * Build and every Argo CD Application of a cluster, each kept up to date by
 * one list and a watch. Caches start on first use, so a backend whose users
 * never open the entity page costs the clusters nothing.
 */
export class ClusterAccess {
  private readonly buildInformers = new Map<string, ResourceInformer<KubernetesObject>>();
  private readonly applicationInformers = new Map<string, ResourceInformer<KubernetesObject>>();

  constructor(
    private readonly options: {
      clusters: LubanClusters;
      /** The namespace Argo CD watches for Applications. */
      argoCdNamespace: string;
    },
  ) {}

  /** The cluster named (or the first configured one) — errors name what is configured. */
  cluster(name?: string): LubanCluster {
    return this.options.clusters.cluster(name);
  }

  /** The shared gateway of the cluster named (or of the first configured one). */
  gateway(clusterName?: string): KubernetesGateway {
    return this.options.clusters.gateway(clusterName);
  }

  /** Every kpack Build of a cluster, synced (one list on first use, then the watch). */
  async builds(clusterName?: string): Promise<ResourceInformer<KubernetesObject>> {
    return this.informer(this.buildInformers, clusterName, {
      apiVersion: KPACK.apiVersion,
      kind: 'Build',
      path: '/apis/kpack.io/v1alpha2/builds',
    });
  }

  /** Every Argo CD Application in Argo CD's namespace of a cluster, synced. */
  async applications(clusterName?: string): Promise<ResourceInformer<KubernetesObject>> {
    return this.informer(this.applicationInformers, clusterName, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      path: `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(this.options.argoCdNamespace)}/applications`,
    });
  }

  stop() {
    for (const informer of [...this.buildInformers.values(), ...this.applicationInformers.values()]) informer.stop();
    this.buildInformers.clear();
    this.applicationInformers.clear();
  }

  /** The cluster's informer of a resource, started; a failed first list is forgotten so that the next request tries again. */
  private async informer(
    registry: Map<string, ResourceInformer<KubernetesObject>>,
    clusterName: string | undefined,
    resource: { apiVersion: string; kind: string; path: string },
  ): Promise<ResourceInformer<KubernetesObject>> {
    const gateway = this.gateway(clusterName);
    let informer = registry.get(gateway.clusterName);
    if (!informer) {
      informer = new ResourceInformer(gateway, resource);
      registry.set(gateway.clusterName, informer);
    }
    try {
      await informer.start();
    } catch (error) {
      informer.stop();
      if (registry.get(gateway.clusterName) === informer) registry.delete(gateway.clusterName);
      throw error;
    }
    return informer;
  }
}
