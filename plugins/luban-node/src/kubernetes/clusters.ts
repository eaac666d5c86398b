import { readFileSync } from 'node:fs';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A cluster from Backstage's `kubernetes.clusterLocatorMethods` (type
 * `config`), the same configuration the Kubernetes plugin reads.
 * @public
 */
export interface LubanCluster {
  name: string;
  url: string;
  /** Present for `authProvider: serviceAccount`; never logged. */
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
}

/**
 * luban's own tokens by cluster name (`luban.kubernetes.clusters`), so that
 * the Kubernetes plugin's token (shown to every user through its pages) can be
 * read-only while luban, which provisions projects, writes with its own.
 */
function readLubanTokens(config: Config): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const cluster of config.getOptionalConfigArray('luban.kubernetes.clusters') ?? []) {
    tokens.set(cluster.getString('name'), cluster.getString('serviceAccountToken'));
  }
  return tokens;
}

/**
 * Reads the clusters luban can act on: every `type: config` entry of
 * `kubernetes.clusterLocatorMethods` that authenticates with a service
 * account token (luban acts as itself, not as the signed-in user). A token
 * under `luban.kubernetes.clusters` for the same cluster name takes the place
 * of the Kubernetes plugin's.
 * @public
 */
export function readKubernetesClusters(config: Config): LubanCluster[] {
  const lubanTokens = readLubanTokens(config);
  const methods = config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? [];
  const clusters: LubanCluster[] = [];
  for (const method of methods) {
    if (method.getString('type') !== 'config') continue;
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getString('name');
      const authProvider = cluster.getOptionalString('authProvider') ?? 'serviceAccount';
      if (authProvider !== 'serviceAccount') continue;
      clusters.push({
        name,
        url: cluster.getString('url'),
        serviceAccountToken: lubanTokens.get(name) ?? cluster.getOptionalString('serviceAccountToken'),
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  const unknown = [...lubanTokens.keys()].filter(name => !clusters.some(c => c.name === name));
  if (unknown.length > 0) {
    throw new InputError(
      `luban.kubernetes.clusters names ${unknown.map(n => `'${n}'`).join(', ')}, which kubernetes.clusterLocatorMethods does not configure (with authProvider serviceAccount)`,
    );
  }
  return clusters;
}

/**
 * Picks the cluster named by an entity's annotation, or the first configured one.
 * @public
 */
export function selectCluster(clusters: LubanCluster[], name?: string): LubanCluster {
  if (clusters.length === 0) {
    throw new InputError(
      'No Kubernetes cluster is configured for luban: add a cluster with authProvider serviceAccount under kubernetes.clusterLocatorMethods (type config)',
    );
  }
  if (!name) return clusters[0];
  const found = clusters.find(c => c.name === name);
  if (!found) {
    throw new InputError(
      `Kubernetes cluster '${name}' is not configured; configured clusters: ${clusters.map(c => `'${c.name}'`).join(', ')}`,
    );
  }
  return found;
}

/**
 * A client-node KubeConfig for one cluster.
 * @public
 */
export function kubeConfigFor(cluster: LubanCluster): KubeConfig {
  const kc = new KubeConfig();
  const caData = cluster.caData ?? (cluster.caFile ? Buffer.from(readFileSync(cluster.caFile)).toString('base64') : undefined);
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.url, caData, skipTLSVerify: cluster.skipTLSVerify }],
    users: [{ name: 'luban', token: cluster.serviceAccountToken }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'luban' }],
    currentContext: cluster.name,
  });
  return kc;
}
