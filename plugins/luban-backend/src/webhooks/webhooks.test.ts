import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import Ajv from 'ajv';
import request from 'supertest';
import { DEMO } from '@luban-backstage/emulator';
import { startLubanBackend } from '../__testUtils__/lubanBackend';
import { untilGit, watchedRootLogger } from '../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from './webhookModule';

const SECRET = `canary-${randomBytes(16).toString('hex')}`;
/** Azure DevOps has its own secret: it sends it in clear, so it must not be GitHub's. */
const AZURE_SECRET = `azure-canary-${randomBytes(16).toString('hex')}`;
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const randomSha = () => randomBytes(20).toString('hex');
/** The demo's GitOps repository in the emulator's git store. */
const GITOPS_REPOSITORY = `github/${DEMO.project}/${DEMO.project}-gitops.git`;

/** GitHub's published schema of the push webhook payload. */
function pushSchemaValidator() {
  const spec = require('@octokit/openapi-webhooks/generated/api.github.com.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ components: spec.components }, 'spec.json');
  return ajv.compile({ $ref: 'spec.json#/components/schemas/webhook-push' });
}

describe('push webhooks through the events backend', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let realPush: { body: string; payload: any; headers: Record<string, string> };
  const logs = watchedRootLogger();

  const buildsOfDemo = () =>
    backend.emulator.kubernetes.list('builds', `ci-${DEMO.project}`).filter(b => b.metadata.labels?.['image.kpack.io/image'] === DEMO.app);
  const post = (topic: string, body: string, headers: Record<string, string>) => {
    const call = request(backend.server).post(`/api/events/http/${topic}`).set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send(body);
  };
  /** A GitHub push delivery for a commit kpack has not built, signed as GitHub signs. */
  const unbuiltPush = (overrides: Record<string, unknown> = {}) => {
    const payload = { ...realPush.payload, before: realPush.payload.after, after: randomSha(), ...overrides };
    const body = JSON.stringify(payload);
    return { body, headers: { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': randomSha(), 'X-Hub-Signature-256': sign(body) } };
  };
  /** What luban reported of each delivery it handled (it may handle one after the events backend answered, as with the events bus). */
  const outcomes = () => logs.withMessage('luban handled a webhook delivery').map(line => [line.meta.delivery, line.meta.outcome]);
  /** Waits for `reports` of luban's reports on these deliveries (by GitHub delivery id), then for kpack and Argo CD; their outcomes. */
  const handled = async (deliveries: string[], reports = deliveries.length) => {
    const outcomesOf = () => outcomes().filter(([delivery]) => deliveries.includes(String(delivery)));
    await logs.waitFor(() => outcomesOf().length >= reports);
    await backend.emulator.settled();
    return outcomesOf().map(([, outcome]) => outcome);
  };
  /** Commits to the demo source repository; the emulated GitHub delivers the push, signed, to the backend. */
  const pushToSource = async (message: string, content: string) => {
    const repository = `github/${DEMO.project}/${DEMO.app}.git`;
    const head = await backend.emulator.git.resolve(repository, 'main');
    const commit = await backend.emulator.git.commit(repository, {
      branch: 'main',
      expectedSha: head,
      message,
      changes: [{ path: 'src/ledger_api/log.py', content }],
      author: { name: 'Ada Payments', email: 'ada@payments.example' },
    });
    return commit.sha;
  };
  /** Resolves once the demo Image has `count` Builds (checked on every change in the cluster). */
  const buildsReach = (count: number) => backend.emulator.kubernetes.store.waitFor(() => buildsOfDemo().length >= count);

  beforeAll(async () => {
    backend = await startLubanBackend({
      // In-process delivery: one backend here, so no need for the events bus between replicas.
      config: { luban: { webhooks: { github: { secret: SECRET }, azure: { secret: AZURE_SECRET } } }, events: { useEventBus: 'never' } },
      // The real events service: the test backend's default gives each plugin its own.
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
    });
    // The emulated GitHub delivers real, signed pushes of the demo source repository to the backend.
    const { port } = backend.server.address() as AddressInfo;
    const hook = await fetch(`${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.app}/hooks`, {
      method: 'POST',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ config: { url: `http://127.0.0.1:${port}/api/events/http/luban-github`, secret: SECRET, content_type: 'json' }, events: ['push'] }),
    });
    if (hook.status !== 201) throw new Error(`the webhook was not registered: ${hook.status}`);
    const seeded = buildsOfDemo().length;
    await pushToSource('Log every request', 'LOG = True\n');
    await backend.emulator.github.api.deliveriesSettled();
    // luban has kpack build the push: let that build start, so that the cases below count from it.
    await buildsReach(seeded + 1);
    await backend.emulator.settled();
    const delivery = backend.emulator.github.api.deliveries().find(d => d.event === 'push')!;
    realPush = { body: delivery.request.body, payload: delivery.request.payload, headers: delivery.request.headers };
    // Seeding the demo, starting a backend and building a push: more than the default 30 s on a busy machine.
  }, 90_000);
  afterAll(() => backend?.stop());

  it('accepts GitHub pushes signed with the secret, in the shape GitHub publishes', async () => {
    const delivery = backend.emulator.github.api.deliveries().find(d => d.event === 'push')!;
    expect(delivery.statusCode).toBe(202);
    const validate = pushSchemaValidator();
    const valid = validate(realPush.payload);
    expect({ valid, errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  });

  // kpack pkg/reconciler/sourceresolver/sourceresolver.go: a push is seen at the next one-minute poll, or at once when the resolver changes.
  it('has kpack build the pushed commit at once for a push delivery, without waiting for its one-minute poll, once per delivery', async () => {
    const before = buildsOfDemo().length;
    const existing = new Set(buildsOfDemo().map(b => b.metadata.name));

    const pushed = await pushToSource('Log every response', 'LOG = "all"\n');
    await backend.emulator.github.api.deliveriesSettled();
    await buildsReach(before + 1);
    await backend.emulator.settled();

    const built = buildsOfDemo().filter(b => !existing.has(b.metadata.name));
    expect(built.map(b => [b.spec.source.git.revision, b.metadata.annotations?.['image.kpack.io/reason']])).toEqual([[pushed, 'COMMIT']]);
    const delivery = backend.emulator.github.api.deliveries().find(d => d.event === 'push' && (d.request.payload as { after?: string }).after === pushed)!;
    const push = { body: delivery.request.body, headers: delivery.request.headers };

    // The same delivery again (a replay) triggers nothing.
    expect((await post('luban-github', push.body, push.headers)).status).toBe(202);
    // Reported twice: once as GitHub delivered it, once replayed.
    expect(await handled([push.headers['X-GitHub-Delivery'] ?? push.headers['x-github-delivery']], 2)).toEqual(['push', 'replay']);
    expect(buildsOfDemo()).toHaveLength(before + 1);

    // The new build is auto-deployed in the background: let that commit land, so that it is not taken for a later test's write.
    const digest = String(built[0].status?.latestImage).split('@')[1];
    const sndOverlay = async () =>
      (await backend.emulator.git.readFile(GITOPS_REPOSITORY, 'main', `apps/${DEMO.app}/overlays/snd/kustomization.yaml`))?.content.toString() ?? '';
    await untilGit(backend.emulator, async () => ((await sndOverlay()).includes(digest) ? true : undefined));
  });

  it.each([
    ['no signature', () => ({ 'X-GitHub-Event': 'push' }), 'missing X-Hub-Signature-256'],
    ['a signature made with another secret', (body: string) => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(body, 'guess') }), 'invalid signature'],
    ['a signature of another body', () => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign('{}') }), 'invalid signature'],
  ])('refuses a GitHub delivery with %s: 401, nothing triggered', async (_case, headersFor, message) => {
    const { body } = unbuiltPush();
    backend.emulator.requests.clear();

    const reported = outcomes().length;

    const response = await post('luban-github', body, headersFor(body));
    // Refused at the ingress, before it is published: luban's handler never sees it, so there is nothing to wait for.
    await backend.emulator.settled();

    expect(response.status).toBe(401);
    expect(outcomes()).toHaveLength(reported);
    expect(response.body).toEqual({ message });
    expect(JSON.stringify(response.body)).not.toContain(SECRET);
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('ignores branch deletions, other refs and other events', async () => {
    const builds = buildsOfDemo().length;
    const deletion = unbuiltPush({ deleted: true, after: '0'.repeat(40) });
    const otherBranch = unbuiltPush({ ref: 'refs/heads/feature' });
    const ping = { ...unbuiltPush(), headers: { ...unbuiltPush().headers, 'X-GitHub-Event': 'ping' } };
    ping.headers['X-Hub-Signature-256'] = sign(ping.body);
    for (const push of [deletion, otherBranch, ping]) {
      expect((await post('luban-github', push.body, push.headers)).status).toBe(202);
    }
    const deliveries = [deletion, otherBranch, ping].map(push => push.headers['X-GitHub-Delivery']);
    // A push to another branch is a push: luban looks, finds no Image building that branch, and builds nothing.
    expect(await handled(deliveries)).toEqual(['not a push', 'push', 'not a push']);
    expect(buildsOfDemo()).toHaveLength(builds);
  });

  it('answers malformed JSON with 400', async () => {
    const body = '{"ref": ';
    const response = await post('luban-github', body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(body) });
    expect(response.status).toBe(400);
  });

  it("takes Azure DevOps pushes only with Azure DevOps' secret as a bearer token", async () => {
    const body = JSON.stringify({
      id: randomSha(),
      eventType: 'git.push',
      resource: {
        refUpdates: [{ name: 'refs/heads/main', oldObjectId: randomSha(), newObjectId: randomSha() }],
        repository: { webUrl: `${backend.emulator.azure.organizationUrl}/payments/_git/unknown` },
      },
    });
    expect((await post('luban-azure', body, {})).status).toBe(401);
    expect((await post('luban-azure', body, { Authorization: 'Bearer guess' })).status).toBe(401);
    expect((await post('luban-azure', body, { Authorization: `Basic ${Buffer.from(`:${AZURE_SECRET}`).toString('base64')}` })).status).toBe(401);
    expect((await post('luban-azure', body, { Authorization: `Bearer ${SECRET}` })).status).toBe(401);
    expect((await post('luban-azure', body, { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
  });
});
