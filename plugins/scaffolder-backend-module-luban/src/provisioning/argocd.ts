import {
  argoCdProjectName,
  environmentNamespaceName,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { KubernetesGateway, type LubanCluster } from '@luban-backstage/plugin-luban-node';

/** Where Argo CD objects go (`luban.argocd`, `luban.gitops.branch`). */
export interface ArgoCdSettings {
  namespace: string;
  destinationServer: string;
  branch: string;
  /** Argo CD's web UI, for links to the applications; none when not configured. */
  baseUrl?: string;
}

/**
 * The kinds an app's manifests may contain: workloads and their
 * configuration, never RBAC or cluster-scoped objects.
 */
const NAMESPACE_RESOURCE_WHITELIST = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Secret' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
];

/** The labels of every Argo CD object of a project. */
export function argoCdLabels(project: string): Record<string, string> {
  return { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY };
}

/**
 * A project's AppProject: its GitOps repository as the only source, its
 * environment namespaces as the only destinations, no cluster-scoped kinds.
 */
export function appProjectFor(options: {
  project: string;
  gitopsCloneUrl: string;
  environments: LubanEnvironment[];
  settings: ArgoCdSettings;
}) {
  const { project, settings } = options;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: argoCdProjectName(project), namespace: settings.namespace, labels: argoCdLabels(project) },
    spec: {
      description: `luban project ${project}`,
      sourceRepos: [options.gitopsCloneUrl],
      destinations: options.environments.map(env => ({
        server: settings.destinationServer,
        namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
      })),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: NAMESPACE_RESOURCE_WHITELIST,
    },
  };
}

/** The web page of an Application in Argo CD's UI, when its address is configured. */
export function applicationWebUrl(settings: ArgoCdSettings, name: string): string | undefined {
  return settings.baseUrl ? `${settings.baseUrl.replace(/\/+$/, '')}/applications/${settings.namespace}/${name}` : undefined;
}

/** The web page of an AppProject in Argo CD's UI, when its address is configured. */
export function appProjectWebUrl(settings: ArgoCdSettings, name: string): string | undefined {
  return settings.baseUrl ? `${settings.baseUrl.replace(/\/+$/, '')}/settings/projects/${name}` : undefined;
}

/**
 * Applies Argo CD objects in order (checkpointed, or read-only in a dry
 * run) and returns what happened to each, keyed `<Kind> <namespace>/<name>`.
 */
export async function applyArgoCdObjects(
  ctx: {
    isDryRun?: boolean;
    checkpoint<T extends string>(options: { key: string; fn: () => Promise<T> }): Promise<T>;
    logger: { info(message: string): void };
  },
  options: { cluster: LubanCluster; requestTimeoutMs: number; project: string; objects: Array<{ kind: string; metadata: { name: string; namespace: string } }> },
): Promise<Record<string, string>> {
  const gateway = new KubernetesGateway(options.cluster, { requestTimeoutMs: options.requestTimeoutMs });
  const results: Record<string, string> = {};
  for (const object of options.objects) {
    const apply = async () =>
      (await gateway.apply(object as any, { dryRun: ctx.isDryRun, owner: { label: LUBAN_LABELS.project, value: options.project } })).result;
    const result = ctx.isDryRun
      ? await apply()
      : await ctx.checkpoint({ key: `luban.argocd.${options.cluster.name}.${object.kind}.${object.metadata.name}`, fn: apply });
    const key = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
    results[key] = ctx.isDryRun ? `would be ${result}` : result;
    ctx.logger.info(`${key}: ${results[key]}`);
  }
  return results;
}
