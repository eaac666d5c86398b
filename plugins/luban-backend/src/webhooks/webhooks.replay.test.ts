import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import { startLubanBackend } from '../__testUtils__/lubanBackend';
import { watchedRootLogger } from '../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from './webhookModule';

const SECRET = `replay-canary-${randomBytes(16).toString('hex')}`;
const randomSha = () => randomBytes(20).toString('hex');

describe('push webhook replays across a restart', () => {
  let emulator: RunningEmulator;
  /** SQLite files on disk: the database outlives the backend process, as PostgreSQL would. */
  const databaseDirectory = mkdtempSync(join(tmpdir(), 'luban-replay-'));

  const start = async () => {
    const logs = watchedRootLogger();
    const backend = await startLubanBackend({
      emulator,
      config: {
        backend: { database: { client: 'better-sqlite3', connection: { directory: databaseDirectory } } },
        luban: { webhooks: { github: { secret: SECRET } }, gitops: { autoDeploy: 'off' } },
        events: { useEventBus: 'never' },
      },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
    });
    return { ...backend, logs };
  };
  const buildsOfDemo = () =>
    emulator.kubernetes.list('builds', `ci-${DEMO.project}`).filter(b => b.metadata.labels?.['image.kpack.io/image'] === DEMO.app);
  /**
   * Waits until the backend has reported the outcome of `deliveries` deliveries (the handler may run after the
   * ingress answered, as it does with the events bus) and kpack is idle; then what the deliveries triggered, and
   * what became of each delivery.
   */
  async function triggered(backend: Awaited<ReturnType<typeof start>>, deliveries: number) {
    const outcomes = () => backend.logs.withMessage('luban handled a webhook delivery');
    await backend.logs.waitFor(() => outcomes().length >= deliveries);
    await emulator.settled();
    return {
      builds: buildsOfDemo().length,
      writes: emulator.requests.mutating().map(r => `${r.method} ${r.path}`),
      outcomes: outcomes().map(line => line.meta.outcome),
    };
  }

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 5, rolloutMs: 5 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
  });
  afterAll(() => emulator?.stop());

  it('refuses a delivery replayed after the backend restarted on the same database, under its id or a new one', async () => {
    // A commit really pushed: kpack builds what it resolves from the repository.
    const repository = `github/${DEMO.project}/${DEMO.app}.git`;
    const head = (await emulator.git.resolve(repository, 'main'))!;
    const pushed = await emulator.git.commit(repository, { branch: 'main', expectedSha: head, message: 'Change', changes: [{ path: 'change.txt', content: randomSha() }] });
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: head,
      after: pushed.sha,
      repository: { html_url: `${emulator.github.url}/${DEMO.project}/${DEMO.app}` },
    });
    const headers = {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': randomSha(),
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
    };
    const before = buildsOfDemo().length;

    const first = await start();
    try {
      expect((await request(first.server).post('/api/events/http/luban-github').set(headers).send(body)).status).toBe(202);
      expect(await triggered(first, 1)).toMatchObject({ builds: before + 1, outcomes: ['push'] });
    } finally {
      await first.stop();
    }

    emulator.requests.clear();
    const second = await start();
    try {
      const replay = await request(second.server).post('/api/events/http/luban-github').set(headers).send(body);
      const newId = await request(second.server)
        .post('/api/events/http/luban-github')
        .set({ ...headers, 'X-GitHub-Delivery': randomSha() })
        .send(body);

      expect([replay.status, newId.status]).toEqual([202, 202]);
      // The replay is known by its id; the same push under a new id is acted on, but its commit was already built.
      expect(await triggered(second, 2)).toEqual({ builds: before + 1, writes: [], outcomes: ['replay', 'push'] });
    } finally {
      await second.stop();
    }
  });
});
