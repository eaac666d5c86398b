import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ciNamespaceName,
  environmentNamespaceName,
  LUBAN_LABELS,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import {
  KubernetesGateway,
  selectCluster,
  type ApplyResult,
  type LubanCluster,
} from '@luban-backstage/plugin-luban-node';
import {
  namespaceObjects,
  namespacePlans,
  type NamespaceDefaults,
} from '../provisioning/namespaces';
import { examples } from './projectNamespaces.examples';
import {
  requireGroupRef,
  requireName,
  requireQuantities,
  selectEnvironments,
} from './inputs';

/**
 * `luban:project:namespaces`: the `ci-`, and one namespace per environment,
 * of a project, each with Pod Security labels, a ResourceQuota, a
 * LimitRange, a ServiceAccount and the owner group's RoleBinding.
 */
export function createProjectNamespacesAction(options: {
  clusters: LubanCluster[];
  environments: LubanEnvironment[];
  defaults: NamespaceDefaults;
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:project:namespaces',
    description:
      'Creates (or brings up to date) the build namespace and the environment namespaces of a luban project, with Pod Security labels, quota, limits, a ServiceAccount and RBAC for the owner group.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        owner: z =>
          z.string().describe('The Group entity that owns the project, e.g. group:default/payments-team. It gets edit rights in the first environment and view rights elsewhere.'),
        environments: z =>
          z.array(z.string()).optional().describe('Environments to create namespaces for; default: all of luban.environments.'),
        quota: z =>
          z.record(z.string(), z.string()).optional().describe('ResourceQuota overrides, e.g. { "requests.cpu": "8" }.'),
        cluster: z =>
          z.string().optional().describe('The Kubernetes cluster, by its name in kubernetes.clusterLocatorMethods; default: the first.'),
      },
      output: {
        namespaces: z => z.record(z.string(), z.string()).describe('Namespace name by environment, including ci.'),
        results: z =>
          z.record(z.string(), z.string()).describe('What happened to each object: created, updated or unchanged (would-… in a dry run).'),
        cluster: z => z.string().describe('The cluster the namespaces are in.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const owner = requireGroupRef('owner', ctx.input.owner);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      requireQuantities('quota', ctx.input.quota);
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const gateway = new KubernetesGateway(cluster, { requestTimeoutMs: options.requestTimeoutMs });

      const plans = namespacePlans(
        ciNamespaceName(project),
        environments.map(env => ({ name: env.name, namespace: environmentNamespaceName(env.name, project, env.namespacePattern) })),
      );
      const objectsByPlan = plans.map(plan =>
        namespaceObjects({ project, owner, plan, defaults: options.defaults, quota: ctx.input.quota }),
      );
      // Find a namespace that belongs to someone else before creating any, so
      // that a refusal leaves nothing half-created.
      for (const [namespace] of objectsByPlan) {
        await gateway.apply(namespace as any, { dryRun: true, owner: { label: LUBAN_LABELS.project, value: project } });
      }
      const results: Record<string, string> = {};
      for (const [index, plan] of plans.entries()) {
        const objects = objectsByPlan[index];
        const outcome = ctx.isDryRun
          ? await applyAll(gateway, objects, project, true)
          : await ctx.checkpoint({
              key: `luban.namespaces.${cluster.name}.${plan.name}`,
              fn: () => applyAll(gateway, objects, project, false),
            });
        for (const [object, result] of Object.entries(outcome)) {
          results[object] = ctx.isDryRun ? `would be ${result}` : result;
          ctx.logger.info(`${object}: ${results[object]}`);
        }
      }
      ctx.output('namespaces', Object.fromEntries(plans.map(plan => [plan.environment, plan.name])));
      ctx.output('results', results);
      ctx.output('cluster', cluster.name);
    },
  });
}

async function applyAll(
  gateway: KubernetesGateway,
  objects: ReturnType<typeof namespaceObjects>,
  project: string,
  dryRun: boolean,
): Promise<Record<string, ApplyResult>> {
  const outcome: Record<string, ApplyResult> = {};
  for (const object of objects) {
    const { result } = await gateway.apply(object as any, {
      dryRun,
      owner: { label: LUBAN_LABELS.project, value: project },
    });
    const namespace = 'namespace' in object.metadata ? object.metadata.namespace : undefined;
    const where = namespace ? `${namespace}/` : '';
    outcome[`${object.kind} ${where}${object.metadata.name}`] = result;
  }
  return outcome;
}
