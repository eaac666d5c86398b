import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  deriveProjectNames,
  imagePullSecretName,
  type LubanEnvironment,
  type LubanProjectNames,
} from '@luban-backstage/plugin-luban-common';
import type { HarborClient, LubanClusters } from '@luban-backstage/plugin-luban-node';
import { checkHarborProjectOwnership } from '../provisioning/harborProjectRecord';
import { HarborRobotSecrets, robotFullName, type SecretTarget } from '../provisioning/harborRobotSecrets';
import { environmentCluster, missingNamespaces } from '../provisioning/kubernetesObjects';
import { examples } from './harborProject.examples';
import * as fields from './inputProperties';
import { requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { step, type StepContext } from './step';

const schema = {
  input: {
    project: (z: fields.Zod) => z.string().describe('The luban project name; also the Harbor project name.'),
    environments: fields.environments('Environments whose namespaces get the pull-only secret'),
    cluster: fields.cluster(),
  },
  output: {
    harborProject: (z: fields.Zod) => z.string().describe('The Harbor project name.'),
    projectUrl: (z: fields.Zod) => z.string().describe('The Harbor web page of the project.'),
    robot: (z: fields.Zod) => z.string().describe('The push robot account, only in ci-<project>, e.g. robot$payments+luban.'),
    pullRobot: (z: fields.Zod) =>
      z.string().describe('The pull-only robot account of the environment namespaces, e.g. robot$payments+luban-pull.'),
    pullSecret: (z: fields.Zod) =>
      z.string().describe("The name of the image pull Secret in each namespace (the push robot's in ci-, the pull robot's elsewhere)."),
    results: fields.results(),
  },
};

/** Refuses targets whose namespace does not exist, except in a dry run (its namespaces step only said it would create them). */
async function requireNamespaces(ctx: StepContext, clusters: LubanClusters, targets: SecretTarget[]) {
  for (const target of targets) {
    if ((await missingNamespaces(clusters.gateway(target.cluster), [target.namespace])).length > 0) {
      const problem = `Namespace '${target.namespace}' does not exist in cluster '${target.cluster}': run luban:project:namespaces first`;
      if (!ctx.isDryRun) throw new InputError(problem);
      ctx.logger.info(problem, { namespace: target.namespace, cluster: target.cluster });
    }
  }
}

/**
 * The environment namespaces that hold the pull secret: the selected
 * environments', and every other configured environment's (on its own
 * cluster) where the Secret was written before, so a new pull secret
 * reaches every copy of the old one.
 */
async function pullTargets(
  clusters: LubanClusters,
  configured: LubanEnvironment[],
  selected: LubanEnvironment[],
  names: LubanProjectNames,
  clusterInput: string | undefined,
): Promise<SecretTarget[]> {
  const targets: SecretTarget[] = [];
  for (const env of configured) {
    const namespace = names.environmentNamespaces[env.name];
    if (selected.includes(env)) {
      targets.push({ namespace, cluster: environmentCluster(clusters, env, clusterInput) });
      continue;
    }
    const gateway = clusters.forEnvironment(env);
    const secretRef = { apiVersion: 'v1', kind: 'Secret', metadata: { name: imagePullSecretName(names.project), namespace } };
    if (await gateway.get(secretRef)) targets.push({ namespace, cluster: gateway.cluster.name });
  }
  return targets;
}

/**
 * `luban:harbor:project`: a Harbor project with the configured settings and
 * two robot accounts scoped to it, each as a dockerconfigjson Secret: the
 * push robot only in `ci-<project>` (kpack pushes from there), a pull-only
 * robot in each environment namespace (its nodes only pull). An existing
 * Harbor project the project record does not name is refused, not adopted.
 * Robot secrets go from Harbor's answer straight into the Secrets: never
 * into output, logs or task state.
 */
export function createHarborProjectAction(options: {
  harbor: HarborClient | undefined;
  clusters: LubanClusters;
  environments: LubanEnvironment[];
  guard: ProjectGuard;
}) {
  const { clusters } = options;
  return createTemplateAction({
    id: 'luban:harbor:project',
    description:
      'Creates (or brings up to date) the Harbor project of a luban project, a push robot whose pull secret is written into the ci namespace, and a pull-only robot whose pull secret is written into the environment namespaces.',
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
      const names = deriveProjectNames(project, options.environments);
      const ciGateway = clusters.gateway(ctx.input.cluster);
      const ci: SecretTarget = { namespace: names.ciNamespace, cluster: ciGateway.cluster.name };
      const pull = await pullTargets(clusters, options.environments, environments, names, ctx.input.cluster);
      await requireNamespaces(ctx, clusters, [ci, ...pull]);
      const access = await options.guard.check(ctx, project);
      const { mustRecord } = await checkHarborProjectOwnership(harbor, access.record, names);
      // Recorded before it is created, so a task that fails in between still finds the Harbor project its own.
      if (mustRecord) await options.guard.record(ctx, project, access, { harborProject: names.harborProject });
      const ensured = await step(ctx, `luban.harbor.project.${project}`, async dryRun => {
        const { result, project: harborProject } = await harbor.ensureProject(names.harborProject, { dryRun });
        return { results: { [`Harbor project ${names.harborProject}`]: result }, projectId: harborProject?.projectId };
      });
      const { projectId } = ensured;
      const robots = {
        push: new HarborRobotSecrets(harbor, clusters, { project, role: 'push', targets: [ci], forbidden: pull }),
        pull: new HarborRobotSecrets(harbor, clusters, { project, role: 'pull', targets: pull }),
      };
      const secrets: Record<string, string> = {};
      for (const [role, robot] of Object.entries(robots)) {
        const where = (role === 'push' ? [ci] : pull).map(target => `${target.cluster}/${target.namespace}`).join(',');
        const outcome = await step(ctx, `luban.harbor.robot.${role}.${project}.${where}`, async dryRun => ({
          results: dryRun ? await robot.plan(projectId) : await robot.ensure(projectId!),
        }));
        Object.assign(secrets, outcome.results);
      }
      ctx.output('harborProject', names.harborProject);
      ctx.output('projectUrl', projectId ? harbor.projectWebUrl({ projectId }) : `${harbor.webUrl}/harbor/projects`);
      ctx.output('robot', robotFullName(harbor, project, 'push'));
      ctx.output('pullRobot', robotFullName(harbor, project, 'pull'));
      ctx.output('pullSecret', imagePullSecretName(project));
      ctx.output('results', { ...ensured.results, ...secrets });
    },
  });
}
