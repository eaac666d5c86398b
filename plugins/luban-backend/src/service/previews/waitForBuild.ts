import type { KubernetesObject } from '@kubernetes/client-node';
import { isBuildOfImage, toKpackBuild, type KpackBuild, type KpackImageRef, type ResourceInformer } from '@luban-backstage/plugin-luban-node';


/** Longer than any build: a waiter that outlives it gives up rather than hold on forever. */
const GIVE_UP_AFTER_MS = 2 * 60 * 60 * 1000;

/**
 * The finished Build of `revision` of an Image, as the cluster's Build
 * informer sees it: `gone` when the Image's Builds were deleted meanwhile
 * (the pull request closed), `gave up` after two hours.
 */
export function finishedBuildOf(
  informer: Pick<ResourceInformer<KubernetesObject>, 'list' | 'onChange'>,
  image: KpackImageRef,
  revision: string,
): Promise<KpackBuild | 'gone' | 'gave up'> {
  const finished = () =>
    informer
      .list(o => isBuildOfImage(o, image))
      .map(o => toKpackBuild(o))
      .filter(b => b.revision === revision && b.status !== 'running')
      .sort((a, b) => b.number - a.number)[0];
  return new Promise(resolve => {
    const now = finished();
    if (now) {
      resolve(now);
      return;
    }
    const timer = setTimeout(() => done('gave up'), GIVE_UP_AFTER_MS);
    timer.unref?.();
    const stop = informer.onChange(event => {
      if (!isBuildOfImage(event.object, image)) return;
      if (event.type === 'DELETED') done('gone');
      const build = finished();
      if (build) done(build);
    });
    function done(result: KpackBuild | 'gone' | 'gave up') {
      clearTimeout(timer);
      stop();
      resolve(result);
    }
  });
}
