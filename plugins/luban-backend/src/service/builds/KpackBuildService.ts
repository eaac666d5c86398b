import type { Writable } from 'node:stream';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { KubernetesObject } from '@kubernetes/client-node';
import { harborProjectName, type LubanBuild, type LubanBuildList, type LubanRebuildResult } from '@luban-backstage/plugin-luban-common';
import { isBuildOfImage, toKpackBuild, type GitProviders, type HarborClient, type KpackBuild } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';
import type { BuildService } from '../types';
import { copyContainerLog, waitForBuild } from './buildLogs';
import { HarborArtifactLinks } from './HarborArtifactLinks';
import { newestFirst, toLubanBuild, type BuildLinks } from './toLubanBuild';

/** The containers of a kpack build pod, in the order they run: init containers, then `completion`. */
export const BUILD_STEPS = ['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'completion'] as const;

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

  constructor(
    private readonly options: { clusters: ClusterAccess; git: GitProviders; harbor?: HarborClient; logger: LoggerService },
  ) {
    this.artifactLinks = new HarborArtifactLinks(options.harbor, options.logger);
  }

  async listBuilds(target: LubanTarget): Promise<LubanBuildList> {
    // The images are in the project's Harbor project: its id is looked up while the builds are read.
    this.artifactLinks.warm(harborProjectName(target.project));
    const objects = await this.buildObjects(target);
    const links = await this.linksFor(target, objects);
    return {
      image: `${target.image.namespace}/${target.image.name}`,
      cluster: this.options.clusters.cluster(target.cluster).name,
      builds: objects.map(object => toLubanBuild(object, links)).sort(newestFirst),
    };
  }

  async getBuild(target: LubanTarget, name: string): Promise<LubanBuild | undefined> {
    const object = (await this.buildObjects(target)).find(o => o.metadata?.name === name);
    if (!object) return undefined;
    return toLubanBuild(object, await this.linksFor(target, [object]));
  }

  async streamLog(
    target: LubanTarget,
    name: string,
    options: { step?: string; follow: boolean; signal: AbortSignal },
    output: Writable,
  ): Promise<void> {
    const { step, follow, signal } = options;
    if (step !== undefined && !(BUILD_STEPS as readonly string[]).includes(step)) {
      throw new InputError(`'${step}' is not a build step; the steps are ${BUILD_STEPS.join(', ')}`);
    }
    const informer = await this.options.clusters.builds(target.cluster);
    const gateway = this.options.clusters.gateway(target.cluster);
    const find = () => informer.list(this.belongsTo(target)).find(o => o.metadata?.name === name);
    let object = find();
    if (!object) throw new NotFoundError(`${target.entityRef} has no build '${name}'`);
    // Never write to a response whose client has gone.
    const write = (text: string) => {
      if (!signal.aborted) output.write(text);
    };

    for (const stepName of step ? [step] : BUILD_STEPS) {
      if (signal.aborted) return;
      let build = toKpackBuild(object);
      if (follow && build.status === 'running' && stepOf(build, stepName).state === 'waiting') {
        // Steps start one after another: wait for this one to start, or for the build to end without it.
        object = await waitForBuild(
          informer,
          find,
          o => {
            const current = toKpackBuild(o);
            return current.status !== 'running' || stepOf(current, stepName).state !== 'waiting';
          },
          signal,
        );
        if (!object) return;
        build = toKpackBuild(object);
      }
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
