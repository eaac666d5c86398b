import { ConflictError } from '@backstage/errors';
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
 * What an existing object points at, which a re-run never silently
 * re-points: where an Image builds from, the repositories an AppProject
 * admits and an Application deploys from, who a RoleBinding lets in.
 */
const FIXED_FIELDS: Record<string, Array<{ path: string[]; what: string }>> = {
  'kpack.io/v1alpha2 Image': [{ path: ['spec', 'source', 'git', 'url'], what: 'source repository (spec.source.git.url)' }],
  'argoproj.io/v1alpha1 AppProject': [{ path: ['spec', 'sourceRepos'], what: 'source repositories (spec.sourceRepos)' }],
  'argoproj.io/v1alpha1 Application': [{ path: ['spec', 'source', 'repoURL'], what: 'source repository (spec.source.repoURL)' }],
  'rbac.authorization.k8s.io/v1 RoleBinding': [{ path: ['subjects'], what: 'subjects' }],
};

function valueAt(object: unknown, path: string[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}

/** Refuses an apply that would change what an existing object points at ({@link FIXED_FIELDS}), naming both values. */
async function refuseRepointing(gateway: KubernetesGateway, object: ProvisionedObject, project: string): Promise<void> {
  const fields = FIXED_FIELDS[`${object.apiVersion} ${object.kind}`];
  if (!fields) return;
  const live = await gateway.get<ProvisionedObject>(object as any);
  // Someone else's object is refused by the apply's ownership check, with its own message.
  if (live?.metadata.labels?.[LUBAN_LABELS.project] !== project) return;
  for (const { path, what } of fields) {
    const [current, desired] = [valueAt(live, path), valueAt(object, path)];
    if (current !== undefined && JSON.stringify(current) !== JSON.stringify(desired)) {
      throw new ConflictError(
        `${objectKey(object)} in Kubernetes cluster '${gateway.cluster.name}' has the ${what} ${JSON.stringify(current)}, not ${JSON.stringify(desired)}; luban does not re-point it`,
      );
    }
  }
}

/**
 * Applies objects in order, each owned by the project (an object someone
 * else created is refused, not taken over; one that points elsewhere is
 * refused, not re-pointed, unless `repoint`: a platform admin changing the
 * owner); what happened to each, by {@link objectKey}. A dry run only reads.
 */
export async function applyObjects(
  gateway: KubernetesGateway,
  objects: ProvisionedObject[],
  options: { project: string; dryRun: boolean; repoint?: boolean },
): Promise<Record<string, ApplyResult>> {
  const outcome: Record<string, ApplyResult> = {};
  for (const object of objects) {
    if (!options.repoint) await refuseRepointing(gateway, object, options.project);
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
