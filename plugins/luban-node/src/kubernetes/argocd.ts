import type { KubernetesObject } from '@kubernetes/client-node';
import type { LubanSyncOperation } from '@luban-backstage/plugin-luban-common';

/**
 * An Argo CD Application's state, as the delivery view shows it.
 * @public
 */
export interface ArgoCdApplicationState {
  name: string;
  namespace: string;
  /** Synced, OutOfSync or Unknown. */
  syncStatus: string;
  /** Healthy, Progressing, Degraded, Suspended, Missing or Unknown. */
  healthStatus: string;
  healthMessage?: string;
  /** The commit last compared (and, when Synced, deployed). */
  revision?: string;
  images: string[];
  /** When the last successful sync finished. */
  lastSyncedAt?: string;
  /** Deployments, newest first. */
  history: Array<{ id: number; revision: string; deployedAt: string; initiatedBy?: { username?: string; automated?: boolean } }>;
  automated: boolean;
  /** A comparison or sync error, when there is one. */
  problem?: string;
  /** The last operation (`status.operationState`), running or finished. */
  operation?: ArgoCdOperationState;
}

/**
 * An Argo CD Application's last operation (`status.operationState`, names as
 * in Argo CD's pkg/apis/application/v1alpha1/types.go): the shape the
 * Delivery view shows, so it is luban-common's.
 * @public
 */
export type ArgoCdOperationState = LubanSyncOperation;

/** The operation of `status.operationState`, when there is one. */
function operationOf(state: any): ArgoCdOperationState | undefined {
  if (!state?.phase) return undefined;
  const by = state.operation?.initiatedBy;
  return {
    phase: state.phase,
    revision: state.syncResult?.revision ?? state.operation?.sync?.revision,
    message: state.message,
    initiatedBy: by?.automated ? 'automated' : by?.username,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
  };
}

/**
 * Reads an Argo CD Application object (argoproj.io/v1alpha1).
 * @public
 */
export function toArgoCdApplication(object: KubernetesObject & { spec?: any; status?: any }): ArgoCdApplicationState {
  const status = object.status ?? {};
  const history = [...(status.history ?? [])].reverse();
  return {
    name: object.metadata!.name!,
    namespace: object.metadata!.namespace!,
    syncStatus: status.sync?.status ?? 'Unknown',
    healthStatus: status.health?.status ?? 'Unknown',
    healthMessage: status.health?.message,
    revision: status.sync?.revision,
    images: status.summary?.images ?? [],
    lastSyncedAt: status.operationState?.phase === 'Succeeded' ? status.operationState.finishedAt : history[0]?.deployedAt,
    history,
    automated: Boolean(object.spec?.syncPolicy?.automated) && object.spec.syncPolicy.automated.enabled !== false,
    problem: (status.conditions ?? []).find((c: { type: string }) => /Error$/.test(c.type))?.message,
    operation: operationOf(status.operationState),
  };
}
