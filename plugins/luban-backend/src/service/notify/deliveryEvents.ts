import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';
import { shortDigest } from '@luban-backstage/plugin-luban-common';
import { VULNERABILITY_SEVERITIES, type VulnerabilitySeverity } from './notificationsConfig';

/** What every event names: the app, by its project (whose record says who owns it) and its catalog entity, for links. */
interface AppOfEvent {
  project: string;
  app: string;
  /** The catalog entity of the app; its luban tabs are the links. */
  entityRef: string;
}

/** A kpack Build of the app failed. */
export interface BuildFailedEvent extends AppOfEvent {
  kind: 'build-failed';
  /** `<cluster>/<namespace>/<Build>`: one Build, on every replica alike. */
  build: string;
  number: number;
  message?: string;
}

/** A promotion or rollback pull request of luban's was opened, approved or merged. */
export interface PullRequestEvent extends AppOfEvent {
  kind: 'pull-request';
  change: 'promote' | 'rollback';
  env: string;
  state: 'opened' | 'approved' | 'merged';
  number: number;
  url: string;
  title: string;
}

/** An environment's Argo CD Application turned Degraded. */
export interface DegradedEvent extends AppOfEvent {
  kind: 'degraded';
  env: string;
  /** What runs (the digest of the app's image), or Argo CD's revision when no digest is known. */
  running: string;
  message?: string;
}

/** A scan of a digest that runs in some environment found vulnerabilities at or above the configured severity. */
export interface VulnerableEvent extends AppOfEvent {
  kind: 'vulnerable';
  digest: string;
  environments: string[];
  counts: Record<VulnerabilitySeverity, number>;
  minSeverity: VulnerabilitySeverity;
  /** Harbor's page of the artifact. */
  harborUrl?: string;
}

/** Something the owners of an app are told of. */
export type DeliveryEvent = BuildFailedEvent | PullRequestEvent | DegradedEvent | VulnerableEvent;

/** What is sent for an event: the payload, and the key that makes a second send of the same event a no-op. */
export interface DeliveryNotification {
  /** The same for the same event on every replica and every redelivery: what was sent is remembered under it. */
  key: string;
  payload: NotificationPayload;
}

/** The entity's luban tab (`ci` or `delivery`), relative to the app's base URL as the notifications backend expects. */
export function entityTabLink(entityRef: string, tab: 'ci' | 'delivery'): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(kind.toLowerCase())}/${encodeURIComponent(name)}/${tab}`;
}

const CHANGE_WORDS = { promote: 'Promotion', rollback: 'Rollback' } as const;

/** The counts at and above a severity, the most severe first: `2 critical, 1 high`. */
function countsText(counts: Record<VulnerabilitySeverity, number>, minSeverity: VulnerabilitySeverity): string {
  const from = VULNERABILITY_SEVERITIES.indexOf(minSeverity);
  return VULNERABILITY_SEVERITIES.slice(from)
    .reverse()
    .filter(severity => counts[severity] > 0)
    .map(severity => `${counts[severity]} ${severity}`)
    .join(', ');
}

/**
 * The notification of an event. `scope` makes the notifications backend
 * update one notification per thing (a Build, a pull request, an
 * environment, a digest) rather than add another; `key` names the event
 * itself (a pull request's every state, an environment per digest), so a
 * redelivered or twice-observed event is sent once.
 */
export function notificationOf(event: DeliveryEvent): DeliveryNotification {
  const { project, app } = event;
  switch (event.kind) {
    case 'build-failed':
      return {
        key: `build-failed:${event.build}`,
        payload: {
          title: `Build #${event.number} of ${app} failed`,
          description: `${event.message ?? 'The kpack Build failed'} (project ${project})`,
          link: entityTabLink(event.entityRef, 'ci'),
          severity: 'high',
          topic: 'luban: build failed',
          scope: `luban:build:${event.build}`,
        },
      };
    case 'pull-request':
      return {
        key: `pull-request:${event.url}:${event.state}`,
        payload: {
          title: `${CHANGE_WORDS[event.change]} of ${app} to ${event.env} ${event.state}: #${event.number}`,
          description: event.title,
          link: event.url,
          severity: 'normal',
          topic: 'luban: promotion',
          scope: `luban:pull-request:${event.url}`,
        },
      };
    case 'degraded':
      return {
        key: `degraded:${project}/${app}/${event.env}:${event.running}`,
        payload: {
          title: `${app} is Degraded in ${event.env}`,
          description: `${event.message ?? 'Argo CD reports the environment Degraded'} (running ${shortDigest(event.running)})`,
          link: entityTabLink(event.entityRef, 'delivery'),
          severity: 'high',
          topic: 'luban: environment health',
          scope: `luban:health:${project}/${app}/${event.env}`,
        },
      };
    case 'vulnerable':
      return {
        key: `vulnerable:${project}/${app}@${event.digest}:${countsText(event.counts, event.minSeverity)}`,
        payload: {
          title: `${countsText(event.counts, event.minSeverity)} vulnerabilities in ${app} ${shortDigest(event.digest)}`,
          description: `Harbor's scan of the image that runs in ${event.environments.join(', ')}`,
          link: event.harborUrl ?? entityTabLink(event.entityRef, 'delivery'),
          severity: event.counts.critical > 0 ? 'critical' : 'high',
          topic: 'luban: vulnerabilities',
          scope: `luban:vulnerabilities:${project}/${app}@${event.digest}`,
        },
      };
    default:
      throw new Error(`unknown delivery event ${JSON.stringify(event)}`);
  }
}

/** Whether a scan's counts reach a severity. */
export function reachesSeverity(counts: Record<VulnerabilitySeverity, number>, minSeverity: VulnerabilitySeverity): boolean {
  return VULNERABILITY_SEVERITIES.slice(VULNERABILITY_SEVERITIES.indexOf(minSeverity)).some(severity => counts[severity] > 0);
}
