import type { Writable } from 'node:stream';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { KubernetesObject } from '@kubernetes/client-node';
import { harborProjectName, type LubanBuild, type LubanBuildList, type LubanRebuildResult } from '@luban-backstage/plugin-luban-common';
import {
  isBuildOfImage,
  toKpackBuild,
  type GitProviders,
  type HarborClient,
  type KpackBuild,
  type KpackPodSteps,
  type ResourceInformer,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';
import type { Actor, BuildService } from '../types';
import { copyContainerLog, waitForBuild } from './buildLogs';
import { BuildPodSteps } from './BuildPodSteps';
import { HarborArtifactLinks } from './HarborArtifactLinks';
import { HarborScans } from './HarborScans';
import { newestFirst, toLubanBuild, type BuildLinks } from './toLubanBuild';

/**
 * How many of the newest succeeded builds the list shows with their scan:
 * each costs Harbor one artifact read when its cached scan has expired.
 */
export const SCANNED_BUILDS_IN_LIST = 3;

/** Whether kpack has reported the build's steps (it has a pod with step containers). */
function hasSteps(object: KubernetesObject & { status?: any }): boolean {
  return Boolean(object.status?.podName) && (object.status?.stepStates?.length ?? 0) > 0;
}

function stepOf(build: KpackBuild, step: string) {
  return build.steps.find(s => s.name === step) ?? { name: step, state: 'waiting' as const };
}

/**
 * The kpack Builds of an app. Lists and single builds come from the
 * cluster's Build cache (one list, then a watch), so views cost the cluster
 * nothing; logs are read from the build pod's step containers.
 */
export class KpackBuildService implements BuildService {
  private readonly artifactLinks: HarborArtifactLinks;
  private readonly podSteps: BuildPodSteps;
  private readonly scans: HarborScans;

  constructor(
    private readonly options: { clusters: ClusterAccess; git: GitProviders; harbor?: HarborClient; logger: LoggerService },
  ) {
    this.artifactLinks = new HarborArtifactLinks(options.harbor, options.logger);
    this.podSteps = new BuildPodSteps({ clusters: options.clusters, logger: options.logger });
    this.scans = new HarborScans(options.harbor, options.logger);
  }

  async listBuilds(target: LubanTarget): Promise<LubanBuildList> {
    // The images are in the project's Harbor project: its id is looked up while the builds are read.
    this.artifactLinks.warm(harborProjectName(target.project));
    const objects = await this.buildObjects(target);
    const [links, podSteps] = await Promise.all([this.linksFor(target, objects), this.podSteps.forBuilds(target.cluster, objects)]);
    const builds = objects.map(object => toLubanBuild(object, links, podSteps.get(object.metadata!.name!))).sort(newestFirst);
    return {
      image: `${target.image.namespace}/${target.image.name}`,
      cluster: this.options.clusters.cluster(target.cluster).name,
      builds: await this.withScans(target, builds, SCANNED_BUILDS_IN_LIST),
    };
  }

  async getBuild(target: LubanTarget, name: string): Promise<LubanBuild | undefined> {
    const object = (await this.buildObjects(target)).find(o => o.metadata?.name === name);
    if (!object) return undefined;
    const [links, podSteps] = await Promise.all([this.linksFor(target, [object]), this.podSteps.of(target.cluster, object)]);
    const [build] = await this.withScans(target, [toLubanBuild(object, links, podSteps)], 1);
    return build;
  }

  async readSbom(target: LubanTarget, digest: string): Promise<{ content: Buffer; sbomDigest: string }> {
    return this.scans.sbom(target, digest);
  }

  /** The builds, the first `count` succeeded ones with Harbor's scan and SBOM of their digest. */
  private async withScans(target: LubanTarget, builds: LubanBuild[], count: number): Promise<LubanBuild[]> {
    const digests = builds.flatMap(b => (b.digest ? [b.digest] : [])).slice(0, count);
    if (digests.length === 0) return builds;
    const scans = await this.scans.of(target, digests);
    return builds.map(b => (b.digest && scans.has(b.digest) ? { ...b, vulnerabilities: scans.get(b.digest) } : b));
  }

  async streamLog(
    target: LubanTarget,
    name: string,
    options: { step?: string; follow: boolean; signal: AbortSignal },
    output: Writable,
  ): Promise<void> {
    const { step, follow, signal } = options;
    const informer = await this.options.clusters.builds(target.cluster);
    const gateway = this.options.clusters.gateway(target.cluster);
    const find = () => informer.list(this.belongsTo(target)).find(o => o.metadata?.name === name);
    let object = find();
    if (!object) throw new NotFoundError(`${target.entityRef} has no build '${name}'`);
    if (follow && toKpackBuild(object).status === 'running' && !hasSteps(object)) {
      // Which steps a build has is known once its pod is: wait for it, or for the build to end without one.
      object = await waitForBuild(informer, find, o => toKpackBuild(o).status !== 'running' || hasSteps(o), signal);
      if (!object) return;
    }
    const podSteps = await this.podSteps.of(target.cluster, object);
    const steps = toKpackBuild(object, podSteps).steps.map(s => s.name);
    if (step !== undefined && !steps.includes(step)) {
      const which = steps.length ? `the steps are ${steps.join(', ')}` : `build '${name}' has not started any step yet`;
      throw new InputError(`'${step}' is not a build step; ${which}`);
    }
    // Never write to a response whose client has gone.
    const write = (text: string) => {
      if (!signal.aborted) output.write(text);
    };

    for (const stepName of step ? [step] : steps) {
      if (signal.aborted) return;
      const current = await this.stepStarted(object, stepName, { informer, find, podSteps, follow, signal });
      if (!current) return;
      object = current.object;
      const { build } = current;
      const state = stepOf(build, stepName).state;
      if (state === 'waiting') {
        // Every step of a whole log that ran is shown; one asked for by name gets an answer either way.
        if (step) write(`[luban] the step '${stepName}' has not ${build.status === 'running' ? 'started yet' : 'run'}\n`);
        continue;
      }
      if (!step) write(`--- ${stepName} ---\n`);
      await copyContainerLog(
        gateway,
        { namespace: target.image.namespace, pod: build.podName ?? `${build.name}-build-pod`, container: stepName },
        { follow: follow && state === 'running', signal },
        output,
      );
      object = find() ?? object;
    }
  }

  /**
   * The build once a step has started (following a running build: steps
   * start one after another), or as it is; undefined when it was deleted or
   * the client left while waiting.
   */
  private async stepStarted(
    object: KubernetesObject,
    stepName: string,
    context: {
      informer: ResourceInformer<KubernetesObject>;
      find: () => KubernetesObject | undefined;
      podSteps?: KpackPodSteps;
      follow: boolean;
      signal: AbortSignal;
    },
  ): Promise<{ object: KubernetesObject; build: KpackBuild } | undefined> {
    const { informer, find, podSteps, follow, signal } = context;
    const read = (o: KubernetesObject) => toKpackBuild(o, podSteps);
    const build = read(object);
    if (!follow || build.status !== 'running' || stepOf(build, stepName).state !== 'waiting') return { object, build };
    const started = await waitForBuild(
      informer,
      find,
      o => read(o).status !== 'running' || stepOf(read(o), stepName).state !== 'waiting',
      signal,
    );
    return started ? { object: started, build: read(started) } : undefined;
  }

  async rebuild(target: LubanTarget): Promise<LubanRebuildResult> {
    const gateway = this.options.clusters.gateway(target.cluster);
    // A fresh list, not the cache: the annotation only works on the latest Build.
    const result = await gateway.triggerBuild(target.image.namespace, target.image.name);
    this.options.logger.info('Triggered a kpack build', {
      entityRef: target.entityRef,
      image: `${target.image.namespace}/${target.image.name}`,
      triggeredFrom: result.triggeredFrom,
    });
    return result;
  }

  async cancel(target: LubanTarget, name: string, actor: Actor, options: { dryRun?: boolean } = {}): Promise<LubanBuild> {
    const build = await this.getBuild(target, name);
    if (!build) throw new NotFoundError(`${target.entityRef} has no build '${name}'`);
    if (build.status !== 'running') {
      throw new InputError(`Build #${build.number} (${name}) is not running: it ${build.status === 'cancelled' ? 'was cancelled' : build.status}; only a running build can be cancelled`);
    }
    if (options.dryRun) return build;
    const gateway = this.options.clusters.gateway(target.cluster);
    const cancelledBy = actor.userEntityRef ?? 'a service';
    await gateway.cancelBuild(target.image.namespace, name, cancelledBy);
    this.options.logger.info('Cancelled a kpack build', { entityRef: target.entityRef, build: name, cancelledBy });
    // As the cluster now has it; the cache hears of it by its watch.
    return { ...build, status: 'cancelled', message: `Cancelled by ${cancelledBy}` };
  }

  /** Only Builds of the target's own Image: a name from the URL never reaches another app's build. */
  private belongsTo(target: LubanTarget) {
    return (object: KubernetesObject) => isBuildOfImage(object, target.image);
  }

  private async buildObjects(target: LubanTarget): Promise<KubernetesObject[]> {
    const informer = await this.options.clusters.builds(target.cluster);
    return informer.list(this.belongsTo(target));
  }

  private async linksFor(target: LubanTarget, objects: KubernetesObject[]): Promise<BuildLinks> {
    const images = objects.map(o => toKpackBuild(o).latestImage).filter((image): image is string => Boolean(image));
    const registryUrl = await this.artifactLinks.prepare(images);
    const sourceRepo = target.sourceRepo;
    let commitUrl: BuildLinks['commitUrl'] = () => undefined;
    if (sourceRepo) {
      try {
        const provider = this.options.git.forRepository(sourceRepo);
        commitUrl = sha => provider.webUrlOfCommit(sourceRepo, sha);
      } catch {
        // An unsupported host: the builds are shown without commit links.
      }
    }
    return { commitUrl, registryUrl };
  }
}
