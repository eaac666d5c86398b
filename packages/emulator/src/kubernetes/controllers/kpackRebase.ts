import { randomBytes } from 'node:crypto';
import { findResourceType } from '../resources';
import type { KubeObject, KubeStore } from '../state';
import type { BuildStep } from './kpackLogs';

const IMAGES = findResourceType('kpack.io', 'v1alpha2', 'images')!;
const CLUSTER_BUILDERS = findResourceType('kpack.io', 'v1alpha2', 'clusterbuilders')!;

/** The id of the one stack every emulated builder carries (a ClusterStack's `spec.id`). */
export const STACK_ID = 'io.buildpacks.stacks.luban';

/** The init containers of kpack's build pod, in order (kpack pkg/apis/build/v1alpha2/build_pod.go `BuildPod`). */
export const BUILD_STEPS: BuildStep[] = ['prepare', 'analyze', 'detect', 'restore', 'build', 'export'];

/** The init containers of kpack's rebase pod (build_pod.go `rebasePod`): one `rebase`, then `completion`. */
export const REBASE_STEPS: BuildStep[] = ['rebase'];

/** `<registry>` of a `<registry>/<project>/<repo>:<tag>` reference. */
function registryOf(tag: string): string {
  return tag.split('/')[0];
}

/**
 * The run image a builder gives an Image's builds: its `status.stack.runImage`,
 * where kpack's ClusterBuilder reconciler puts the ClusterStack's run image
 * once relocated next to the builder (kpack pkg/cnb/create_builder.go). A
 * builder the emulator has not published a run image for has the first one.
 */
export function builderRunImage(builder: KubeObject | undefined, imageTag: string): string {
  return builder?.status?.stack?.runImage ?? `${registryOf(imageTag)}/luban/run@sha256:${'1'.repeat(64)}`;
}

/** What go-containerregistry's `Identifier()` gives: the digest of a digest reference, else its tag. */
export function identifierOf(reference: string): string {
  const at = reference.indexOf('@');
  if (at >= 0) return reference.slice(at + 1);
  const lastSlash = reference.lastIndexOf('/');
  const colon = reference.indexOf(':', lastSlash + 1);
  return colon >= 0 ? reference.slice(colon + 1) : 'latest';
}

/** The ClusterBuilder an Image builds with (undefined when it is absent or a namespaced Builder). */
export function builderOf(store: KubeStore, image: KubeObject): KubeObject | undefined {
  if ((image.spec?.builder?.kind ?? 'ClusterBuilder') !== 'ClusterBuilder') return undefined;
  return store.find(CLUSTER_BUILDERS, undefined, image.spec?.builder?.name ?? 'default');
}

/** The Images that build with a ClusterBuilder: kpack's tracker re-queues them when the builder changes. */
export function imagesUsingBuilder(store: KubeStore, builder: string): KubeObject[] {
  return store
    .list(IMAGES)
    .filter(image => (image.spec?.builder?.kind ?? 'ClusterBuilder') === 'ClusterBuilder' && image.spec?.builder?.name === builder);
}

/**
 * Whether a Build runs as kpack's rebase pod (kpack build.go `rebasable`): its
 * only reason is STACK and its last build ran on the builder's stack, so the
 * app layers are put on the new run image without building again.
 */
export function isRebaseBuild(build: KubeObject): boolean {
  return (
    build.metadata.annotations?.['image.kpack.io/reason'] === 'STACK' &&
    build.spec?.lastBuild !== undefined &&
    build.spec.lastBuild.stackId === STACK_ID
  );
}

/** The init containers of a Build's pod, in the order they run; `completion` follows them. */
export function initStepsOf(build: KubeObject): BuildStep[] {
  return isRebaseBuild(build) ? REBASE_STEPS : BUILD_STEPS;
}

/**
 * The state kpack copies into `status.stepStates` for a step container: the
 * container's own, with a message naming the container when it has none
 * (kpack pkg/reconciler/build/build.go `createContainerStateForBuild`).
 */
export function stepStateOf(status: { name: string; state: any }): unknown {
  const { name, state } = status;
  if (state?.terminated && !state.terminated.message) {
    const how = state.terminated.exitCode === 0 ? 'successfully' : 'with error';
    return { terminated: { ...state.terminated, message: `Container ${name} terminated ${how}` } };
  }
  if (state?.waiting && !state.waiting.message) {
    return { waiting: { ...state.waiting, message: `Container ${name} waiting` } };
  }
  return state;
}

/** A run image published to a builder by {@link publishRunImage}. */
export interface PublishedRunImage {
  builder: string;
  runImage: string;
}

/**
 * Publishes a new run image of the stack, as a platform team does by moving
 * the ClusterStack's `spec.runImage.image` to a patched image: kpack rebuilds
 * each ClusterBuilder on it, which gets a new `status.stack.runImage` (and a
 * new builder image). The emulator writes that builder status directly; the
 * ClusterStack is not emulated. Every ClusterBuilder, or the one named.
 */
export function publishRunImage(store: KubeStore, builderName?: string): PublishedRunImage[] {
  const builders = store.list(CLUSTER_BUILDERS).filter(b => !builderName || b.metadata.name === builderName);
  return builders.map(builder => {
    const tag: string = builder.spec?.tag ?? `luban/${builder.metadata.name}`;
    const runImage = `${tag}-run-image@sha256:${randomBytes(32).toString('hex')}`;
    const status = {
      ...builder.status,
      latestImage: `${tag}@sha256:${randomBytes(32).toString('hex')}`,
      stack: { id: STACK_ID, runImage },
    };
    store.update(CLUSTER_BUILDERS, undefined, builder.metadata.name, { ...builder, status }, { subresource: 'status' });
    return { builder: builder.metadata.name, runImage };
  });
}
