import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO } from '@luban-backstage/emulator';
import request from 'supertest';
import { startLubanBackend } from '../__testUtils__/lubanBackend';
import { watchedRootLogger } from '../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from './webhookModule';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;
const SND_APP = `snd-${DEMO.project}-${DEMO.app}`;
const GITOPS_API = `/api/v3/repos/${DEMO.project}/${DEMO.project}-gitops`;

describe('a push to a GitOps repository', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const logs = watchedRootLogger();

  beforeAll(async () => {
    // The emulator's Argo CD at its default 120 s reconciliation, as a real install.
    backend = await startLubanBackend({
      config: { luban: { webhooks: { github: { secret: SECRET } } }, events: { useEventBus: 'never' } },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
    });
    const { port } = backend.server.address() as AddressInfo;
    const hook = await fetch(`${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/hooks`, {
      method: 'POST',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ config: { url: `http://127.0.0.1:${port}/api/events/http/luban-github`, secret: SECRET, content_type: 'json' }, events: ['push', 'pull_request'] }),
    });
    if (hook.status !== 201) throw new Error(`the webhook was not registered: ${hook.status}`);
  });
  afterAll(() => backend?.stop());

  const sndApplication = () => backend.emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === SND_APP)!;

  it('makes Argo CD read it at once (a merged pull request shows in seconds, not at the next reconciliation)', async () => {
    const { emulator } = backend;
    const before = sndApplication().status.sync.revision;
    const head = await emulator.git.resolve(GITOPS, 'main');
    expect(before).toBe(head);
    // Someone merges a change on the git host: luban made no commit, only the push delivery tells it.
    const overlay = (await emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))!.content.toString();
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: head,
      message: 'Annotate snd',
      changes: [{ path: SND_OVERLAY, content: `${overlay}commonAnnotations:\n  luban.dev/reviewed: "yes"\n` }],
    });
    const merged = await emulator.git.resolve(GITOPS, 'main');
    await emulator.github.api.deliveriesSettled();
    expect(emulator.github.api.deliveries().filter(d => d.event === 'push').map(d => d.statusCode)).toEqual([202]);

    // The handler runs after the events backend has answered: wait for Argo CD to have read the commit
    // (the store tells of every change to the Application; the jest timeout bounds the wait).
    await emulator.kubernetes.store.waitFor(() => sndApplication().status.sync.revision === merged);
    await emulator.settled();
    const app = sndApplication();
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.history.at(-1).revision).toBe(merged);
    expect(app.metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
  }, 60_000);

  it('keeps the promotion view fresh by the webhook: a repeated view asks GitHub nothing; after a push, the next one reads the new head and only the overlay it touched', async () => {
    const { emulator } = backend;
    const view = async () =>
      (await request(backend.server).get(`/api/luban/entities/component/default/${DEMO.app}/promotion`).set('Authorization', backend.owner).expect(200)).body;
    const github = () => emulator.requests.entries('github').map(r => `${r.method} ${decodeURIComponent(r.path.split('?')[0])} ${r.status}`);
    // The push above arrived: the first view after it asks once (the head and the open pull requests, conditionally).
    await view();
    emulator.requests.clear();

    await view();
    expect(github()).toEqual([]);

    // Someone edits prd's overlay on the host; its push delivery reaches luban.
    const handled = logs.withMessage('luban handled a webhook delivery').length;
    const overlay = (await emulator.git.readFile(GITOPS, 'main', PRD_OVERLAY))!.content.toString();
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(GITOPS, 'main'),
      message: 'Annotate prd',
      changes: [{ path: PRD_OVERLAY, content: `${overlay}commonAnnotations:\n  luban.dev/reviewed: "yes"\n` }],
    });
    await logs.waitFor(() => logs.withMessage('luban handled a webhook delivery').length > handled);
    emulator.requests.clear();

    await view();
    // The head moved (200), the comparison names prd's overlay alone, which is read again; snd's is kept.
    // The head moved (asked, 200); the comparison since the last head names prd's overlay alone, which is read again
    // with its last commit (the deploy date); snd's is kept. The open pull requests are asked again (unchanged, 304).
    expect(github().sort()).toEqual([
      `GET ${GITOPS_API}/commits 200`,
      `GET ${GITOPS_API}/commits/main 200`,
      expect.stringMatching(new RegExp(`^GET ${GITOPS_API}/compare/[0-9a-f]{40}\\.\\.\\.[0-9a-f]{40} 200$`)),
      `GET ${GITOPS_API}/contents/${PRD_OVERLAY} 200`,
      `GET ${GITOPS_API}/pulls 304`,
    ]);
  }, 60_000);

  it('asks for the open pull requests again after one was closed on the host, which is no push', async () => {
    const { emulator } = backend;
    const headers = { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' };
    const view = async () =>
      (await request(backend.server).get(`/api/luban/entities/component/default/${DEMO.app}/promotion`).set('Authorization', backend.owner).expect(200)).body;
    const handled = (outcome: string) => logs.withMessage('luban handled a webhook delivery').filter(l => l.meta.outcome === outcome).length;
    // A promotion proposed by hand on a branch of luban's naming: its branch is a push, its pull request is not.
    const branch = `luban/promote/${DEMO.app}/prd/0123456789ab`;
    const pushes = handled('push');
    await emulator.git.commit(GITOPS, {
      branch,
      from: await emulator.git.resolve(GITOPS, 'main'),
      message: 'Promote by hand',
      changes: [{ path: PRD_OVERLAY, content: 'images: []\n' }],
    });
    await logs.waitFor(() => handled('push') > pushes);
    const opened = await fetch(`${emulator.github.url}${GITOPS_API}/pulls`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ head: branch, base: 'main', title: 'Promote by hand' }),
    });
    const { number } = (await opened.json()) as { number: number };
    await logs.waitFor(() => handled('pull request of a GitOps repository') >= 1);
    expect((await view()).environments.find((e: { name: string }) => e.name === 'prd')?.pullRequest?.number).toBe(number);
    await view();

    const closed = await fetch(`${emulator.github.url}${GITOPS_API}/pulls/${number}`, { method: 'PATCH', headers, body: JSON.stringify({ state: 'closed' }) });
    expect(closed.status).toBe(200);
    await logs.waitFor(() => handled('pull request of a GitOps repository') >= 2);

    expect((await view()).environments.find((e: { name: string }) => e.name === 'prd')?.pullRequest).toBeUndefined();
  }, 60_000);
});
