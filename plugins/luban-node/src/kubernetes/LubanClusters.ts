import type { Config } from '@backstage/config';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { readRequestTimeoutMs } from '../config/environments';
import { readKubernetesClusters, selectCluster, type LubanCluster } from './clusters';
import { KubernetesGateway } from './KubernetesGateway';

/**
 * The clusters luban acts on, and one {@link KubernetesGateway} per cluster,
 * created on first use and shared by every caller (backend routes, the
 * auto-deployer and the scaffolder actions alike).
 * @public
 */
export class LubanClusters {
  /** The service-account clusters of `kubernetes.clusterLocatorMethods`, with `luban.requestTimeoutSeconds`. */
  static fromConfig(config: Config, options: { requestTimeoutMs?: number } = {}): LubanClusters {
    return new LubanClusters(readKubernetesClusters(config), {
      requestTimeoutMs: options.requestTimeoutMs ?? readRequestTimeoutMs(config),
    });
  }

  private readonly gateways = new Map<string, KubernetesGateway>();

  constructor(
    private readonly clusters: LubanCluster[],
    private readonly options: { requestTimeoutMs?: number } = {},
  ) {}

  /** The names of the configured clusters, the default (first) one first. */
  names(): string[] {
    return this.clusters.map(c => c.name);
  }

  /** The cluster named (or the first configured one); errors name what is configured. */
  cluster(name?: string): LubanCluster {
    return selectCluster(this.clusters, name);
  }

  /** The gateway of the cluster named (or of the first configured one). */
  gateway(name?: string): KubernetesGateway {
    const cluster = this.cluster(name);
    let gateway = this.gateways.get(cluster.name);
    if (!gateway) {
      gateway = new KubernetesGateway(cluster, { requestTimeoutMs: this.options.requestTimeoutMs });
      this.gateways.set(cluster.name, gateway);
    }
    return gateway;
  }

  /** The gateway of the cluster an environment runs on (`luban.environments[].cluster`, default the first). */
  forEnvironment(environment: Pick<LubanEnvironment, 'cluster'>): KubernetesGateway {
    return this.gateway(environment.cluster);
  }
}
