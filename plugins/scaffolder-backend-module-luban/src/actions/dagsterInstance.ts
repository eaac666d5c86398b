import { randomBytes } from 'node:crypto';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  environmentNamespaceName,
  imagePullSecretName,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import type { KubernetesGateway, LubanClusters } from '@luban-backstage/plugin-luban-node';
import {
  DAGSTER_POSTGRES_PASSWORD_KEY,
  DAGSTER_POSTGRES_SECRET,
  DAGSTER_RUN_LAUNCHER_ROLE,
  DAGSTER_SERVICE_ACCOUNT,
} from '../provisioning/dagsterFiles';
import { environmentCluster, missingNamespaces, type ProvisionedObject } from '../provisioning/kubernetesObjects';
import { examples } from './dagsterInstance.examples';
import * as fields from './inputProperties';
import { requireName, selectEnvironments } from './inputs';
import type { ProjectGuard } from './projectGuard';
import { applyEachObject, step } from './step';

/** The objects of one namespace that let the platform's run launcher start runs as Kubernetes Jobs. */
function runLauncherObjects(project: string, namespace: string): ProvisionedObject[] {
  const labels = { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY };
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: DAGSTER_SERVICE_ACCOUNT, namespace, labels },
      // Runs use the code location's image, from the project's Harbor project.
      imagePullSecrets: [{ name: imagePullSecretName(project) }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: DAGSTER_RUN_LAUNCHER_ROLE, namespace, labels },
      rules: [
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        { apiGroups: ['batch'], resources: ['jobs/status'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'pods/status', 'events'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: DAGSTER_RUN_LAUNCHER_ROLE, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: DAGSTER_RUN_LAUNCHER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: DAGSTER_SERVICE_ACCOUNT, namespace }],
    },
  ];
}

const schema = {
  input: {
    project: fields.project,
    environments: fields.environments('Environments to prepare'),
    cluster: fields.cluster(),
  },
  output: {
    passwordSecret: (z: fields.Zod) => z.string().describe('The name of the Secret with the PostgreSQL password in each namespace.'),
    serviceAccount: (z: fields.Zod) => z.string().describe('The ServiceAccount of the webserver, the daemon and the runs.'),
    results: fields.results(),
  },
};

/**
 * The PostgreSQL password Secret of a namespace, created once: PostgreSQL
 * keeps the password it was initialised with, so a new one would lock the
 * platform out of its own database. A dry run only reads.
 */
async function ensurePasswordSecret(gateway: KubernetesGateway, project: string, namespace: string, dryRun: boolean): Promise<string> {
  const secretRef = { apiVersion: 'v1', kind: 'Secret', metadata: { name: DAGSTER_POSTGRES_SECRET, namespace } };
  const live = await gateway.get<ProvisionedObject>(secretRef);
  if (live) {
    if (live.metadata.labels?.[LUBAN_LABELS.project] !== project) {
      throw new ConflictError(
        `Secret '${DAGSTER_POSTGRES_SECRET}' in namespace '${namespace}' exists but was not created by luban for project '${project}'; luban will not use or change it`,
      );
    }
    return 'unchanged';
  }
  if (dryRun) return 'created';
  const labels = { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY };
  const secret = {
    ...secretRef,
    metadata: { ...secretRef.metadata, labels },
    type: 'Opaque',
    immutable: true,
    data: { [DAGSTER_POSTGRES_PASSWORD_KEY]: Buffer.from(randomBytes(24).toString('base64url')).toString('base64') },
  };
  return (await gateway.apply(secret, { owner: { label: LUBAN_LABELS.project, value: project } })).result;
}

/**
 * `luban:dagster:instance`: what a project's Dagster platform needs in each
 * environment namespace (on the environment's cluster) that does not belong
 * in git: the PostgreSQL password, random and created once (never changed,
 * never shown), and the ServiceAccount and RBAC of its run launcher.
 */
export function createDagsterInstanceAction(options: { clusters: LubanClusters; environments: LubanEnvironment[]; guard: ProjectGuard }) {
  return createTemplateAction({
    id: 'luban:dagster:instance',
    description:
      "Creates in each environment namespace of a project what its Dagster platform needs outside git: a random PostgreSQL password Secret (created once) and the run launcher's ServiceAccount, Role and RoleBinding.",
    examples,
    supportsDryRun: true,
    schema,
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const targets = selectEnvironments(options.environments, ctx.input.environments).map(env => ({
        namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
        gateway: options.clusters.gateway(environmentCluster(options.clusters, env, ctx.input.cluster)),
      }));
      for (const { namespace, gateway } of targets) {
        if ((await missingNamespaces(gateway, [namespace])).length > 0) {
          throw new InputError(`Namespace '${namespace}' does not exist in cluster '${gateway.cluster.name}': onboard the project first`);
        }
      }
      await options.guard.check(ctx, project);
      const results: Record<string, string> = {};
      for (const { namespace, gateway } of targets) {
        const secret = await step(ctx, `luban.dagster.secret.${gateway.cluster.name}.${namespace}`, async dryRun => ({
          results: { [`Secret ${namespace}/${DAGSTER_POSTGRES_SECRET}`]: await ensurePasswordSecret(gateway, project, namespace, dryRun) },
        }));
        Object.assign(results, secret.results);
        const objects = runLauncherObjects(project, namespace);
        Object.assign(results, await applyEachObject(ctx, gateway, { keyPrefix: 'luban.dagster', project, objects }));
      }
      ctx.output('passwordSecret', DAGSTER_POSTGRES_SECRET);
      ctx.output('serviceAccount', DAGSTER_SERVICE_ACCOUNT);
      ctx.output('results', results);
    },
  });
}
