import {
  argoCdApplicationName,
  argoCdProjectName,
  environmentNamespaceName,
  gitopsOverlayDirectory,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import type { LubanClusters } from '@luban-backstage/plugin-luban-node';
import { byCluster, environmentCluster } from './kubernetesObjects';

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

/** An app's Application in one environment: it reads the overlay folder luban writes and deploys into the environment's namespace. */
export function applicationFor(options: {
  project: string;
  app: string;
  env: LubanEnvironment;
  gitopsCloneUrl: string;
  settings: ArgoCdSettings;
}) {
  const { project, app, env, settings } = options;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: argoCdApplicationName(env.name, project, app),
      namespace: settings.namespace,
      labels: { ...argoCdLabels(project), [LUBAN_LABELS.app]: app, [LUBAN_LABELS.environment]: env.name },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: argoCdProjectName(project),
      source: {
        repoURL: options.gitopsCloneUrl,
        path: gitopsOverlayDirectory(app, env.name, env.overlayPathPattern),
        targetRevision: settings.branch,
      },
      destination: { server: settings.destinationServer, namespace: environmentNamespaceName(env.name, project, env.namespacePattern) },
      syncPolicy: {
        ...(env.autoSync ? { automated: { prune: true, selfHeal: true } } : {}),
        syncOptions: ['PruneLast=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
      revisionHistoryLimit: 10,
    },
  };
}

/** Where a project's Argo CD objects go on one cluster: the environments its AppProject admits and those that get an Application. */
export interface ArgoCdPlacement {
  /** Every configured environment on the cluster: the AppProject's destinations. */
  projectEnvironments: LubanEnvironment[];
  /** The asked-for environments on the cluster: one Application each. */
  appEnvironments: LubanEnvironment[];
}

/**
 * The clusters a project's Argo CD objects go to: each environment's own
 * (its Applications and the project's AppProject live where Argo CD deploys
 * it), or all on the template's `cluster` input when it gives one. Only
 * clusters with an asked-for environment are listed.
 */
export function argoCdPlacements(
  clusters: LubanClusters,
  options: { configured: LubanEnvironment[]; selected: LubanEnvironment[]; cluster?: string },
): Map<string, ArgoCdPlacement> {
  const clusterOf = (env: LubanEnvironment) => environmentCluster(clusters, env, options.cluster);
  const configured = byCluster(options.configured, clusterOf);
  const placements = new Map<string, ArgoCdPlacement>();
  for (const [cluster, appEnvironments] of byCluster(options.selected, clusterOf)) {
    placements.set(cluster, { projectEnvironments: configured.get(cluster) ?? [], appEnvironments });
  }
  return placements;
}
