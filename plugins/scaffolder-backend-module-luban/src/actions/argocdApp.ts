import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  argoCdApplicationName,
  argoCdProjectName,
  environmentNamespaceName,
  gitopsAppPath,
  LUBAN_LABELS,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { parseRepoLocation, selectCluster, type LubanCluster } from '@luban-backstage/plugin-luban-node';
import {
  appProjectFor,
  applicationWebUrl,
  applyArgoCdObjects,
  argoCdLabels,
  type ArgoCdSettings,
} from '../provisioning/argocd';
import { examples } from './argocdApp.examples';
import { requireName, selectEnvironments } from './inputs';

export type { ArgoCdSettings } from '../provisioning/argocd';

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
        applicationUrls: z =>
          z
            .record(z.string(), z.string())
            .optional()
            .describe("Each Application's page in Argo CD, by environment, when luban.argocd.baseUrl is configured."),
        results: z => z.record(z.string(), z.string()).describe('What happened to each object.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const gitops = parseRepoLocation(ctx.input.gitopsRepoUrl, options.integrations);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const { namespace, destinationServer, branch } = options.settings;

      const appProject = appProjectFor({
        project,
        gitopsCloneUrl: gitops.cloneUrl,
        environments: options.environments,
        settings: options.settings,
      });
      const applications = environments.map(env => ({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: argoCdApplicationName(env.name, project, app),
          namespace,
          labels: { ...argoCdLabels(project), [LUBAN_LABELS.app]: app, [LUBAN_LABELS.environment]: env.name },
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

      const results = await applyArgoCdObjects(ctx, {
        cluster,
        requestTimeoutMs: options.requestTimeoutMs,
        project,
        objects: [appProject, ...applications],
      });
      ctx.output('appProject', appProject.metadata.name);
      ctx.output('applications', Object.fromEntries(environments.map((env, i) => [env.name, applications[i].metadata.name])));
      if (options.settings.baseUrl) {
        ctx.output(
          'applicationUrls',
          Object.fromEntries(environments.map((env, i) => [env.name, applicationWebUrl(options.settings, applications[i].metadata.name)!])),
        );
      }
      ctx.output('results', results);
    },
  });
}
