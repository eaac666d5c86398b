import type { LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import { podStepsOf, stepNamesOfBuild, type KpackPodSteps } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';

/** How many builds' pod steps are remembered; older entries are read again if asked for. */
const MAX_ENTRIES = 2000;

/**
 * The steps of kpack build pods, for Builds that do not name every step
 * themselves (running or failed ones: see `stepNamesOfBuild`). A full build's
 * pod runs other containers than a rebase's, so the names come from the pod.
 * A pod's containers never change, so each is read once per Build.
 */
export class BuildPodSteps {
  private readonly known = new Map<string, KpackPodSteps>();

  constructor(private readonly options: { clusters: ClusterAccess; logger: LoggerService }) {}

  /** The pod steps of each Build that needs them, by Build name. */
  async forBuilds(cluster: string | undefined, objects: KubernetesObject[]): Promise<Map<string, KpackPodSteps>> {
    const found = await Promise.all(objects.map(async object => [object.metadata?.name, await this.of(cluster, object)] as const));
    return new Map(found.filter((entry): entry is [string, KpackPodSteps] => Boolean(entry[0] && entry[1])));
  }

  /** The pod steps of one Build; undefined when the Build names its steps or its pod cannot be read. */
  async of(cluster: string | undefined, object: KubernetesObject & { status?: any }): Promise<KpackPodSteps | undefined> {
    const podName: string | undefined = object.status?.podName;
    const namespace = object.metadata?.namespace;
    if (stepNamesOfBuild(object) || !podName || !namespace) return undefined;
    // By the Build's uid: an Image deleted and made again reuses Build and pod names.
    const key = `${cluster ?? ''}/${object.metadata?.uid ?? `${namespace}/${podName}`}`;
    const cached = this.known.get(key);
    if (cached) return cached;
    try {
      const pod = await this.options.clusters.gateway(cluster).get<KubernetesObject & { spec?: any }>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName, namespace },
      });
      if (!pod) return undefined;
      const steps = podStepsOf(pod);
      if (this.known.size >= MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
      this.known.set(key, steps);
      return steps;
    } catch (error) {
      // Without the pod the steps are named from the Build alone, as far as it says.
      this.options.logger.warn('Could not read a build pod for its step names', {
        cluster,
        namespace,
        pod: podName,
        error: String(error),
      });
      return undefined;
    }
  }
}
