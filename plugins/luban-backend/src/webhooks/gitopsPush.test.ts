import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO } from '@luban-backstage/emulator';
import { startLubanBackend } from '../__testUtils__/lubanBackend';
import { eventsModuleLubanWebhooks } from './webhookModule';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const SND_APP = `snd-${DEMO.project}-${DEMO.app}`;

describe('a push to a GitOps repository', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  beforeAll(async () => {
    // The emulator's Argo CD at its default 120 s reconciliation, as a real install.
    backend = await startLubanBackend({
      config: { luban: { webhooks: { github: { secret: SECRET } } }, events: { useEventBus: 'never' } },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory],
    });
    const { port } = backend.server.address() as AddressInfo;
    const hook = await fetch(`${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/hooks`, {
      method: 'POST',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ config: { url: `http://127.0.0.1:${port}/api/events/http/luban-github`, secret: SECRET, content_type: 'json' }, events: ['push'] }),
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
});
