import { randomBytes } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EventParams, EventsService } from '@backstage/plugin-events-node';

/** The events topic on which a replica tells every replica that a GitOps repository changed. */
export const GITOPS_CHANGED_TOPIC = 'luban.gitops-changed';

/**
 * What changed a GitOps repository: a push the git host reported, a pull
 * request event it reported, luban's own auto-deploy commit, or a pull
 * request luban opened or closed (a promotion, rollback or release).
 */
export type GitopsChangeReason = 'push' | 'pull-request' | 'deployed' | 'proposed';

/** One change of a GitOps repository, as every replica hears it. */
export interface GitopsChange {
  /** The repository's web address, e.g. `https://github.com/o/r`. */
  repositoryUrl: string;
  reason: GitopsChangeReason;
}

const REASONS: ReadonlySet<string> = new Set<GitopsChangeReason>(['push', 'pull-request', 'deployed', 'proposed']);

/** The change an event carries; undefined for anything else (the bus carries what any backend plugin published). */
function changeOf(event: EventParams): GitopsChange | undefined {
  const payload = event.eventPayload as Partial<GitopsChange> | undefined;
  if (typeof payload?.repositoryUrl !== 'string' || typeof payload.reason !== 'string' || !REASONS.has(payload.reason)) {
    return undefined;
  }
  return { repositoryUrl: payload.repositoryUrl, reason: payload.reason as GitopsChangeReason };
}

/**
 * Tells every replica what one replica learned, through Backstage's events
 * service: on PostgreSQL the events backend's database-backed bus carries it
 * between processes, elsewhere it stays in the process (one replica).
 *
 * The bus hands each event of a subscription id to one consumer only (the
 * first replica whose read claims it, `DatabaseEventBusStore.readSubscription`
 * in plugins/events-backend), so each replica subscribes under an id of its
 * own, as the signals backend's `SignalManager` does for the same reason.
 * The replica that publishes hears its own event in the process, at once;
 * the bus skips it (`notifiedSubscribers`). Side effects of a push (nudging
 * kpack, refreshing Argo CD) stay with the replica that accepted the
 * delivery; only what each replica holds for itself — caches, the pages it
 * follows — reacts here.
 */
export class ReplicaEvents {
  /** The subscription id of this replica, e.g. `replica-3f2a…` (the events service prefixes `luban.`). */
  readonly subscriberId = `replica-${randomBytes(8).toString('hex')}`;

  constructor(private readonly options: { events: EventsService; logger: LoggerService }) {}

  /** Starts hearing every replica's GitOps changes (this one's included). */
  async subscribe(onGitopsChanged: (change: GitopsChange) => void | Promise<void>): Promise<void> {
    await this.options.events.subscribe({
      id: this.subscriberId,
      topics: [GITOPS_CHANGED_TOPIC],
      onEvent: async event => {
        const change = changeOf(event);
        if (!change) {
          this.options.logger.warn('luban ignored a malformed replica event', { topic: event.topic });
          return;
        }
        await onGitopsChanged(change);
      },
    });
  }

  /** Tells every replica that a GitOps repository changed; a failure to reach the bus is logged, not thrown. */
  async gitopsChanged(change: GitopsChange): Promise<void> {
    try {
      await this.options.events.publish({ topic: GITOPS_CHANGED_TOPIC, eventPayload: { ...change } });
    } catch (error) {
      // This replica heard it already (local delivery comes first); the others miss one refresh.
      this.options.logger.warn('luban could not tell the other replicas of a GitOps change', {
        repositoryUrl: change.repositoryUrl,
        error: String(error),
      });
    }
  }
}
