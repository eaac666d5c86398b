import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { badRequest, StatusError } from './errors';
import type { KubeStore } from './state';
import { findResourceType } from './resources';

interface ContainerLog {
  lines: Array<{ at: string; text: string }>;
  done: boolean;
}

function key(namespace: string, pod: string, container: string) {
  return `${namespace}/${pod}/${container}`;
}

/**
 * Container logs of emulated pods, written by the controllers that run them
 * and served as `GET pods/{name}/log` (with `follow=true` streaming).
 */
export class PodLogs {
  private readonly logs = new Map<string, ContainerLog>();
  private readonly events = new EventEmitter();

  constructor(private readonly store: KubeStore) {
    this.events.setMaxListeners(0);
  }

  /** Appends lines to a container's log. */
  write(namespace: string, pod: string, container: string, text: string) {
    const id = key(namespace, pod, container);
    let log = this.logs.get(id);
    if (!log) {
      log = { lines: [], done: false };
      this.logs.set(id, log);
    }
    const at = new Date().toISOString();
    for (const line of text.replace(/\n$/, '').split('\n')) {
      log.lines.push({ at, text: line });
    }
    this.events.emit(id);
  }

  /** Marks a container's log complete: followers get the end of the stream. */
  finish(namespace: string, pod: string, container: string) {
    const id = key(namespace, pod, container);
    const log = this.logs.get(id) ?? { lines: [], done: false };
    log.done = true;
    this.logs.set(id, log);
    this.events.emit(id);
  }

  reset() {
    this.logs.clear();
  }

  /** The `pods/log` subresource handler. */
  readonly handler = async (
    _req: IncomingMessage,
    res: ServerResponse,
    target: { namespace?: string; name: string; query: URLSearchParams },
  ): Promise<void> => {
    const namespace = target.namespace!;
    const pod = this.store.get(findResourceType('', 'v1', 'pods')!, namespace, target.name);
    const initContainers: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
    const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    let container = target.query.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1 || initContainers.length > 0) {
        throw badRequest(
          `a container name must be specified for pod ${target.name}, choose one of: [${containers.join(' ')}]${
            initContainers.length ? ` or one of the init containers: [${initContainers.join(' ')}]` : ''
          }`,
        );
      }
      container = containers[0];
    }
    if (!containers.includes(container) && !initContainers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${target.name}`);
    }
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const state = statuses.find((s: { name: string }) => s.name === container)?.state;
    if (!state || state.waiting) {
      throw new StatusError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `container "${container}" in pod "${target.name}" is waiting to start: ${state?.waiting?.reason ?? 'PodInitializing'}`,
        reason: 'BadRequest',
        code: 400,
      });
    }

    const id = key(namespace, target.name, container);
    const follow = target.query.get('follow') === 'true';
    const timestamps = target.query.get('timestamps') === 'true';
    const tailLines = target.query.has('tailLines') ? Number(target.query.get('tailLines')) : undefined;
    const format = (line: { at: string; text: string }) =>
      `${timestamps ? `${line.at.replace('Z', '000000Z')} ` : ''}${line.text}\n`;

    const log = this.logs.get(id) ?? { lines: [], done: true };
    const initial = tailLines !== undefined ? log.lines.slice(Math.max(0, log.lines.length - tailLines)) : log.lines;
    if (!follow || log.done) {
      const body = initial.map(format).join('');
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    for (const line of initial) res.write(format(line));
    let sent = log.lines.length;
    await new Promise<void>(resolve => {
      const onChange = () => {
        const current = this.logs.get(id);
        if (!current) return;
        for (; sent < current.lines.length; sent++) res.write(format(current.lines[sent]));
        if (current.done) {
          this.events.off(id, onChange);
          res.end();
          resolve();
        }
      };
      this.events.on(id, onChange);
      res.on('close', () => {
        this.events.off(id, onChange);
        resolve();
      });
      onChange();
    });
  };
}

