import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ciNamespaceName,
  environmentNamespaceName,
  imagePullSecretName,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import type { HarborClient, LubanClusters } from '@luban-backstage/plugin-luban-node';
import { HarborPullSecrets, ROBOT_NAME, type PullSecretTarget } from '../provisioning/harborPullSecrets';
import { environmentCluster, missingNamespaces } from '../provisioning/kubernetesObjects';
import { examples } from './harborProject.examples';
import * as fields from './inputProperties';
import { requireName, selectEnvironments } from './inputs';
import { step, type StepContext } from './step';

const schema = {
  input: {
    project: (z: fields.Zod) => z.string().describe('The luban project name; also the Harbor project name.'),
    environments: fields.environments('Environments whose namespaces get the pull secret'),
    cluster: fields.cluster(),
  },
  output: {
    harborProject: (z: fields.Zod) => z.string().describe('The Harbor project name.'),
    projectUrl: (z: fields.Zod) => z.string().describe('The Harbor web page of the project.'),
    robot: (z: fields.Zod) => z.string().describe('The robot account name, e.g. robot$payments+luban.'),
    pullSecret: (z: fields.Zod) => z.string().describe('The name of the image pull Secret in each namespace.'),
    results: fields.results(),
  },
};

/** Refuses targets whose namespace does not exist, except in a dry run (its namespaces step only said it would create them). */
async function requireNamespaces(ctx: StepContext, clusters: LubanClusters, targets: PullSecretTarget[]) {
  for (const target of targets) {
    if ((await missingNamespaces(clusters.gateway(target.cluster), [target.namespace])).length > 0) {
      const problem = `Namespace '${target.namespace}' does not exist in cluster '${target.cluster}': run luban:project:namespaces first`;
      if (!ctx.isDryRun) throw new InputError(problem);
      ctx.logger.info(problem, { namespace: target.namespace, cluster: target.cluster });
    }
  }
}

/**
 * `luban:harbor:project`: a Harbor project with the configured settings, a
 * robot account scoped to it, and its credentials as a dockerconfigjson
 * Secret in the project's namespaces (`ci-` on the default cluster, each
 * environment's on its own). The robot secret goes from Harbor's answer
 * straight into the Secrets: never into output, logs or task state.
 */
export function createHarborProjectAction(options: {
  harbor: HarborClient | undefined;
  clusters: LubanClusters;
  environments: LubanEnvironment[];
}) {
  const { clusters } = options;
  return createTemplateAction({
    id: 'luban:harbor:project',
    description:
      'Creates (or brings up to date) the Harbor project of a luban project and its push/pull robot account, and writes the robot credentials as an image pull secret into the project namespaces.',
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const harbor = options.harbor;
      if (!harbor) {
        throw new InputError('luban:harbor:project needs luban.harbor (baseUrl, username, password) in the app configuration');
      }
      const targets: PullSecretTarget[] = [
        { namespace: ciNamespaceName(project), cluster: clusters.cluster(ctx.input.cluster).name },
        ...environments.map(env => ({
          namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
          cluster: environmentCluster(clusters, env, ctx.input.cluster),
        })),
      ];
      await requireNamespaces(ctx, clusters, targets);
      const ensured = await step(ctx, `luban.harbor.project.${project}`, async dryRun => {
        const { result, project: existing } = await harbor.ensureProject(project, { dryRun });
        return { results: { [`Harbor project ${project}`]: result }, projectId: existing?.projectId };
      });
      const pullSecrets = new HarborPullSecrets(harbor, clusters, project, targets);
      const where = targets.map(target => `${target.cluster}/${target.namespace}`).join(',');
      const secrets = await step(ctx, `luban.harbor.robot.${project}.${where}`, async dryRun => ({
        results: dryRun ? await pullSecrets.plan(ensured.projectId) : await pullSecrets.ensure(ensured.projectId!),
      }));
      const { projectId } = ensured;
      ctx.output('harborProject', project);
      ctx.output('projectUrl', projectId ? harbor.projectWebUrl({ projectId }) : `${harbor.webUrl}/harbor/projects`);
      ctx.output('robot', `robot$${project}+${ROBOT_NAME}`);
      ctx.output('pullSecret', imagePullSecretName(project));
      ctx.output('results', { ...ensured.results, ...secrets.results });
    },
  });
}
