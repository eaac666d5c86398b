import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesGateway } from './KubernetesGateway';

/**
 * A change the informer saw: the object as it is now, or as it was when deleted.
 * @public
 */
export interface InformerEvent<T extends KubernetesObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

/**
 * Keeps an in-memory copy of a collection (e.g. every kpack Build of a
 * cluster) up to date with one list and then a watch: a reconnect resumes
 * from the last resourceVersion seen, and only a 410 Expired answer makes
 * it list again. Reads from it cost no request.
 * @public
 */
export class ResourceInformer<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<(event: InformerEvent<T>) => void>();
  private resourceVersion?: string;
  private watch?: { abort(): void };
  private stopped = false;
  private cancelRetry?: () => void;
  private synced?: Promise<void>;
  private watching?: Promise<void>;

  constructor(
    private readonly gateway: KubernetesGateway,
    private readonly options: {
      apiVersion: string;
      kind: string;
      /** The collection's REST path, e.g. `/apis/kpack.io/v1alpha2/builds`. */
      path: string;
      labelSelector?: string;
      /** Delay before re-watching after an error (default 1 s). */
      retryDelayMs?: number;
      /** Runs a retry once the delay has passed, and returns how to cancel it (default: a timer); tests decide when instead. */
      scheduleRetry?: (retry: () => void, delayMs: number) => () => void;
    },
  ) {}

  private static key(object: KubernetesObject) {
    return `${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
  }

  /** Lists, then watches; resolves once the first list is in the cache (the watch opens meanwhile). */
  start(): Promise<void> {
    this.synced ??= this.relist();
    return this.synced;
  }

  /** Resolves once the watch that follows the latest list is open. */
  async whenWatching(): Promise<void> {
    await this.start();
    await this.watching;
  }

  stop() {
    this.stopped = true;
    this.cancelRetry?.();
    this.watch?.abort();
  }

  /** The cached objects, optionally filtered. */
  list(filter?: (object: T) => boolean): T[] {
    const all = [...this.objects.values()];
    return filter ? all.filter(filter) : all;
  }

  /** Subscribes to every change after the first list. */
  onChange(listener: (event: InformerEvent<T>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async relist() {
    const { apiVersion, kind, path, labelSelector } = this.options;
    const { items, resourceVersion } = await this.gateway.listAt<T>(path, { apiVersion, kind }, { labelSelector });
    const seen = new Set<string>();
    for (const item of items) {
      const key = ResourceInformer.key(item);
      seen.add(key);
      const previous = this.objects.get(key);
      this.objects.set(key, item);
      if (this.synced && previous?.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
        this.emit({ type: previous ? 'MODIFIED' : 'ADDED', object: item });
      }
    }
    for (const [key, object] of [...this.objects]) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.emit({ type: 'DELETED', object });
      }
    }
    this.resourceVersion = resourceVersion;
    // The cache is complete: it serves from now on, while the watch opens from the list's
    // resourceVersion, so that no change in between is missed (a first view need not wait for it).
    this.watching = this.startWatch().catch(() => {
      if (!this.stopped) this.retryLater(() => this.relist());
    });
  }

  private emit(event: InformerEvent<T>) {
    for (const listener of this.listeners) listener(event);
  }

  private async startWatch() {
    if (this.stopped) return;
    let expired = false;
    this.watch = await this.gateway.watch(
      this.options.path,
      { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, allowWatchBookmarks: true },
      (type, object) => {
        if (type === 'ERROR') {
          // 410 Expired: the resourceVersion is older than the server keeps.
          expired = (object as { code?: number }).code === 410;
          return;
        }
        if (object.metadata?.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        const key = ResourceInformer.key(object);
        if (type === 'DELETED') this.objects.delete(key);
        else this.objects.set(key, object as T);
        this.emit({ type: type as InformerEvent<T>['type'], object: object as T });
      },
      () => {
        if (this.stopped) return;
        this.retryLater(expired ? () => this.relist() : () => this.startWatch());
      },
    );
  }

  /** Runs `attempt` after the retry delay; while the cluster is unreachable, keeps serving the cache and relisting. */
  private retryLater(attempt: () => Promise<void>) {
    const delay = this.options.retryDelayMs ?? 1000;
    const retry = () => {
      attempt().catch(() => {
        if (!this.stopped) this.retryLater(() => this.relist());
      });
    };
    this.cancelRetry = (this.options.scheduleRetry ?? ResourceInformer.afterDelay)(retry, delay);
  }

  private static afterDelay(retry: () => void, delayMs: number): () => void {
    const timer = setTimeout(retry, delayMs);
    return () => clearTimeout(timer);
  }
}
