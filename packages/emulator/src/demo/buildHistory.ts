import { findResourceType } from '../kubernetes/resources';
import type { KubeObject } from '../kubernetes/state';
import { kubeTime } from '../kubernetes/time';
import type { RunningEmulator } from '../server';

const BUILDS = findResourceType('kpack.io', 'v1alpha2', 'builds')!;
const PODS = findResourceType('', 'v1', 'pods')!;

/**
 * How long each step of a seeded build ran, in seconds: what its log says
 * (kpackLogs.ts: "Timer: Builder ran for 6.4s", the exporter 2.1 s, …),
 * rounded up to the whole seconds of Kubernetes' timestamps. The emulator's
 * own builds run in milliseconds while seeding, so they would read "0 s".
 */
export const SEEDED_STEP_SECONDS: Readonly<Record<string, number>> = {
  prepare: 3,
  analyze: 2,
  detect: 1,
  restore: 1,
  build: 7,
  export: 3,
  completion: 1,
};

/** kpack creates the pod as the Build appears; the kubelet starts its first container a moment later. */
const POD_START_SECONDS = 2;

/** A container status with its terminated state moved to `[startedAt, finishedAt]`. */
function retimed(status: any, startedAt: Date, finishedAt: Date): any {
  if (!status?.state?.terminated) return status;
  const terminated = { ...status.state.terminated, startedAt: kubeTime(startedAt), finishedAt: kubeTime(finishedAt) };
  return { ...status, state: { terminated } };
}

/**
 * Gives one finished, seeded Build the times of a real run that began at
 * `createdAt`: its creation, each step container's start and finish (on the
 * Build's `stepStates` and on its pod), and its `Succeeded` transition, so
 * the build page shows real durations. Returns when the build finished.
 */
export function backdateBuild(emulator: RunningEmulator, namespace: string, name: string, createdAt: Date): Date {
  const store = emulator.kubernetes.store;
  const build = store.get(BUILDS, namespace, name);
  const pod: KubeObject | undefined = build.status?.podName ? store.find(PODS, namespace, build.status.podName) : undefined;
  if (!pod) throw new Error(`the seeded build ${namespace}/${name} has no pod`);
  // The Build's stepStates are the pod's init container statuses, then its container statuses, in that order.
  const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  let clock = createdAt.getTime() + POD_START_SECONDS * 1000;
  const times = statuses.map(status => {
    const startedAt = new Date(clock);
    clock += (SEEDED_STEP_SECONDS[status.name] ?? 1) * 1000;
    return [startedAt, new Date(clock)] as const;
  });
  const finishedAt = new Date(clock);
  const initCount = pod.status?.initContainerStatuses?.length ?? 0;
  const podStatus = {
    ...pod.status,
    initContainerStatuses: (pod.status?.initContainerStatuses ?? []).map((s: any, i: number) => retimed(s, ...times[i])),
    containerStatuses: (pod.status?.containerStatuses ?? []).map((s: any, i: number) => retimed(s, ...times[initCount + i])),
  };
  const backdatedPod = store.backdate(PODS, namespace, pod.metadata.name, kubeTime(createdAt));
  store.update(PODS, namespace, pod.metadata.name, { ...backdatedPod, status: podStatus }, { subresource: 'status' });
  const stepStates = (build.status?.stepStates ?? []).map((state: any, i: number) =>
    state?.terminated && times[i] ? { terminated: { ...state.terminated, startedAt: kubeTime(times[i][0]), finishedAt: kubeTime(times[i][1]) } } : state,
  );
  const conditions = (build.status?.conditions ?? []).map((c: any) => ({ ...c, lastTransitionTime: kubeTime(finishedAt) }));
  const current = store.backdate(BUILDS, namespace, name, kubeTime(createdAt));
  store.update(BUILDS, namespace, name, { ...current, status: { ...current.status, stepStates, conditions } }, { subresource: 'status' });
  return finishedAt;
}

/** How long ago each seeded build of an app began, oldest first: at onboarding, and after the developer's change. */
const SEEDED_BUILD_AGES_MINUTES = [125, 14];

/**
 * Gives the seeded builds of an Image, oldest first, the times of a project
 * onboarded two hours ago whose developer pushed a change a quarter of an
 * hour ago (see {@link backdateBuild}).
 */
export function backdateSeededBuilds(emulator: RunningEmulator, namespace: string, image: string, now = new Date()): void {
  const buildNumber = (build: KubeObject) => Number(build.metadata.labels?.['image.kpack.io/buildNumber']);
  const builds = emulator.kubernetes
    .list('builds', namespace)
    .filter(build => build.metadata.labels?.['image.kpack.io/image'] === image)
    .sort((a, b) => buildNumber(a) - buildNumber(b));
  builds.forEach((build, index) => {
    const minutes = SEEDED_BUILD_AGES_MINUTES[index] ?? 0;
    backdateBuild(emulator, namespace, build.metadata.name, new Date(now.getTime() - minutes * 60_000));
  });
}
