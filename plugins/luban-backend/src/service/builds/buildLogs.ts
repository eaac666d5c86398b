import { PassThrough, type Writable } from 'node:stream';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesGateway, ResourceInformer } from '@luban-backstage/plugin-luban-node';

/**
 * Resolves with the Build once `ready` holds for it (checked now and on every
 * change the informer sees), with undefined when it is deleted, and with
 * undefined when `signal` aborts.
 */
export function waitForBuild(
  informer: ResourceInformer<KubernetesObject>,
  find: () => KubernetesObject | undefined,
  ready: (build: KubernetesObject) => boolean,
  signal: AbortSignal,
): Promise<KubernetesObject | undefined> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve(undefined);
      return;
    }
    const subscriptions: Array<() => void> = [];
    const finish = (build: KubernetesObject | undefined) => {
      for (const unsubscribe of subscriptions) unsubscribe();
      resolve(build);
    };
    const check = () => {
      const build = find();
      if (!build || ready(build)) finish(build);
    };
    const onAbort = () => finish(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    subscriptions.push(() => signal.removeEventListener('abort', onAbort));
    // Subscribe before the first check, so that no change falls in between.
    subscriptions.push(informer.onChange(check));
    check();
  });
}

/**
 * Copies one container's log into `output` without ending it; resolves when
 * the log ends (with `follow`, when the container stops) or `signal` aborts,
 * which also closes the request to the cluster.
 */
export async function copyContainerLog(
  gateway: KubernetesGateway,
  where: { namespace: string; pod: string; container: string },
  options: { follow: boolean; signal: AbortSignal },
  output: Writable,
): Promise<void> {
  if (options.signal.aborted) return;
  // The Kubernetes client ends the stream it writes to: the step's own
  // stream ends, `output` carries on with the next step.
  const sink = new PassThrough();
  sink.pipe(output, { end: false });
  const ended = new Promise<void>(resolve => {
    sink.once('end', resolve);
    sink.once('close', resolve);
  });
  let stream: { abort(): void };
  try {
    stream = await gateway.streamPodLog(where.namespace, where.pod, where.container, sink, { follow: options.follow });
  } catch (error) {
    sink.unpipe(output);
    sink.destroy();
    throw error;
  }
  const stop = () => {
    stream.abort();
    sink.unpipe(output);
    sink.destroy();
  };
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  try {
    await ended;
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}
