import type { KubeObject } from '../state';

/**
 * When the emulated Argo CD reads git again, as argo-cd
 * `controller/appcontroller.go` (needRefreshAppStatus, the informer's resync
 * with `statusRefreshJitter`, handleRefreshAnnotation) decides it.
 */

/** The annotation that asks Argo CD to refresh an application now (`normal` or `hard`). */
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh';
/** Names one refresh request; set by `argocd app get --refresh` beside {@link REFRESH_ANNOTATION}. */
export const REFRESH_TIMESTAMP_ANNOTATION = 'argocd.argoproj.io/refresh-timestamp';

/** The refresh an Application asks for, by its annotations; undefined when it asks for none. */
export interface RefreshRequest {
  type: string;
  timestamp?: string;
}

export function refreshRequested(app: KubeObject): RefreshRequest | undefined {
  const annotations = app.metadata.annotations ?? {};
  const type = annotations[REFRESH_ANNOTATION];
  return type === undefined ? undefined : { type, timestamp: annotations[REFRESH_TIMESTAMP_ANNOTATION] };
}

/**
 * The annotations without the refresh request that was served. A request made
 * while the refresh ran (another timestamp) stays, so that it is served too.
 */
export function withoutServedRefresh(
  annotations: Record<string, string> | undefined,
  served: RefreshRequest,
): Record<string, string> | undefined {
  if (!annotations || annotations[REFRESH_TIMESTAMP_ANNOTATION] !== served.timestamp) return annotations;
  const { [REFRESH_ANNOTATION]: _type, [REFRESH_TIMESTAMP_ANNOTATION]: _timestamp, ...rest } = annotations;
  return rest;
}

function equalJson(a: unknown, b: unknown) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Whether this reconcile re-reads git ("CompareWithLatest") rather than
 * comparing against the revision it last read: a refresh was asked for, the
 * comparison expired, it never ran, the source or destination changed, or a
 * sync operation was requested (a sync resolves its revision).
 */
export function readsLatest(app: KubeObject, expired: boolean): boolean {
  const sync = app.status?.sync;
  return (
    expired ||
    refreshRequested(app) !== undefined ||
    !sync?.revision ||
    !equalJson(app.spec?.source, sync.comparedTo?.source) ||
    !equalJson(app.spec?.destination, sync.comparedTo?.destination) ||
    Boolean(app.operation?.sync)
  );
}

/**
 * One timer per Application: the next periodic refresh, `reconcileMs` plus a
 * random share of `jitterMs` after the last one (timeout.reconciliation and
 * timeout.reconciliation.jitter of argocd-cm). A pending timer is not work in
 * progress: `settled()` does not wait for it.
 */
export class RefreshTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: { reconcileMs: number; jitterMs: number; onExpired(key: string): void }) {}

  /** (Re)starts the key's timer; 0 or less turns periodic refresh off, as `timeout.reconciliation: 0s` does. */
  schedule(key: string) {
    this.cancel(key);
    if (this.stopped || this.options.reconcileMs <= 0) return;
    const delay = this.options.reconcileMs + Math.random() * Math.max(0, this.options.jitterMs);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.options.onExpired(key);
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  cancel(key: string) {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  /** Cancels every pending refresh (the Applications are gone). */
  cancelAll() {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  stop() {
    this.stopped = true;
    this.cancelAll();
  }
}
