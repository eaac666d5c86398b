import type { DatabaseService, LifecycleService, LoggerService, RootInstanceMetadataService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { GitProviders, HarborClient } from '@luban-backstage/plugin-luban-node';
import { DeliveryLog } from '../../webhooks/DeliveryLog';
import type { ClusterAccess } from '../ClusterAccess';
import type { EntityTargets } from '../EntityTargets';
import type { ProjectRecords } from '../ProjectRecords';
import type { PromotionStateReader } from '../promotion/PromotionStateReader';
import { AppIndex } from './AppIndex';
import { DeliveryNotifier } from './DeliveryNotifier';
import { DeliverySweep } from './DeliverySweep';
import { DeliveryWatcher } from './DeliveryWatcher';
import { readNotificationsConfig } from './notificationsConfig';

/**
 * Tells owners of delivery events from the backend's start to its shutdown
 * (see {@link startDeliveryNotifications}).
 */
export function registerDeliveryNotifications(options: Parameters<typeof startDeliveryNotifications>[0] & { lifecycle: LifecycleService }) {
  let running: { stop(): void } | undefined;
  options.lifecycle.addStartupHook(async () => {
    running = await startDeliveryNotifications(options);
  });
  options.lifecycle.addShutdownHook(() => running?.stop());
}

/**
 * Starts telling owners of failed builds, promotion pull requests,
 * Degraded environments and vulnerable running digests — when
 * `luban.notifications.enabled` says so or, unset, when Backstage's
 * notifications backend runs in this backend (its service has a default
 * that posts to it, so luban asks which plugins are installed rather than
 * posting to nothing). Returns how to stop, or undefined when off.
 */
export async function startDeliveryNotifications(options: {
  config: Config;
  instanceMetadata: RootInstanceMetadataService;
  notifications: NotificationService;
  database: DatabaseService;
  records: ProjectRecords;
  targets: Pick<EntityTargets, 'allTargets'>;
  clusters: ClusterAccess;
  clusterNames: string[];
  git: GitProviders;
  harbor?: HarborClient;
  state: Pick<PromotionStateReader, 'openChanges'>;
  logger: LoggerService;
}): Promise<{ stop(): void } | undefined> {
  const { config, logger, clusters } = options;
  const settings = readNotificationsConfig(config);
  const installed = (await options.instanceMetadata.getInstalledPlugins()).some(p => p.pluginId === 'notifications');
  if (!(settings.enabled ?? installed)) {
    logger.info('luban sends no notifications', { enabled: settings.enabled, notificationsBackendInstalled: installed });
    return undefined;
  }
  const notifier = new DeliveryNotifier({
    notifications: options.notifications,
    records: options.records,
    sent: await DeliveryLog.create(options.database),
    logger,
  });
  const apps = new AppIndex({ targets: options.targets, clusters });
  const watcher = new DeliveryWatcher({ clusters, apps, notifier, logger });
  const sweep = new DeliverySweep({
    apps,
    git: options.git,
    state: options.state,
    clusters,
    harbor: options.harbor,
    notifier,
    minSeverity: settings.minSeverity,
    intervalMs: settings.checkIntervalMs,
    logger,
  });
  watcher.start(options.clusterNames);
  sweep.start();
  logger.info('luban notifies owners of delivery events', { minSeverity: settings.minSeverity, checkIntervalMs: settings.checkIntervalMs });
  return {
    stop() {
      watcher.stop();
      sweep.stop();
    },
  };
}
