import { LUBAN_LABELS, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import type { ApplyResult, KubernetesGateway, LubanClusters } from '@luban-backstage/plugin-luban-node';

/** An object luban applies: any kind, namespaced or cluster-scoped. */
export type ProvisionedObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, unknown>;

/** How results and logs name an object: `<Kind> <namespace>/<name>`, or `<Kind> <name>` when cluster-scoped. */
export function objectKey(object: Pick<ProvisionedObject, 'kind' | 'metadata'>): string {
  const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind} ${where}${object.metadata.name}`;
}

/**
 * Applies objects in order, each owned by the project (an object someone
 * else created is refused, not taken over); what happened to each, by
 * {@link objectKey}. A dry run only reads.
 */
export async function applyObjects(
  gateway: KubernetesGateway,
  objects: ProvisionedObject[],
  options: { project: string; dryRun: boolean },
): Promise<Record<string, ApplyResult>> {
  const outcome: Record<string, ApplyResult> = {};
  for (const object of objects) {
    const { result } = await gateway.apply(object as any, {
      dryRun: options.dryRun,
      owner: { label: LUBAN_LABELS.project, value: options.project },
    });
    outcome[objectKey(object)] = result;
  }
  return outcome;
}

/** The namespaces, of those given, that do not exist on the gateway's cluster. */
export async function missingNamespaces(gateway: KubernetesGateway, namespaces: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of namespaces) {
    if (!(await gateway.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }))) missing.push(name);
  }
  return missing;
}

/**
 * The cluster an environment's objects go to: the template's `cluster`
 * input when it gives one, else the environment's own
 * (`luban.environments[].cluster`, default the first configured).
 */
export function environmentCluster(clusters: LubanClusters, env: Pick<LubanEnvironment, 'cluster'>, input?: string): string {
  return clusters.cluster(input ?? env.cluster).name;
}

/**
 * Groups items by the cluster they go to, in the order clusters first
 * appear; most configurations have one cluster and get one group.
 */
export function byCluster<T>(items: T[], clusterOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = clusterOf(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}
