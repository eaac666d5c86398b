import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../index';
import { DEMO, DEMO_PROJECTS, seedDemo } from '../seed';

describe('seedDemo with luban’s push webhook', () => {
  let emulator: RunningEmulator;
  let receiver: Server;
  const received: Array<{ path?: string; event?: string; signature?: string; body: string }> = [];
  const secret = 'seed-webhook-secret-0123456789';

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ path: req.url, event: String(req.headers['x-github-event']), signature: String(req.headers['x-hub-signature-256']), body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/events/http/luban-github`;
    emulator = await startEmulator();
    await seedDemo(emulator, { lubanWebhook: { url, secret } });
  }, 60_000);
  afterAll(async () => {
    await emulator.stop();
    await new Promise(resolve => receiver.close(resolve));
  });

  it('still builds each demo app twice, the second time for the pushed change (COMMIT) without waiting for kpack’s poll', () => {
    for (const { project, app } of DEMO_PROJECTS) {
      const builds = emulator.kubernetes.list('builds', `ci-${project}`).filter(b => b.metadata.labels?.['image.kpack.io/image'] === app);
      expect(builds.map(b => b.metadata.annotations?.['image.kpack.io/reason'])).toEqual(['CONFIG', 'COMMIT']);
    }
  });

  it.each([
    ['source', `github/${DEMO.project}/${DEMO.app}.git`],
    ['GitOps', `github/${DEMO.project}/${DEMO.project}-gitops.git`],
  ])('delivers a later push of a demo %s repository to luban, signed with the secret', async (_kind, repository) => {
    const head = await emulator.git.resolve(repository, 'main');
    const pushed = await emulator.git.commit(repository, { branch: 'main', expectedSha: head, message: 'Change', changes: [{ path: 'a.txt', content: 'a' }] });
    await emulator.github.api.deliveriesSettled();

    const push = received.find(r => r.event === 'push' && JSON.parse(r.body).after === pushed.sha);
    expect(push?.path).toBe('/api/events/http/luban-github');
    expect(push?.signature).toBe(`sha256=${createHmac('sha256', secret).update(push!.body).digest('hex')}`);
  });
});
