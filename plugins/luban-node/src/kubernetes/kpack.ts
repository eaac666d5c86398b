import type { KubernetesObject } from '@kubernetes/client-node';
import { digestOfImage } from '@luban-backstage/plugin-luban-common';

/**
 * The kpack labels and annotations luban reads (kpack pkg/apis/build/v1alpha2).
 * @public
 */
export const KPACK = {
  apiVersion: 'kpack.io/v1alpha2',
  imageLabel: 'image.kpack.io/image',
  buildNumberLabel: 'image.kpack.io/buildNumber',
  reasonAnnotation: 'image.kpack.io/reason',
  additionalBuildNeededAnnotation: 'image.kpack.io/additionalBuildNeeded',
} as const;

/**
 * The annotation luban sets on an Image's SourceResolver to make kpack
 * resolve its branch now: kpack's SourceResolver reconciler re-resolves on
 * any change of the object (kpack pkg/reconciler/sourceresolver/sourceresolver.go),
 * and its Image reconciler rewrites only the resolver's spec and labels, so the
 * annotation stays. The value is the time of the request (a new value is a change).
 */
export const SOURCE_RESOLVE_REQUESTED_ANNOTATION = 'luban.dev/source-resolve-requested';

/** The SourceResolver kpack keeps for an Image (kpack image_builds.go `SourceResolverName`). */
export function sourceResolverNameOf(image: string): string {
  return `${image}-source`;
}

/**
 * One lifecycle step of a build (prepare, analyze, detect, restore, build, export, completion).
 * @public
 */
export interface KpackBuildStep {
  name: string;
  state: 'waiting' | 'running' | 'succeeded' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
}

/**
 * A kpack Build as the entity page shows it.
 * @public
 */
export interface KpackBuild {
  name: string;
  namespace: string;
  image: string;
  number: number;
  reasons: string[];
  /** The commit SHA built. */
  revision?: string;
  sourceUrl?: string;
  status: 'running' | 'succeeded' | 'failed';
  message?: string;
  /** `creationTimestamp`: kpack's Build status has no start time. */
  createdAt?: string;
  /** The `Succeeded` condition's transition time, once finished. */
  finishedAt?: string;
  /** `<repository>@sha256:…`, once succeeded. */
  latestImage?: string;
  /** The `sha256:…` digest of {@link KpackBuild.latestImage}, once succeeded. */
  digest?: string;
  podName?: string;
  builder?: string;
  steps: KpackBuildStep[];
}

const STEP_NAMES = ['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'completion'];

function stepOf(name: string, state: any): KpackBuildStep {
  if (state?.terminated) {
    return {
      name,
      state: state.terminated.exitCode === 0 ? 'succeeded' : 'failed',
      startedAt: state.terminated.startedAt,
      finishedAt: state.terminated.finishedAt,
      exitCode: state.terminated.exitCode,
    };
  }
  if (state?.running) return { name, state: 'running', startedAt: state.running.startedAt };
  return { name, state: 'waiting' };
}

/**
 * Reads a kpack Build object into a {@link KpackBuild}.
 * @public
 */
export function toKpackBuild(object: KubernetesObject & { spec?: any; status?: any }): KpackBuild {
  const labels = object.metadata?.labels ?? {};
  const succeeded = (object.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Succeeded');
  let status: KpackBuild['status'] = 'running';
  if (succeeded?.status === 'True') status = 'succeeded';
  else if (succeeded?.status === 'False') status = 'failed';
  const stepStates: unknown[] = object.status?.stepStates ?? [];
  return {
    name: object.metadata!.name!,
    namespace: object.metadata!.namespace!,
    image: labels[KPACK.imageLabel],
    number: Number(labels[KPACK.buildNumberLabel] ?? 0),
    reasons: (object.metadata?.annotations?.[KPACK.reasonAnnotation] ?? '').split(',').filter(Boolean),
    revision: object.spec?.source?.git?.revision,
    sourceUrl: object.spec?.source?.git?.url,
    status,
    message: succeeded?.message,
    createdAt: object.metadata?.creationTimestamp as string | undefined,
    finishedAt: status === 'running' ? undefined : succeeded?.lastTransitionTime,
    latestImage: object.status?.latestImage || undefined,
    digest: digestOfImage(object.status?.latestImage),
    podName: object.status?.podName,
    builder: object.spec?.builder?.image,
    steps: STEP_NAMES.map((name, index) => stepOf(name, stepStates[index])),
  };
}

/**
 * A kpack Image by the namespace it lives in and its name.
 * @public
 */
export interface KpackImageRef {
  namespace: string;
  name: string;
}

/**
 * Whether a Build (the object, or its {@link KpackBuild} reading) was built
 * for an Image: by the `image.kpack.io/image` label, the rule kpack itself
 * uses to list an Image's Builds, and by namespace, as Images are namespaced.
 * @public
 */
export function isBuildOfImage(build: KubernetesObject | KpackBuild, image: KpackImageRef): boolean {
  if ('steps' in build) return build.namespace === image.namespace && build.image === image.name;
  return build.metadata?.namespace === image.namespace && build.metadata?.labels?.[KPACK.imageLabel] === image.name;
}

/**
 * The label selector of an Image's Builds, for list and watch requests.
 * @public
 */
export function buildsOfImageSelector(image: string): string {
  return `${KPACK.imageLabel}=${image}`;
}
