import { ConfigReader } from '@backstage/config';
import { entityTabLink, notificationOf, reachesSeverity, type PullRequestEvent } from './deliveryEvents';
import { readNotificationsConfig } from './notificationsConfig';

const app = { project: 'payments', app: 'ledger-api', entityRef: 'component:default/ledger-api' };
const digest = `sha256:${'ab'.repeat(32)}`;

describe('the notification of a delivery event', () => {
  it("gives a pull request's states one scope (one notification that follows it) and a key each (each sent once)", () => {
    const pull = (state: PullRequestEvent['state']) =>
      notificationOf({ ...app, kind: 'pull-request', change: 'rollback', env: 'prd', state, number: 7, url: 'https://git.example/pr/7', title: 'Roll back' });
    const states = (['opened', 'approved', 'merged'] as const).map(pull);
    expect(new Set(states.map(n => n.payload.scope))).toEqual(new Set(['luban:pull-request:https://git.example/pr/7']));
    expect(new Set(states.map(n => n.key)).size).toBe(3);
    expect(states.map(n => n.payload.title)).toEqual([
      'Rollback of ledger-api to prd opened: #7',
      'Rollback of ledger-api to prd approved: #7',
      'Rollback of ledger-api to prd merged: #7',
    ]);
    expect(pull('opened')).toEqual(pull('opened'));
  });

  it('keys a Degraded environment by what it runs, and a scan by the counts it found', () => {
    const degraded = (running: string) => notificationOf({ ...app, kind: 'degraded', env: 'snd', running });
    expect(degraded(digest).key).not.toBe(degraded(`sha256:${'cd'.repeat(32)}`).key);
    expect(degraded(digest).payload.scope).toBe(degraded(`sha256:${'cd'.repeat(32)}`).payload.scope);
    expect(degraded(digest).payload.description).toBe('Argo CD reports the environment Degraded (running abababababab)');

    const counts = { critical: 0, high: 2, medium: 5, low: 9 };
    const scan = (critical: number) =>
      notificationOf({ ...app, kind: 'vulnerable', digest, environments: ['snd', 'prd'], counts: { ...counts, critical }, minSeverity: 'high' });
    expect(scan(1).payload).toMatchObject({ title: '1 critical, 2 high vulnerabilities in ledger-api abababababab', severity: 'critical' });
    expect(scan(0).payload).toMatchObject({ title: '2 high vulnerabilities in ledger-api abababababab', severity: 'high' });
    expect(scan(0).payload.description).toBe("Harbor's scan of the image that runs in snd, prd");
    expect(scan(1).key).not.toBe(scan(0).key);
  });

  it('links the entity tabs relative to the app, as the notifications backend resolves them', () => {
    expect(entityTabLink('component:default/ledger-api', 'ci')).toBe('/catalog/default/component/ledger-api/ci');
    expect(notificationOf({ ...app, kind: 'build-failed', build: 'emulator/ci-payments/ledger-api-build-3', number: 3 }).payload).toMatchObject({
      title: 'Build #3 of ledger-api failed',
      link: '/catalog/default/component/ledger-api/ci',
      scope: 'luban:build:emulator/ci-payments/ledger-api-build-3',
    });
  });

  it('counts severities from luban.notifications.minSeverity up', () => {
    const counts = { critical: 0, high: 1, medium: 0, low: 0 };
    expect(reachesSeverity(counts, 'critical')).toBe(false);
    expect(reachesSeverity(counts, 'high')).toBe(true);
    expect(reachesSeverity(counts, 'low')).toBe(true);
  });
});

describe('luban.notifications', () => {
  it('defaults to critical, every minute, on when the notifications backend runs here', () => {
    expect(readNotificationsConfig(new ConfigReader({}))).toEqual({ enabled: undefined, minSeverity: 'critical', checkIntervalMs: 60_000 });
    expect(
      readNotificationsConfig(new ConfigReader({ luban: { notifications: { enabled: false, minSeverity: 'HIGH', checkInterval: { seconds: 30 } } } })),
    ).toEqual({ enabled: false, minSeverity: 'high', checkIntervalMs: 30_000 });
  });

  it('refuses an unknown severity, naming the key', () => {
    expect(() => readNotificationsConfig(new ConfigReader({ luban: { notifications: { minSeverity: 'severe' } } }))).toThrow(
      "luban.notifications.minSeverity must be one of low, medium, high, critical, not 'severe'",
    );
  });
});
