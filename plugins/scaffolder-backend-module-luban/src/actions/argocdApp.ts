import type { ScmIntegrationRegistry } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { argoCdProjectName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { parseRepoLocation, type LubanClusters } from '@luban-backstage/plugin-luban-node';
import {
  appProjectFor,
  applicationFor,
  applicationWebUrl,
  argoCdPlacements,
  type ArgoCdSettings,
} from '../provisioning/argocd';
import { examples } from './argocdApp.examples';
import * as fields from './inputProperties';
import { requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { applyEachObject } from './step';
import { argoCdRepositorySecret, type GitReadCredentials } from '../provisioning/gitReadSecrets';

export type { ArgoCdSettings } from '../provisioning/argocd';

const schema = {
  input: {
    project: fields.project,
    app: fields.app,
    gitopsRepoUrl: fields.gitopsRepoUrl,
    environments: fields.environments('Environments to deploy to'),
    cluster: fields.argoCdCluster,
  },
  output: {
    appProject: fields.appProject,
    applications: fields.record('Application name by environment.'),
    applicationUrls: fields.optionalRecord(
      "Each Application's page in Argo CD, by environment, when luban.argocd.baseUrl is configured.",
    ),
    results: fields.results('What happened to each object.'),
  },
};

/**
 * `luban:argocd:app`: the project's AppProject (its GitOps repository as the
 * only source, its namespaces as the only destinations) and one Application
 * per environment for an app, on the cluster of each environment.
 */
export function createArgoCdAppAction(options: {
  clusters: LubanClusters;
  integrations: ScmIntegrationRegistry;
  gitRead: GitReadCredentials;
  environments: LubanEnvironment[];
  settings: ArgoCdSettings;
  guard: ProjectGuard;
}) {
  const { clusters, settings } = options;
  return createTemplateAction({
    id: 'luban:argocd:app',
    description:
      'Creates (or brings up to date) the Argo CD AppProject of a luban project and an Application per environment for an app, syncing automatically where the environment says so.',
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const app = requireName('app', 'app', ctx.input.app);
      const gitops = parseRepoLocation(ctx.input.gitopsRepoUrl, options.integrations);
      const gitopsCloneUrl = gitops.cloneUrl;
      // Before anything is written: Argo CD reads the private GitOps repository with this credential only.
      const repositorySecret = argoCdRepositorySecret({ project, argoNamespace: settings.namespace, repo: gitops, gitRead: options.gitRead });
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      await options.guard.check(ctx, project, { gitopsRepository: gitops.webUrl });
      const placements = argoCdPlacements(clusters, {
        configured: options.environments,
        selected: environments,
        cluster: ctx.input.cluster,
      });
      const results: Record<string, string> = {};
      const applications: Record<string, string> = {};
      for (const [cluster, placement] of placements) {
        const appProject = appProjectFor({ project, gitopsCloneUrl, environments: placement.projectEnvironments, settings });
        const apps = placement.appEnvironments.map(env => applicationFor({ project, app, env, gitopsCloneUrl, settings }));
        placement.appEnvironments.forEach((env, i) => (applications[env.name] = apps[i].metadata.name));
        const applied = await applyEachObject(ctx, clusters.gateway(cluster), {
          keyPrefix: 'luban.argocd',
          project,
          objects: [appProject, repositorySecret, ...apps],
          showCluster: placements.size > 1,
        });
        Object.assign(results, applied);
      }
      ctx.output('appProject', argoCdProjectName(project));
      ctx.output('applications', Object.fromEntries(environments.map(env => [env.name, applications[env.name]])));
      if (settings.baseUrl) {
        const urls = environments.map(env => [env.name, applicationWebUrl(settings, applications[env.name])!]);
        ctx.output('applicationUrls', Object.fromEntries(urls));
      }
      ctx.output('results', results);
    },
  });
}
