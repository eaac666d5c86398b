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
import { KubernetesGateway, selectCluster, type LubanCluster } from '@luban-backstage/plugin-luban-node';
import {
  DAGSTER_POSTGRES_PASSWORD_KEY,
  DAGSTER_POSTGRES_SECRET,
  DAGSTER_RUN_LAUNCHER_ROLE,
  DAGSTER_SERVICE_ACCOUNT,
} from '../provisioning/dagsterFiles';
import { examples } from './dagsterInstance.examples';
import { requireName, selectEnvironments } from './inputs';

type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> } } & Record<string, unknown>;

/** The objects of one namespace that let the platform's run launcher start runs as Kubernetes Jobs. */
function runLauncherObjects(project: string, namespace: string): KubeObject[] {
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

/**
 * `luban:dagster:instance`: what a project's Dagster platform needs in each
 * environment namespace that does not belong in git: the PostgreSQL
 * password, random and created once (never changed, never shown), and the
 * ServiceAccount and RBAC of its run launcher.
 */
export function createDagsterInstanceAction(options: {
  clusters: LubanCluster[];
  environments: LubanEnvironment[];
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:dagster:instance',
    description:
      "Creates in each environment namespace of a project what its Dagster platform needs outside git: a random PostgreSQL password Secret (created once) and the run launcher's ServiceAccount, Role and RoleBinding.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name.'),
        environments: z => z.array(z.string()).optional().describe('Environments to prepare; default: all of luban.environments.'),
        cluster: z => z.string().optional().describe('The Kubernetes cluster of the namespaces; default: the first configured.'),
      },
      output: {
        passwordSecret: z => z.string().describe('The name of the Secret with the PostgreSQL password in each namespace.'),
        serviceAccount: z => z.string().describe('The ServiceAccount of the webserver, the daemon and the runs.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to each object.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const gateway = new KubernetesGateway(cluster, { requestTimeoutMs: options.requestTimeoutMs });
      const namespaces = environments.map(env => environmentNamespaceName(env.name, project, env.namespacePattern));
      for (const namespace of namespaces) {
        if (!(await gateway.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }))) {
          throw new InputError(`Namespace '${namespace}' does not exist in cluster '${cluster.name}': onboard the project first`);
        }
      }
      const owner = { label: LUBAN_LABELS.project, value: project };
      const results: Record<string, string> = {};
      const report = (what: string, result: string) => {
        results[what] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${what}: ${results[what]}`);
      };

      for (const namespace of namespaces) {
        const secretRef = { apiVersion: 'v1', kind: 'Secret', metadata: { name: DAGSTER_POSTGRES_SECRET, namespace } };
        // Created once: PostgreSQL keeps the password it was initialised with,
        // so a new one would lock the platform out of its own database.
        const ensureSecret = async (): Promise<string> => {
          const live = await gateway.get<KubeObject>(secretRef);
          if (live) {
            if (live.metadata.labels?.[LUBAN_LABELS.project] !== project) {
              throw new ConflictError(
                `Secret '${DAGSTER_POSTGRES_SECRET}' in namespace '${namespace}' exists but was not created by luban for project '${project}'; luban will not use or change it`,
              );
            }
            return 'unchanged';
          }
          if (ctx.isDryRun) return 'created';
          const secret = {
            ...secretRef,
            metadata: { ...secretRef.metadata, labels: { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY } },
            type: 'Opaque',
            immutable: true,
            data: { [DAGSTER_POSTGRES_PASSWORD_KEY]: Buffer.from(randomBytes(24).toString('base64url')).toString('base64') },
          };
          return (await gateway.apply(secret, { owner })).result;
        };
        const secretResult = ctx.isDryRun
          ? await ensureSecret()
          : await ctx.checkpoint({ key: `luban.dagster.secret.${cluster.name}.${namespace}`, fn: ensureSecret });
        report(`Secret ${namespace}/${DAGSTER_POSTGRES_SECRET}`, secretResult);

        for (const object of runLauncherObjects(project, namespace)) {
          const apply = async () => (await gateway.apply(object, { dryRun: ctx.isDryRun, owner })).result;
          const result = ctx.isDryRun
            ? await apply()
            : await ctx.checkpoint({ key: `luban.dagster.${cluster.name}.${namespace}.${object.kind}.${object.metadata.name}`, fn: apply });
          report(`${object.kind} ${namespace}/${object.metadata.name}`, result);
        }
      }
      ctx.output('passwordSecret', DAGSTER_POSTGRES_SECRET);
      ctx.output('serviceAccount', DAGSTER_SERVICE_ACCOUNT);
      ctx.output('results', results);
    },
  });
}
