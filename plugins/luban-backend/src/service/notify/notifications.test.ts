/**
 * Notifications through Backstage's real notifications backend
 * (`@backstage/plugin-notifications-backend`, read back through its REST API
 * `GET /api/notifications/notifications` as each user would), with the
 * recipients resolved by its default resolver from the catalog's Group and
 * its `hasMember` relations (plugins/notifications-backend
 * `DefaultNotificationRecipientResolver.ts` upstream) and the updates of one
 * notification by `scope` (`getExistingScopeNotification` +
 * `restoreExistingNotification` in its `DatabaseNotificationsStore.ts`).
 */
import { ConfigReader } from '@backstage/config';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import type { Notification } from '@backstage/plugin-notifications-common';
import { DEMO } from '@luban-backstage/emulator';
import { kpackImageName, type LubanChangeResult } from '@luban-backstage/plugin-luban-common';
import { LubanClusters, argoCdRefreshPatch } from '@luban-backstage/plugin-luban-node';
import request from 'supertest';
import { DEMO_ENTITY_PATH, emulatorConfig, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed, watchedRootLogger } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SOURCE = `github/${DEMO.project}/${DEMO.app}.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const SND_APP = `snd-${DEMO.project}-${DEMO.app}`;
const CI_NAMESPACE = `ci-${DEMO.project}`;

/** The owner group with the default mock user as its member, and another team with bob. */
function people() {
  const user = (name: string) => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name }, spec: { memberOf: [] } });
  const group = (name: string, members: string[]) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name },
    spec: { type: 'team', children: [], members },
  });
  return [user('mock'), user('bob'), group(DEMO.owner, ['mock']), group('team-b', ['bob'])];
}

describe('notifications of delivery events', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const logs = watchedRootLogger();

  beforeAll(async () => {
    backend = await startLubanBackend({
      config: {
        app: { baseUrl: 'http://localhost:3000' },
        // Looks at pull requests and scans five times a second here (every minute by default).
        luban: { notifications: { checkInterval: { milliseconds: 200 } } },
      },
      features: [notificationsPlugin, logs.factory],
      entities: async () => people(),
    });
  }, 120_000);

  afterAll(() => backend?.stop());

  async function notificationsOf(token: string): Promise<Notification[]> {
    const response = await request(backend.server).get('/api/notifications/notifications').set('Authorization', token);
    expect(response.status).toBe(200);
    return response.body.notifications;
  }
  const ofScope = (list: Notification[], scope: string) => list.filter(n => n.payload.scope === scope);
  /** The owner's notifications of a scope, once `done` holds of them. */
  const untilOwnerSees = (scope: string, done: (list: Notification[]) => boolean) =>
    untilServed(async () => {
      const list = ofScope(await notificationsOf(backend.owner), scope);
      return done(list) ? list : undefined;
    });
  const alreadySent = (key: string) =>
    logs.waitFor(lines => lines.some(l => l.message === 'Delivery notification already sent' && l.meta.key === key));
  const gateway = () => LubanClusters.fromConfig(new ConfigReader(emulatorConfig(backend.emulator))).gateway();
  const application = (name: string) => backend.emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === name);

  it('tells the owner group of a promotion pull request opened, approved and merged: one notification that follows it', async () => {
    const promoted = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: 'prd' });
    expect(promoted.status).toBe(200);
    const { number, url } = (promoted.body as LubanChangeResult).pullRequest!;
    const scope = `luban:pull-request:${url}`;

    const opened = await untilOwnerSees(scope, list => list.length > 0);
    expect(opened.map(n => [n.payload.title, n.payload.link, n.payload.topic, n.user])).toEqual([
      [`Promotion of ${DEMO.app} to prd opened: #${number}`, url, 'luban: promotion', 'user:default/mock'],
    ]);

    backend.emulator.github.api.approvePullRequest(DEMO.project, `${DEMO.project}-gitops`, number, 'ada');
    const approved = await untilOwnerSees(scope, list => list[0]?.payload.title.includes('approved'));
    expect(approved.map(n => [n.id, n.payload.title])).toEqual([[opened[0].id, `Promotion of ${DEMO.app} to prd approved: #${number}`]]);

    const merged = await fetch(`${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls/${number}/merge`, {
      method: 'PUT',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(merged.status).toBe(200);
    const done = await untilOwnerSees(scope, list => list[0]?.payload.title.includes('merged'));
    // Updated in place (the same id), not a third notification.
    expect(done.map(n => [n.id, n.payload.title, Boolean(n.updated)])).toEqual([
      [opened[0].id, `Promotion of ${DEMO.app} to prd merged: #${number}`, true],
    ]);
    expect(ofScope(await notificationsOf(backend.otherTeam), scope)).toEqual([]);
  });

  it('tells the owners once of a CRITICAL vulnerability a new scan finds in the digest snd runs', async () => {
    const digest = String(application(SND_APP)!.status.summary.images[0]).split('@')[1];
    const scope = `luban:vulnerabilities:${DEMO.project}/${DEMO.app}@${digest}`;
    // A HIGH one is below luban.notifications.minSeverity (critical by default): nothing.
    backend.emulator.harbor.api.setScanResult(DEMO.project, DEMO.app, digest, { High: 3 });
    backend.emulator.harbor.api.setScanResult(DEMO.project, DEMO.app, digest, { Critical: 1, High: 3 });

    const told = await untilOwnerSees(scope, list => list.length > 0);
    expect(told.map(n => [n.payload.title, n.payload.severity, n.payload.topic])).toEqual([
      [`1 critical vulnerabilities in ${DEMO.app} ${digest.slice(7, 19)}`, 'critical', 'luban: vulnerabilities'],
    ]);
    expect(told[0].payload.link).toContain(backend.emulator.harbor.url);
    // The same scan looked at again on later looks: still one, never updated.
    await alreadySent(`vulnerable:${DEMO.project}/${DEMO.app}@${digest}:1 critical`);
    expect((await untilOwnerSees(scope, () => true)).map(n => [n.id, n.updated])).toEqual([[told[0].id, null]]);
  });

  it('tells the owners once when an environment turns Degraded', async () => {
    const head = await backend.emulator.git.resolve(GITOPS, 'main');
    const overlay = (await backend.emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))!.content.toString();
    const scope = `luban:health:${DEMO.project}/${DEMO.app}/snd`;
    // snd now deploys an image Harbor does not have: Argo CD syncs it and reports Degraded.
    await backend.emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: head,
      message: 'Deploy an image that is not there',
      changes: [{ path: SND_OVERLAY, content: overlay.replace(`/${DEMO.app}\n`, `/${DEMO.app}-gone\n`) }],
    });
    const k8s = backend.emulator.kubernetes;
    const app = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: SND_APP, namespace: 'argocd' } };
    await gateway().mergePatch(app, argoCdRefreshPatch());
    try {
      const told = await untilOwnerSees(scope, list => list.length > 0);
      expect(told.map(n => [n.payload.title, n.payload.severity, n.payload.link, n.updated])).toEqual([
        [`${DEMO.app} is Degraded in snd`, 'high', `/catalog/default/component/${DEMO.app}/delivery`, null],
      ]);
      // Argo CD reports the same Degraded state again after another refresh: the notification is neither repeated nor updated.
      await gateway().mergePatch(app, argoCdRefreshPatch());
      await k8s.store.waitFor(() => !application(SND_APP)!.metadata.annotations?.['argocd.argoproj.io/refresh']);
      expect((await untilOwnerSees(scope, () => true)).map(n => [n.id, n.updated])).toEqual([[told[0].id, null]]);
    } finally {
      const now = await backend.emulator.git.resolve(GITOPS, 'main');
      await backend.emulator.git.commit(GITOPS, { branch: 'main', expectedSha: now, message: 'Deploy the image again', changes: [{ path: SND_OVERLAY, content: overlay }] });
      await gateway().mergePatch(app, argoCdRefreshPatch());
      await k8s.store.waitFor(() => application(SND_APP)?.status?.health?.status === 'Healthy');
    }
  });

  it('tells the members of the owner group, and no one else, of a failed build once, however often it is observed', async () => {
    await backend.emulator.git.commit(SOURCE, { branch: 'main', message: 'break the build', changes: [{ path: 'FAIL_BUILD', content: '' }] });
    try {
      // What luban does on a push webhook: kpack resolves the branch now rather than at its next poll.
      await gateway().resolveSourceNow(CI_NAMESPACE, kpackImageName(DEMO.app));
      const k8s = backend.emulator.kubernetes;
      const failed = () =>
        k8s.list('builds', CI_NAMESPACE).find(b => b.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Succeeded' && c.status === 'False'));
      await k8s.store.waitFor(() => failed() !== undefined);
      const build = failed()!;
      const number = build.metadata.labels?.['image.kpack.io/buildNumber'];
      const scope = `luban:build:emulator/${CI_NAMESPACE}/${build.metadata.name}`;

      const told = await untilOwnerSees(scope, list => list.length > 0);
      expect(told.map(n => [n.payload.title, n.payload.severity, n.payload.link, n.user])).toEqual([
        [`Build #${number} of ${DEMO.app} failed`, 'high', `/catalog/default/component/${DEMO.app}/ci`, 'user:default/mock'],
      ]);
      expect(told[0].payload.description).toContain('step "build" exited with code 1');

      // The same failed Build changes again (as a redelivered event or another replica's watch would show it): still one.
      await gateway().mergePatch(
        { apiVersion: 'kpack.io/v1alpha2', kind: 'Build', metadata: { name: build.metadata.name, namespace: CI_NAMESPACE } },
        { metadata: { annotations: { 'example.com/seen': 'again' } } },
      );
      await alreadySent(`build-failed:emulator/${CI_NAMESPACE}/${build.metadata.name}`);
      expect(ofScope(await notificationsOf(backend.owner), scope)).toHaveLength(1);

      // bob (another team) and a stranger see none of luban's notifications.
      for (const token of [backend.otherTeam, backend.stranger]) {
        expect((await notificationsOf(token)).filter(n => n.payload.scope?.startsWith('luban:'))).toEqual([]);
      }
    } finally {
      await backend.emulator.git.commit(SOURCE, { branch: 'main', message: 'fix the build', changes: [{ path: 'FAIL_BUILD', content: null }] });
    }
  });
});
