import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { argoCdProjectName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { parseRepoLocation, type LubanClusters } from '@luban-backstage/plugin-luban-node';
import { argoCdRepositorySecret, type GitReadCredentials } from '../provisioning/gitReadSecrets';
import { appProjectFor, appProjectWebUrl, argoCdPlacements, type ArgoCdSettings } from '../provisioning/argocd';
import { examples } from './argocdProject.examples';
import * as fields from './inputProperties';
import { requireName } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { applyEachObject } from './step';

/**
 * `luban:argocd:project`: only the project's AppProject, so that a project
 * is ready for Argo CD before its first app. `luban:argocd:app` keeps the
 * same AppProject up to date.
 */
export function createArgoCdProjectAction(options: {
  clusters: LubanClusters;
  integrations: ScmIntegrationRegistry;
  gitRead: GitReadCredentials;
  environments: LubanEnvironment[];
  settings: ArgoCdSettings;
  guard: ProjectGuard;
}) {
  const { clusters, environments, settings } = options;
  return createTemplateAction({
    id: 'luban:argocd:project',
    description:
      'Creates (or brings up to date) the Argo CD AppProject of a luban project: its GitOps repository as the only source, its environment namespaces as the only destinations.',
    examples,
    supportsDryRun: true,
    schema: {
      input: { project: fields.project, gitopsRepoUrl: fields.gitopsRepoUrl, cluster: fields.argoCdCluster },
      output: {
        appProject: fields.appProject,
        result: fields.result,
        appProjectUrl: z =>
          z.string().optional().describe("The AppProject's page in Argo CD, when luban.argocd.baseUrl is configured."),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const gitops = parseRepoLocation(ctx.input.gitopsRepoUrl, options.integrations);
      await options.guard.check(ctx, project, { gitopsRepository: gitops.webUrl });
      const gitopsCloneUrl = gitops.cloneUrl;
      // Before anything is written: Argo CD reads the private GitOps repository with this credential only.
      const repositorySecret = argoCdRepositorySecret({ project, argoNamespace: settings.namespace, repo: gitops, gitRead: options.gitRead });
      // The AppProject goes wherever an environment runs: each cluster's Argo CD admits its own namespaces.
      const placements = argoCdPlacements(clusters, { configured: environments, selected: environments, cluster: ctx.input.cluster });
      const results: Record<string, string> = {};
      for (const [cluster, placement] of placements) {
        const appProject = appProjectFor({ project, gitopsCloneUrl, environments: placement.projectEnvironments, settings });
        const gateway = clusters.gateway(cluster);
        const showCluster = placements.size > 1;
        Object.assign(results, await applyEachObject(ctx, gateway, { keyPrefix: 'luban.argocd', project, objects: [appProject, repositorySecret], showCluster }));
      }
      const name = argoCdProjectName(project);
      ctx.output('appProject', name);
      ctx.output('result', Object.values(results)[0]);
      const url = appProjectWebUrl(settings, name);
      if (url) ctx.output('appProjectUrl', url);
    },
  });
}
