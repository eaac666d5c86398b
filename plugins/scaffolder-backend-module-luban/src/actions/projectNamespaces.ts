import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { ciNamespaceName, environmentNamespaceName, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { normalizeGroupRef, type LubanClusters, type NamespaceDefaults } from '@luban-backstage/plugin-luban-node';
import { applyObjects, environmentCluster } from '../provisioning/kubernetesObjects';
import { namespaceObjects, namespacePlans } from '../provisioning/namespaces';
import { examples } from './projectNamespaces.examples';
import * as fields from './inputProperties';
import { requireGroupRef, requireName, requireQuantities, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { step } from './step';

const schema = {
  input: {
    project: fields.project,
    owner: fields.owner(
      'the project',
      'group:default/payments-team. It gets edit rights in the first environment and view rights elsewhere',
    ),
    environments: fields.environments('Environments to create namespaces for'),
    quota: (z: fields.Zod) =>
      z.record(z.string(), z.string()).optional().describe('ResourceQuota overrides, e.g. { "requests.cpu": "8" }.'),
    cluster: fields.cluster('The Kubernetes cluster, by its name in kubernetes.clusterLocatorMethods; default: the first.'),
  },
  output: {
    namespaces: fields.record('Namespace name by environment, including ci.'),
    results: fields.results('What happened to each object: created, updated or unchanged (would-… in a dry run).'),
    cluster: (z: fields.Zod) => z.string().describe('The cluster the namespaces are in.'),
  },
};

/**
 * `luban:project:namespaces`: the `ci-`, and one namespace per environment,
 * of a project, each with Pod Security labels, a ResourceQuota, a
 * LimitRange, a ServiceAccount and the owner group's RoleBinding. The `ci-`
 * namespace is on the default cluster (kpack builds there), each
 * environment's on its own cluster.
 */
export function createProjectNamespacesAction(options: {
  clusters: LubanClusters;
  environments: LubanEnvironment[];
  defaults: NamespaceDefaults;
  guard: ProjectGuard;
}) {
  const { clusters } = options;
  return createTemplateAction({
    id: 'luban:project:namespaces',
    description:
      'Creates (or brings up to date) the build namespace and the environment namespaces of a luban project, with Pod Security labels, quota, limits, a ServiceAccount and RBAC for the owner group.',
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      requireQuantities('quota', ctx.input.quota);
      const access = await options.guard.check(ctx, project, { owner });
      // Only a platform admin gets here with another owner (or an unrecorded project): the owner's RoleBindings follow.
      const repoint = access.lookup.state === 'unrecorded' || (access.record !== undefined && access.record.owner !== normalizeGroupRef(owner));
      const ciCluster = clusters.cluster(ctx.input.cluster).name;
      const plans = namespacePlans(
        { name: ciNamespaceName(project), cluster: ciCluster },
        environments.map(env => ({
          name: env.name,
          namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
          cluster: environmentCluster(clusters, env, ctx.input.cluster),
        })),
      );
      const objectsOf = (plan: (typeof plans)[number]) =>
        namespaceObjects({ project, owner, plan, defaults: options.defaults, quota: ctx.input.quota });
      // Find an object that belongs to someone else, or points elsewhere,
      // before creating any, so that a refusal leaves nothing half-created.
      for (const plan of plans) {
        await applyObjects(clusters.gateway(plan.cluster), objectsOf(plan), { project, dryRun: true, repoint });
      }
      const results: Record<string, string> = {};
      for (const plan of plans) {
        const outcome = await step(ctx, `luban.namespaces.${plan.cluster}.${plan.name}`, async dryRun => ({
          results: await applyObjects(clusters.gateway(plan.cluster), objectsOf(plan), { project, dryRun, repoint }),
        }));
        Object.assign(results, outcome.results);
      }
      ctx.output('namespaces', Object.fromEntries(plans.map(plan => [plan.environment, plan.name])));
      ctx.output('results', results);
      ctx.output('cluster', ciCluster);
    },
  });
}
