import { imagePullSecretName, LUBAN_LABELS, LUBAN_MANAGED_BY } from '@luban-backstage/plugin-luban-common';
import type {
  HarborClient,
  HarborProject,
  HarborRobot,
  HarborRobotRole,
  LubanClusters,
  RobotSecret,
} from '@luban-backstage/plugin-luban-node';

/** Each robot's short name; Harbor calls them `<robot_name_prefix><project>+<name>` (`robot$` by default). */
export const ROBOT_NAMES: Record<HarborRobotRole, string> = {
  push: 'luban',
  pull: 'luban-pull',
};
/** Which robot a Secret was written for. */
const ROBOT_ANNOTATION = 'luban.dev/harbor-robot';

/** A namespace on a cluster. */
export interface SecretTarget {
  namespace: string;
  cluster: string;
}

/** Harbor's full name of a project's robot, e.g. `robot$payments+luban-pull` (Harbor's robot_name_prefix first). */
export function robotFullName(harbor: HarborClient, project: string, role: HarborRobotRole): string {
  return harbor.robotName(project, ROBOT_NAMES[role]);
}

/**
 * Writes one robot's credentials as the project's dockerconfigjson Secret
 * (`harbor-<project>`, the name the service accounts refer to) into the
 * namespaces that must hold it: the push robot's into `ci-<project>` only,
 * the pull robot's into the environment namespaces.
 */
export class HarborRobotSecrets {
  private readonly secretName: string;
  private readonly robotName: string;

  constructor(
    private readonly harbor: HarborClient,
    private readonly clusters: LubanClusters,
    private readonly options: {
      project: string;
      role: HarborRobotRole;
      /** Every namespace this robot's Secret was ever written to: all are rewritten when the secret changes. */
      targets: SecretTarget[];
      /**
       * Namespaces that must never hold this robot's secret. One that does
       * (written before the push/pull split) makes the secret rotate, so the
       * copy there stops working.
       */
      forbidden?: SecretTarget[];
    },
  ) {
    this.secretName = imagePullSecretName(options.project);
    this.robotName = robotFullName(harbor, options.project, options.role);
  }

  private secretRef(namespace: string) {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: this.secretName, namespace },
    };
  }

  private secretKey(target: SecretTarget) {
    return `Secret ${target.namespace}/${this.secretName}`;
  }

  private async holder(target: SecretTarget): Promise<string | undefined> {
    const secret = await this.clusters.gateway(target.cluster).get<any>(this.secretRef(target.namespace));
    return secret?.metadata?.annotations?.[ROBOT_ANNOTATION];
  }

  /** Why the robot needs a new secret, written everywhere; undefined when every target holds its current one. */
  private async staleness(robot: HarborRobot | undefined): Promise<'missing' | 'leaked' | undefined> {
    if (!robot) return 'missing';
    for (const target of this.options.targets) {
      if ((await this.holder(target)) !== robot.name) return 'missing';
    }
    for (const target of this.options.forbidden ?? []) {
      if ((await this.holder(target)) === robot.name) return 'leaked';
    }
    return undefined;
  }

  private findRobot(projectId: number) {
    const project: HarborProject = {
      projectId,
      name: this.options.project,
      metadata: {},
    };
    return this.harbor.findRobot(project, ROBOT_NAMES[this.options.role]);
  }

  /** What {@link HarborRobotSecrets.ensure} would do, reading only. */
  async plan(projectId: number | undefined): Promise<Record<string, string>> {
    const robot = projectId ? await this.findRobot(projectId) : undefined;
    const stale = await this.staleness(robot);
    let robotResult = 'unchanged';
    if (!robot) robotResult = 'created';
    else if (stale) robotResult = 'secret rotated';
    const results: Record<string, string> = {
      [`Harbor robot ${this.robotName}`]: robotResult,
    };
    for (const target of this.options.targets) results[this.secretKey(target)] = stale ? 'written' : 'unchanged';
    return results;
  }

  /**
   * Makes every target hold a Secret of the robot's current secret. Harbor
   * shows a robot's secret only once: a robot whose secret is missing from a
   * target, or sits where it must not, gets a new one, written to every
   * target. The secret goes from Harbor's answer straight into the Secrets,
   * never into results or logs.
   */
  async ensure(projectId: number): Promise<Record<string, string>> {
    const results: Record<string, string> = {};
    const robot = await this.findRobot(projectId);
    if (!(await this.staleness(robot))) {
      results[`Harbor robot ${this.robotName}`] = 'unchanged';
      for (const target of this.options.targets) results[this.secretKey(target)] = 'unchanged';
      return results;
    }
    let secret: RobotSecret;
    if (robot) {
      secret = await this.harbor.rotateRobotSecret(robot);
      results[`Harbor robot ${robot.name}`] = 'secret rotated';
    } else {
      const project: HarborProject = {
        projectId,
        name: this.options.project,
        metadata: {},
      };
      secret = (await this.harbor.createRobot(project, ROBOT_NAMES[this.options.role], this.options.role)).secret;
      results[`Harbor robot ${secret.username}`] = 'created';
    }
    for (const target of this.options.targets) results[this.secretKey(target)] = await this.write(target, secret);
    return results;
  }

  private async write(target: SecretTarget, secret: RobotSecret): Promise<string> {
    const { project } = this.options;
    const { result } = await this.clusters.gateway(target.cluster).apply(
      {
        ...this.secretRef(target.namespace),
        type: 'kubernetes.io/dockerconfigjson',
        metadata: {
          name: this.secretName,
          namespace: target.namespace,
          labels: {
            [LUBAN_LABELS.project]: project,
            [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY,
          },
          annotations: { [ROBOT_ANNOTATION]: secret.username },
        },
        data: {
          '.dockerconfigjson': Buffer.from(secret.dockerConfigJson(this.harbor.registryHost)).toString('base64'),
        },
      } as any,
      { owner: { label: LUBAN_LABELS.project, value: project } },
    );
    return result;
  }
}
