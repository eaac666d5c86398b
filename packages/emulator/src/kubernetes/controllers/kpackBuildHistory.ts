import { findResourceType } from '../resources';
import type { KubeObject, KubeStore } from '../state';

const BUILDS = findResourceType('kpack.io', 'v1alpha2', 'builds')!;
const PODS = findResourceType('', 'v1', 'pods')!;

/** kpack's default of both history limits (`pkg/apis/build/v1alpha2/image_validation.go` SetDefaults). */
export const DEFAULT_BUILD_HISTORY_LIMIT = 10;

function succeeded(build: KubeObject): string | undefined {
  return (build.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Succeeded')?.status;
}

function limitOf(value: unknown): number {
  const limit = Number(value);
  return value === undefined || value === null || !Number.isInteger(limit) || limit < 0 ? DEFAULT_BUILD_HISTORY_LIMIT : limit;
}

/**
 * Deletes an Image's oldest finished Builds beyond its history limits, as
 * kpack's Image reconciler does after every reconcile that finds no build
 * running (`pkg/reconciler/image/image.go` deleteOldBuilds, `build_list.go`):
 * failed Builds (`Succeeded=False`) beyond `spec.failedBuildHistoryLimit` and
 * successful ones (`Succeeded=True`) beyond `spec.successBuildHistoryLimit`,
 * each 10 by default, oldest first; running Builds never count. kpack
 * deletes one of each per reconcile and the deletion queues the Image again;
 * this deletes them in one go, which ends in the same state. The build pod
 * goes with its Build, as Kubernetes' garbage collector removes it.
 *
 * @param builds - the Image's Builds, oldest first
 * @returns the names of the Builds deleted
 */
export function pruneBuildHistory(store: KubeStore, image: KubeObject, builds: KubeObject[]): string[] {
  const namespace = image.metadata.namespace!;
  const failed = builds.filter(build => succeeded(build) === 'False');
  const successful = builds.filter(build => succeeded(build) === 'True');
  const excess = [
    ...failed.slice(0, Math.max(0, failed.length - limitOf(image.spec?.failedBuildHistoryLimit))),
    ...successful.slice(0, Math.max(0, successful.length - limitOf(image.spec?.successBuildHistoryLimit))),
  ];
  for (const build of excess) {
    const pod = store.find(PODS, namespace, build.status?.podName ?? `${build.metadata.name}-build-pod`);
    if (pod) store.delete(PODS, namespace, pod.metadata.name);
    if (store.find(BUILDS, namespace, build.metadata.name)) store.delete(BUILDS, namespace, build.metadata.name);
  }
  return excess.map(build => build.metadata.name);
}
