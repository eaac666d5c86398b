import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { parseRepoLocation, selectCluster, type LubanCluster } from '@luban-backstage/plugin-luban-node';
import { appProjectFor, applyArgoCdObjects, appProjectWebUrl, type ArgoCdSettings } from '../provisioning/argocd';
import { examples } from './argocdProject.examples';
import { requireName } from './inputs';

/**
 * `luban:argocd:project`: only the project's AppProject, so that a project
 * is ready for Argo CD before its first app. `luban:argocd:app` keeps the
 * same AppProject up to date.
 */
export function createArgoCdProjectAction(options: {
  clusters: LubanCluster[];
  integrations: ScmIntegrationRegistry;
  environments: LubanEnvironment[];
  settings: ArgoCdSettings;
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:argocd:project',
    description:
      'Creates (or brings up to date) the Argo CD AppProject of a luban project: its GitOps repository as the only source, its environment namespaces as the only destinations.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        gitopsRepoUrl: z => z.string().describe('The project GitOps repository, as a URL or in the RepoUrlPicker form.'),
        cluster: z => z.string().optional().describe('The Kubernetes cluster where Argo CD runs; default: the first configured.'),
      },
      output: {
        appProject: z => z.string().describe('The AppProject name.'),
        result: z => z.string().describe('created, updated or unchanged.'),
        appProjectUrl: z =>
          z.string().optional().describe("The AppProject's page in Argo CD, when luban.argocd.baseUrl is configured."),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const gitops = parseRepoLocation(ctx.input.gitopsRepoUrl, options.integrations);
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const appProject = appProjectFor({
        project,
        gitopsCloneUrl: gitops.cloneUrl,
        environments: options.environments,
        settings: options.settings,
      });
      const results = await applyArgoCdObjects(ctx, { cluster, requestTimeoutMs: options.requestTimeoutMs, project, objects: [appProject] });
      ctx.output('appProject', appProject.metadata.name);
      ctx.output('result', Object.values(results)[0]);
      const url = appProjectWebUrl(options.settings, appProject.metadata.name);
      if (url) ctx.output('appProjectUrl', url);
    },
  });
}
