import { imagePullSecretName, LUBAN_LABELS, LUBAN_MANAGED_BY } from '@luban-backstage/plugin-luban-common';
import type { HarborClient, HarborRobot, LubanClusters, RobotSecret } from '@luban-backstage/plugin-luban-node';

/** The robot account's short name; Harbor calls it `robot$<project>+luban`. */
export const ROBOT_NAME = 'luban';
/** Which robot a pull secret was written for. */
const ROBOT_ANNOTATION = 'luban.dev/harbor-robot';

/** A namespace that gets the project's pull secret, and the cluster it is on. */
export interface PullSecretTarget {
  namespace: string;
  cluster: string;
}

/** Writes a project's robot credentials as pull secrets into namespaces on their clusters. */
export class HarborPullSecrets {
  private readonly secretName: string;

  constructor(
    private readonly harbor: HarborClient,
    private readonly clusters: LubanClusters,
    private readonly project: string,
    private readonly targets: PullSecretTarget[],
  ) {
    this.secretName = imagePullSecretName(project);
  }

  private secretRef(namespace: string) {
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name: this.secretName, namespace } };
  }

  private secretKey(target: PullSecretTarget) {
    return `Secret ${target.namespace}/${this.secretName}`;
  }

  /** The targets that still lack a pull secret for the current robot. */
  private async missing(robot: HarborRobot | undefined): Promise<PullSecretTarget[]> {
    const missing: PullSecretTarget[] = [];
    for (const target of this.targets) {
      const secret = await this.clusters.gateway(target.cluster).get<any>(this.secretRef(target.namespace));
      if (!robot || secret?.metadata?.annotations?.[ROBOT_ANNOTATION] !== robot.name) missing.push(target);
    }
    return missing;
  }

  /** What {@link HarborPullSecrets.ensure} would do, reading only. */
  async plan(projectId: number | undefined): Promise<Record<string, string>> {
    const robot = projectId ? await this.harbor.findRobot({ projectId, name: this.project, metadata: {} }, ROBOT_NAME) : undefined;
    const missing = await this.missing(robot);
    const results: Record<string, string> = { [`Harbor robot robot$${this.project}+${ROBOT_NAME}`]: robot ? 'unchanged' : 'created' };
    for (const target of this.targets) results[this.secretKey(target)] = missing.includes(target) ? 'written' : 'unchanged';
    return results;
  }

  /**
   * Makes every target hold a pull secret of the project's robot. Harbor
   * shows a robot's secret only once: a robot whose secret was not written
   * everywhere gets a new one, written everywhere. The secret goes from
   * Harbor's answer straight into the Secrets, never into results or logs.
   */
  async ensure(projectId: number): Promise<Record<string, string>> {
    const harborProject = { projectId, name: this.project, metadata: {} };
    const results: Record<string, string> = {};
    const robot = await this.harbor.findRobot(harborProject, ROBOT_NAME);
    if (robot && (await this.missing(robot)).length === 0) {
      results[`Harbor robot ${robot.name}`] = 'unchanged';
      for (const target of this.targets) results[this.secretKey(target)] = 'unchanged';
      return results;
    }
    let secret: RobotSecret;
    if (robot) {
      secret = await this.harbor.rotateRobotSecret(robot);
      results[`Harbor robot ${robot.name}`] = 'secret rotated';
    } else {
      secret = (await this.harbor.createRobot(harborProject, ROBOT_NAME)).secret;
      results[`Harbor robot ${secret.username}`] = 'created';
    }
    for (const target of this.targets) results[this.secretKey(target)] = await this.write(target, secret);
    return results;
  }

  private async write(target: PullSecretTarget, secret: RobotSecret): Promise<string> {
    const { result } = await this.clusters.gateway(target.cluster).apply(
      {
        ...this.secretRef(target.namespace),
        type: 'kubernetes.io/dockerconfigjson',
        metadata: {
          name: this.secretName,
          namespace: target.namespace,
          labels: { [LUBAN_LABELS.project]: this.project, [LUBAN_LABELS.managedBy]: LUBAN_MANAGED_BY },
          annotations: { [ROBOT_ANNOTATION]: secret.username },
        },
        data: { '.dockerconfigjson': Buffer.from(secret.dockerConfigJson(this.harbor.registryHost)).toString('base64') },
      } as any,
      { owner: { label: LUBAN_LABELS.project, value: this.project } },
    );
    return result;
  }
}
