import type { KubernetesObject } from '@kubernetes/client-node';
import { LUBAN_RELEASE_TAG_LABEL, digestOfImage } from '@luban-backstage/plugin-luban-common';

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
 * One step of a build: a container of its pod (prepare, analyze, detect,
 * restore, build, export, completion; a rebase build runs rebase, completion).
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
  /** `cancelled`: stopped through luban ({@link cancelledBuildStatus}); kpack itself has no such state. */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  message?: string;
  /** `creationTimestamp`: kpack's Build status has no start time. */
  createdAt?: string;
  /** The image tag of the git tag it was built for (e.g. `1.2.3`): a release candidate. */
  releaseTag?: string;
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
 * The containers kpack counts as build steps (kpack pkg/apis/build/v1alpha2/build.go
 * `buildSteps`): only these have a state in a Build's `status.stepStates`.
 */
const KPACK_STEP_CONTAINERS = new Set(['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'rebase', 'completion']);

/** kpack's message for a step state that has none (kpack pkg/reconciler/build/build.go `createContainerStateForBuild`). */
const KPACK_STEP_MESSAGE = /^Container (\S+) (?:terminated|waiting)/;

/**
 * The steps of a build pod, read from its containers, which never change
 * once the pod exists: a full build runs prepare … export then completion,
 * a rebase (reason STACK) runs rebase then completion.
 * @public
 */
export interface KpackPodSteps {
  /** In the order they run: init containers, then containers. */
  run: string[];
  /**
   * In the order of the Build's `status.stepStates`: kpack copies the pod's
   * init container statuses (kept in declaration order) and then its
   * container statuses, which the kubelet sorts by name (kubernetes
   * pkg/kubelet/kubelet_pods.go `convertToAPIContainerStatuses`).
   */
  reported: string[];
}

/**
 * The steps of a build pod (see {@link KpackPodSteps}).
 * @public
 */
export function podStepsOf(pod: { spec?: { initContainers?: Array<{ name: string }>; containers?: Array<{ name: string }> } }): KpackPodSteps {
  const init = (pod.spec?.initContainers ?? []).map(c => c.name).filter(name => KPACK_STEP_CONTAINERS.has(name));
  const main = (pod.spec?.containers ?? []).map(c => c.name).filter(name => KPACK_STEP_CONTAINERS.has(name));
  return { run: [...init, ...main], reported: [...init, ...[...main].sort()] };
}

/**
 * The step names a Build gives by itself: when every step it lists ended
 * with exit code 0, `status.stepsCompleted` names each, in the order of
 * `status.stepStates` (kpack pkg/reconciler/build/build.go). Otherwise
 * undefined: the names are those of its pod's containers ({@link podStepsOf}).
 * @public
 */
export function stepNamesOfBuild(object: { status?: any }): string[] | undefined {
  const states: any[] = object.status?.stepStates ?? [];
  const completed: string[] = object.status?.stepsCompleted ?? [];
  const allSucceeded = states.length > 0 && states.every(state => state?.terminated?.exitCode === 0);
  return allSucceeded && completed.length === states.length ? completed : undefined;
}

/**
 * Steps from the Build alone, when its pod could not be read: a step that
 * succeeded takes the next name of `stepsCompleted`, another the container
 * kpack's own message names; else only its position is known.
 */
function stepsWithoutPod(object: { status?: any }): KpackBuildStep[] {
  const states: any[] = object.status?.stepStates ?? [];
  const completed: string[] = [...(object.status?.stepsCompleted ?? [])];
  return states.map((state, index) => {
    const named = state?.terminated?.exitCode === 0 ? completed.shift() : undefined;
    const message: string = state?.terminated?.message ?? state?.waiting?.message ?? '';
    return stepOf(named ?? KPACK_STEP_MESSAGE.exec(message)?.[1] ?? `step ${index + 1}`, state);
  });
}

function stepsOf(object: { status?: any }, podSteps: KpackPodSteps | undefined): KpackBuildStep[] {
  const states: unknown[] = object.status?.stepStates ?? [];
  if (podSteps) {
    const stateOf = new Map(podSteps.reported.map((name, index) => [name, states[index]]));
    return podSteps.run.map(name => stepOf(name, stateOf.get(name)));
  }
  const names = stepNamesOfBuild(object);
  return names ? names.map((name, index) => stepOf(name, states[index])) : stepsWithoutPod(object);
}

/** The reason of the `Succeeded` condition of a Build luban cancelled (kpack has no reason of its own for it). */
const BUILD_CANCELLED_REASON = 'Cancelled';

/**
 * The status luban writes to a running Build it cancels: finished and not
 * succeeded (kpack's Build reconciler then leaves it, and its Image
 * reconciler builds nothing for it: the source is what it was), with a
 * reason of luban's own so that it reads as cancelled, not failed.
 * @public
 */
export function cancelledBuildStatus(cancelledBy: string, now = new Date()) {
  return {
    conditions: [
      {
        type: 'Succeeded',
        status: 'False',
        reason: BUILD_CANCELLED_REASON,
        message: `Cancelled by ${cancelledBy}`,
        lastTransitionTime: now.toISOString(),
      },
    ],
  };
}

/**
 * Reads a kpack Build object into a {@link KpackBuild}. Its steps are named
 * by the Build when it can ({@link stepNamesOfBuild}), else by its pod's
 * steps, when given, never by position on a fixed list: a rebase pod runs
 * other containers than a full build's.
 * @public
 */
export function toKpackBuild(object: KubernetesObject & { spec?: any; status?: any }, podSteps?: KpackPodSteps): KpackBuild {
  const labels = object.metadata?.labels ?? {};
  const succeeded = (object.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Succeeded');
  let status: KpackBuild['status'] = 'running';
  if (succeeded?.status === 'True') status = 'succeeded';
  else if (succeeded?.status === 'False') status = succeeded.reason === BUILD_CANCELLED_REASON ? 'cancelled' : 'failed';
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
    releaseTag: labels[LUBAN_RELEASE_TAG_LABEL] || undefined,
    finishedAt: status === 'running' ? undefined : succeeded?.lastTransitionTime,
    latestImage: object.status?.latestImage || undefined,
    digest: digestOfImage(object.status?.latestImage),
    podName: object.status?.podName,
    builder: object.spec?.builder?.image,
    steps: stepsOf(object, podSteps),
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
