import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  argoCdApplicationName,
  argoCdProjectName,
  environmentNamespaceName,
  gitopsAppPath,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import {
  KubernetesGateway,
  parseRepoLocation,
  selectCluster,
  type ApplyResult,
  type LubanCluster,
} from '@luban-backstage/plugin-luban-node';
import { examples } from './argocdApp.examples';
import { requireName, selectEnvironments } from './inputs';

/** Where Argo CD objects go (`luban.argocd`, `luban.gitops.branch`). */
export interface ArgoCdSettings {
  namespace: string;
  destinationServer: string;
  branch: string;
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

/**
 * `luban:argocd:app`: the project's AppProject (its GitOps repository as the
 * only source, its namespaces as the only destinations) and one Application
 * per environment for an app.
 */
export function createArgoCdAppAction(options: {
  clusters: LubanCluster[];
  integrations: ScmIntegrationRegistry;
  environments: LubanEnvironment[];
  settings: ArgoCdSettings;
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:argocd:app',
    description:
      'Creates (or brings up to date) the Argo CD AppProject of a luban project and an Application per environment for an app, syncing automatically where the environment says so.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        app: z => z.string().describe('The app name.'),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        environments: z => z.array(z.string()).optional().describe('Environments to deploy to; default: all of luban.environments.'),
        cluster: z => z.string().optional().describe('The Kubernetes cluster where Argo CD runs; default: the first configured.'),
      },
      output: {
        appProject: z => z.string().describe('The AppProject name.'),
        applications: z => z.record(z.string(), z.string()).describe('Application name by environment.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to each object.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const gitops = parseRepoLocation(ctx.input.gitopsRepoUrl, options.integrations);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const gateway = new KubernetesGateway(cluster, { requestTimeoutMs: options.requestTimeoutMs });
      const { namespace, destinationServer, branch } = options.settings;
      const labels = { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY };
      const namespaces = options.environments.map(env => environmentNamespaceName(env.name, project, env.namespacePattern));

      const appProject = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: argoCdProjectName(project), namespace, labels },
        spec: {
          description: `luban project ${project}`,
          sourceRepos: [gitops.cloneUrl],
          destinations: namespaces.map(ns => ({ server: destinationServer, namespace: ns })),
          clusterResourceWhitelist: [],
          namespaceResourceWhitelist: NAMESPACE_RESOURCE_WHITELIST,
        },
      };
      const applications = environments.map(env => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: argoCdApplicationName(env.name, project, app),
          namespace,
          labels: { ...labels, [LUBAN_LABELS.app]: app, [LUBAN_LABELS.environment]: env.name },
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: argoCdProjectName(project),
          source: { repoURL: gitops.cloneUrl, path: `${gitopsAppPath(app)}/overlays/${env.name}`, targetRevision: branch },
          destination: { server: destinationServer, namespace: environmentNamespaceName(env.name, project, env.namespacePattern) },
          syncPolicy: {
            ...(env.autoSync ? { automated: { prune: true, selfHeal: true } } : {}),
            syncOptions: ['PruneLast=true'],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
          },
          revisionHistoryLimit: 10,
        },
      }));

      const results: Record<string, string> = {};
      for (const object of [appProject, ...applications]) {
        const apply = async (): Promise<ApplyResult> =>
          (await gateway.apply(object as any, { dryRun: ctx.isDryRun, owner: { label: LUBAN_LABELS.project, value: project } })).result;
        const result = ctx.isDryRun
          ? await apply()
          : await ctx.checkpoint({ key: `luban.argocd.${cluster.name}.${object.kind}.${object.metadata.name}`, fn: apply });
        const key = `${object.kind} ${namespace}/${object.metadata.name}`;
        results[key] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${key}: ${results[key]}`);
      }
      ctx.output('appProject', appProject.metadata.name);
      ctx.output('applications', Object.fromEntries(environments.map((env, i) => [env.name, applications[i].metadata.name])));
      ctx.output('results', results);
    },
  });
}
