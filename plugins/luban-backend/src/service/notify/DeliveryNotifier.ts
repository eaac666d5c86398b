import { createHash } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { ProjectRecords } from '../ProjectRecords';
import { notificationOf, type DeliveryEvent } from './deliveryEvents';

/** What was sent already, shared by every replica (the plugin database's DeliveryLog). */
export interface SentNotifications {
  /** Records a key; false when it was recorded before (by this or another replica). Atomic. */
  firstTime(key: string): Promise<boolean>;
  forget(key: string): Promise<void>;
}

/** What became of one event. */
export type NotifyOutcome = 'sent' | 'already-sent' | 'no-owner' | 'failed';

/**
 * Tells the group that owns an app of what happened to it, through
 * Backstage's notifications backend. The owner is the project's record
 * (luban's authority, as for every change), never the catalog entity's
 * `spec.owner`. Each event is sent once across redeliveries, repeated
 * observations, restarts and replicas: its key is claimed in the plugin
 * database before the send (the claim is atomic, so of two replicas one
 * sends); a failed send gives the key back for the next observation.
 */
export class DeliveryNotifier {
  constructor(
    private readonly options: {
      notifications: NotificationService;
      records: Pick<ProjectRecords, 'lookup'>;
      sent: SentNotifications;
      logger: LoggerService;
    },
  ) {}

  async notify(event: DeliveryEvent): Promise<NotifyOutcome> {
    const { notifications, records, sent, logger } = this.options;
    const { key, payload } = notificationOf(event);
    const lookup = await records.lookup(event.project);
    if (lookup.state !== 'recorded') {
      logger.warn('No one to notify: the project has no record', { project: event.project, event: event.kind });
      return 'no-owner';
    }
    // Keys hold URLs; the table's keys are at most 255 characters.
    const claim = `notification:${createHash('sha256').update(key).digest('hex')}`;
    if (!(await sent.firstTime(claim))) {
      logger.debug('Delivery notification already sent', { key });
      return 'already-sent';
    }
    const owner = lookup.record.owner;
    try {
      await notifications.send({ recipients: { type: 'entity', entityRef: owner }, payload });
    } catch (error) {
      await sent.forget(claim).catch(() => undefined);
      logger.warn('Could not send a delivery notification', { key, owner, error: String(error) });
      return 'failed';
    }
    logger.info('Sent a delivery notification', { key, owner, entityRef: event.entityRef });
    return 'sent';
  }
}
