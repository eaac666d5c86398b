import type { KubernetesObject } from '@kubernetes/client-node';
import type { LubanBuild, LubanBuildStep } from '@luban-backstage/plugin-luban-common';
import { toKpackBuild, type KpackBuild, type KpackPodSteps } from '@luban-backstage/plugin-luban-node';

/** The annotation kpack sets to the builder's name (more readable than its image digest). */
const BUILDER_NAME_ANNOTATION = 'image.kpack.io/builderName';

/** What a build view needs from outside the Build object. */
export interface BuildLinks {
  /** The commit's web page, when the source repository is known. */
  commitUrl(sha: string): string | undefined;
  /** The artifact's page in Harbor, when it can be built without a request. */
  registryUrl(imageWithDigest: string): string | undefined;
}

function secondsBetween(from: string | undefined, to: string | undefined, now: Date): number | undefined {
  if (!from) return undefined;
  const start = Date.parse(from);
  const end = to ? Date.parse(to) : now.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, Math.round((end - start) / 1000));
}

function toStep(step: KpackBuild['steps'][number], now: Date): LubanBuildStep {
  return {
    name: step.name,
    state: step.state,
    startedAt: step.startedAt,
    finishedAt: step.finishedAt,
    durationSeconds: step.state === 'waiting' ? undefined : secondsBetween(step.startedAt, step.finishedAt, now),
  };
}

/**
 * A kpack Build as the Builds tab shows it. kpack's Build status has no
 * start or completion time: the build starts with the object and ends with
 * the `Succeeded` condition's transition; steps carry their own times and
 * are named after its pod's containers (`podSteps`, when the Build does not name them).
 */
export function toLubanBuild(object: KubernetesObject, links: BuildLinks, podSteps?: KpackPodSteps, now = new Date()): LubanBuild {
  const build = toKpackBuild(object, podSteps);
  const digest = build.status === 'succeeded' ? build.digest : undefined;
  return {
    name: build.name,
    number: build.number,
    reasons: build.reasons,
    status: build.status,
    message: build.status === 'failed' || build.status === 'cancelled' ? build.message : undefined,
    revision: build.revision,
    commitUrl: build.revision ? links.commitUrl(build.revision) : undefined,
    releaseTag: build.releaseTag,
    startedAt: build.createdAt,
    finishedAt: build.finishedAt,
    durationSeconds: secondsBetween(build.createdAt, build.finishedAt, now),
    digest,
    image: digest ? build.latestImage : undefined,
    registryUrl: digest ? links.registryUrl(build.latestImage!) : undefined,
    builder: object.metadata?.annotations?.[BUILDER_NAME_ANNOTATION] ?? build.builder,
    steps: build.steps.map(step => toStep(step, now)),
  };
}

/** Newest first: by build number, then by start. */
export function newestFirst(a: LubanBuild, b: LubanBuild): number {
  return b.number - a.number || (b.startedAt ?? '').localeCompare(a.startedAt ?? '');
}
