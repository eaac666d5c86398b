import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  ciNamespaceName,
  environmentNamespaceName,
  imagePullSecretName,
  LUBAN_LABELS,
  LUBAN_MANAGED_BY,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import {
  HarborClient,
  KubernetesGateway,
  selectCluster,
  type HarborRobot,
  type LubanCluster,
  type RobotSecret,
} from '@luban-backstage/plugin-luban-node';
import { examples } from './harborProject.examples';
import { requireName, selectEnvironments } from './inputs';

/** The robot account's short name; Harbor calls it `robot$<project>+luban`. */
const ROBOT_NAME = 'luban';
/** Which robot a pull secret was written for. */
const ROBOT_ANNOTATION = 'luban.dev/harbor-robot';

/**
 * `luban:harbor:project`: a Harbor project with the configured settings, a
 * robot account scoped to it, and its credentials as a dockerconfigjson
 * Secret in the project's namespaces. The robot secret goes from Harbor's
 * answer straight into the Secrets: never into output, logs or task state.
 */
export function createHarborProjectAction(options: {
  harbor: HarborClient | undefined;
  clusters: LubanCluster[];
  environments: LubanEnvironment[];
  requestTimeoutMs: number;
}) {
  return createTemplateAction({
    id: 'luban:harbor:project',
    description:
      'Creates (or brings up to date) the Harbor project of a luban project and its push/pull robot account, and writes the robot credentials as an image pull secret into the project namespaces.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().describe('The luban project name; also the Harbor project name.'),
        environments: z =>
          z.array(z.string()).optional().describe('Environments whose namespaces get the pull secret; default: all of luban.environments.'),
        cluster: z => z.string().optional().describe('The Kubernetes cluster of the namespaces; default: the first configured.'),
      },
      output: {
        harborProject: z => z.string().describe('The Harbor project name.'),
        projectUrl: z => z.string().describe('The Harbor web page of the project.'),
        robot: z => z.string().describe('The robot account name, e.g. robot$payments+luban.'),
        pullSecret: z => z.string().describe('The name of the image pull Secret in each namespace.'),
        results: z => z.record(z.string(), z.string()).describe('What happened to each object.'),
      },
    },
    async handler(ctx) {
      const project = requireName('project', 'project', ctx.input.project);
      const environments = selectEnvironments(options.environments, ctx.input.environments);
      const harbor = options.harbor;
      if (!harbor) {
        throw new InputError('luban:harbor:project needs luban.harbor (baseUrl, username, password) in the app configuration');
      }
      const cluster = selectCluster(options.clusters, ctx.input.cluster);
      const gateway = new KubernetesGateway(cluster, { requestTimeoutMs: options.requestTimeoutMs });
      const namespaces = [
        ciNamespaceName(project),
        ...environments.map(env => environmentNamespaceName(env.name, project, env.namespacePattern)),
      ];
      const secretName = imagePullSecretName(project);
      const secretRef = (namespace: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace } });
      for (const namespace of namespaces) {
        if (!(await gateway.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }))) {
          const problem = `Namespace '${namespace}' does not exist in cluster '${cluster.name}': run luban:project:namespaces first`;
          // A dry run of a whole template has not created them: its namespaces step only said it would.
          if (!ctx.isDryRun) throw new InputError(problem);
          ctx.logger.info(problem);
        }
      }

      const results: Record<string, string> = {};
      let projectId: number | undefined;
      const report = (object: string, result: string) => {
        results[object] = ctx.isDryRun ? `would be ${result}` : result;
        ctx.logger.info(`${object}: ${results[object]}`);
      };

      // Which namespaces still lack a pull secret for the current robot.
      const missingSecrets = async (robot: HarborRobot | undefined) => {
        const missing: string[] = [];
        for (const namespace of namespaces) {
          const secret = await gateway.get<any>(secretRef(namespace));
          if (!robot || secret?.metadata?.annotations?.[ROBOT_ANNOTATION] !== robot.name) missing.push(namespace);
        }
        return missing;
      };

      if (ctx.isDryRun) {
        const { result, project: existing } = await harbor.ensureProject(project, { dryRun: true });
        projectId = existing?.projectId;
        report(`Harbor project ${project}`, result);
        const robot = existing ? await harbor.findRobot(existing, ROBOT_NAME) : undefined;
        report(`Harbor robot robot$${project}+${ROBOT_NAME}`, robot ? 'unchanged' : 'created');
        const missing = await missingSecrets(robot);
        for (const namespace of namespaces) {
          report(`Secret ${namespace}/${secretName}`, missing.includes(namespace) ? 'written' : 'unchanged');
        }
      } else {
        const ensured = await ctx.checkpoint({
          key: `luban.harbor.project.${project}`,
          fn: async () => {
            const { result, project: created } = await harbor.ensureProject(project);
            return { result, projectId: created!.projectId };
          },
        });
        report(`Harbor project ${project}`, ensured.result);
        projectId = ensured.projectId;
        const harborProject = { projectId: ensured.projectId, name: project, metadata: {} };
        const outcome = await ctx.checkpoint({
          key: `luban.harbor.robot.${project}.${cluster.name}.${namespaces.join(',')}`,
          fn: async () => {
            const summary: Record<string, string> = {};
            const robot = await harbor.findRobot(harborProject, ROBOT_NAME);
            const missing = await missingSecrets(robot);
            if (robot && missing.length === 0) {
              summary[`Harbor robot ${robot.name}`] = 'unchanged';
              for (const namespace of namespaces) summary[`Secret ${namespace}/${secretName}`] = 'unchanged';
              return summary;
            }
            // Harbor shows a secret only once: a robot whose secret was not
            // written everywhere gets a new one, written everywhere.
            let secret: RobotSecret;
            if (robot) {
              secret = await harbor.rotateRobotSecret(robot);
              summary[`Harbor robot ${robot.name}`] = 'secret rotated';
            } else {
              secret = (await harbor.createRobot(harborProject, ROBOT_NAME)).secret;
              summary[`Harbor robot ${secret.username}`] = 'created';
            }
            for (const namespace of namespaces) {
              const { result } = await gateway.apply(
                {
                  ...secretRef(namespace),
                  type: 'kubernetes.io/dockerconfigjson',
                  metadata: {
                    name: secretName,
                    namespace,
                    labels: { [LUBAN_LABELS.project]: project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY },
                    annotations: { [ROBOT_ANNOTATION]: secret.username },
                  },
                  data: { '.dockerconfigjson': Buffer.from(secret.dockerConfigJson(harbor.registryHost)).toString('base64') },
                } as any,
                { owner: { label: LUBAN_LABELS.project, value: project } },
              );
              summary[`Secret ${namespace}/${secretName}`] = result;
            }
            return summary;
          },
        });
        for (const [object, result] of Object.entries(outcome)) report(object, result);
      }

      ctx.output('harborProject', project);
      ctx.output('projectUrl', projectId ? harbor.projectWebUrl({ projectId }) : `${harbor.webUrl}/harbor/projects`);
      ctx.output('robot', `robot$${project}+${ROBOT_NAME}`);
      ctx.output('pullSecret', secretName);
      ctx.output('results', results);
    },
  });
}
