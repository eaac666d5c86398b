import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** Harbor's severities from the least to the most severe, as `luban.notifications.minSeverity` names them. */
export const VULNERABILITY_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** A severity of {@link VULNERABILITY_SEVERITIES}. */
export type VulnerabilitySeverity = (typeof VULNERABILITY_SEVERITIES)[number];

/** `luban.notifications`, read and checked once. */
export interface NotificationsConfig {
  /** true or false when configured; undefined means: when the notifications backend runs in this backend. */
  enabled?: boolean;
  /** The least severe vulnerability a scan must find for a notification. */
  minSeverity: VulnerabilitySeverity;
  /** How often open pull requests and the scans of running digests are looked at. */
  checkIntervalMs: number;
}

const DEFAULT_CHECK_INTERVAL_MS = 60_000;

/** Reads `luban.notifications`; a bad value is an InputError naming the key, raised when the backend starts. */
export function readNotificationsConfig(config: Config): NotificationsConfig {
  const section = config.getOptionalConfig('luban.notifications');
  const severity = (section?.getOptionalString('minSeverity') ?? 'critical').toLowerCase();
  if (!(VULNERABILITY_SEVERITIES as readonly string[]).includes(severity)) {
    throw new InputError(`luban.notifications.minSeverity must be one of ${VULNERABILITY_SEVERITIES.join(', ')}, not '${severity}'`);
  }
  const checkIntervalMs = section?.has('checkInterval')
    ? durationToMilliseconds(readDurationFromConfig(section, { key: 'checkInterval' }))
    : DEFAULT_CHECK_INTERVAL_MS;
  if (!(checkIntervalMs > 0)) throw new InputError('luban.notifications.checkInterval must be longer than zero');
  return { enabled: section?.getOptionalBoolean('enabled'), minSeverity: severity as VulnerabilitySeverity, checkIntervalMs };
}
