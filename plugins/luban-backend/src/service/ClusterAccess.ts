import type { KubernetesObject } from '@kubernetes/client-node';
import {
  KPACK,
  KubernetesGateway,
  ResourceInformer,
  selectCluster,
  type LubanCluster,
} from '@luban-backstage/plugin-luban-node';

/**
 * One KubernetesGateway per configured cluster, and the shared caches luban
 * reads from: every kpack Build and every Argo CD Application, each kept up
 * to date by one list and a watch. Caches start on first use, so a backend
 * whose users never open the entity page costs the clusters nothing.
 */
export class ClusterAccess {
  private readonly gateways = new Map<string, KubernetesGateway>();
  private readonly buildInformers = new Map<string, ResourceInformer<KubernetesObject>>();
  private readonly applicationInformers = new Map<string, ResourceInformer<KubernetesObject>>();

  constructor(
    private readonly options: {
      clusters: LubanCluster[];
      requestTimeoutMs?: number;
      /** The namespace Argo CD watches for Applications. */
      argoCdNamespace: string;
    },
  ) {}

  /** The cluster named (or the first configured one) — errors name what is configured. */
  cluster(name?: string): LubanCluster {
    return selectCluster(this.options.clusters, name);
  }

  gateway(clusterName?: string): KubernetesGateway {
    const cluster = this.cluster(clusterName);
    let gateway = this.gateways.get(cluster.name);
    if (!gateway) {
      gateway = new KubernetesGateway(cluster, { requestTimeoutMs: this.options.requestTimeoutMs });
      this.gateways.set(cluster.name, gateway);
    }
    return gateway;
  }

  /** Every kpack Build of a cluster, synced (one list on first use, then the watch). */
  async builds(clusterName?: string): Promise<ResourceInformer<KubernetesObject>> {
    const gateway = this.gateway(clusterName);
    let informer = this.buildInformers.get(gateway.clusterName);
    if (!informer) {
      informer = new ResourceInformer(gateway, { apiVersion: KPACK.apiVersion, kind: 'Build', path: '/apis/kpack.io/v1alpha2/builds' });
      this.buildInformers.set(gateway.clusterName, informer);
    }
    await this.started(informer, this.buildInformers, gateway.clusterName);
    return informer;
  }

  /** Every Argo CD Application in Argo CD's namespace, synced. */
  async applications(clusterName?: string): Promise<ResourceInformer<KubernetesObject>> {
    const gateway = this.gateway(clusterName);
    let informer = this.applicationInformers.get(gateway.clusterName);
    if (!informer) {
      const namespace = this.options.argoCdNamespace;
      informer = new ResourceInformer(gateway, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        path: `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/applications`,
      });
      this.applicationInformers.set(gateway.clusterName, informer);
    }
    await this.started(informer, this.applicationInformers, gateway.clusterName);
    return informer;
  }

  /** Starts an informer; a failed first list is forgotten so that the next request tries again. */
  private async started(
    informer: ResourceInformer<KubernetesObject>,
    registry: Map<string, ResourceInformer<KubernetesObject>>,
    clusterName: string,
  ) {
    try {
      await informer.start();
    } catch (error) {
      informer.stop();
      if (registry.get(clusterName) === informer) registry.delete(clusterName);
      throw error;
    }
  }

  /** Informers already created, for subscribers that must see every change (auto-deploy, live updates). */
  startedBuildInformers(): Array<[string, ResourceInformer<KubernetesObject>]> {
    return [...this.buildInformers];
  }

  stop() {
    for (const informer of [...this.buildInformers.values(), ...this.applicationInformers.values()]) informer.stop();
    this.buildInformers.clear();
    this.applicationInformers.clear();
  }
}
