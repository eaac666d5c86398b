import { createHmac, randomBytes } from 'node:crypto';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import { startLubanBackend } from '../__testUtils__/lubanBackend';
import { watchedRootLogger } from '../__testUtils__/waiting';
import { eventsModuleLubanWebhooks } from './webhookModule';

const SECRET = `webhook-canary-${randomBytes(12).toString('hex')}`;
/** Azure DevOps' own secret (it travels in clear, so it is not GitHub's). */
const AZURE_SECRET = `azure-canary-${randomBytes(12).toString('hex')}`;
const TOKEN = `token-canary-${randomBytes(12).toString('hex')}`;
const sign = (body: string | Buffer, secret = SECRET, algorithm = 'sha256') =>
  `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
const randomSha = () => randomBytes(20).toString('hex');

/** A secret as it may travel: plain, in a Basic header, base64- or URL-encoded. */
function encodingsOf(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(`admin:${secret}`).toString('base64'), Buffer.from(`:${secret}`).toString('base64')];
}

describe('push webhooks under abuse', () => {
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const logs = watchedRootLogger();
  const answers: string[] = [];
  let sourceUrl: string;

  const buildsOfDemo = () =>
    emulator.kubernetes.list('builds', `ci-${DEMO.project}`).filter(b => b.metadata.labels?.['image.kpack.io/image'] === DEMO.app);
  const post = async (topic: string, body: string | Buffer, headers: Record<string, string>) => {
    const call = request(backend.server).post(`/api/events/http/${topic}`);
    if (!Object.keys(headers).some(name => name.toLowerCase() === 'content-type')) call.set('Content-Type', 'application/json');
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    const response = await call.send(body);
    answers.push(`${response.status} ${response.text}`);
    return response;
  };
  /** A push to the demo app's Image branch of a commit kpack has not built: what would make luban trigger a build. */
  const pushPayload = (overrides: Record<string, unknown> = {}) => ({
    ref: 'refs/heads/main',
    before: randomSha(),
    after: randomSha(),
    deleted: false,
    repository: { html_url: sourceUrl, full_name: `${DEMO.project}/${DEMO.app}` },
    ...overrides,
  });
  /**
   * A push as GitHub would send it for a commit really pushed to the demo source repository: kpack
   * builds what it resolves from the repository, so a genuine push must name a commit that is there.
   */
  const genuinePushPayload = async () => {
    const repository = `github/${DEMO.project}/${DEMO.app}.git`;
    const before = (await emulator.git.resolve(repository, 'main'))!;
    const { sha } = await emulator.git.commit(repository, { branch: 'main', expectedSha: before, message: 'Change', changes: [{ path: 'change.txt', content: randomSha() }] });
    return pushPayload({ before, after: sha });
  };
  const githubHeaders = (body: string | Buffer, extra: Record<string, string> = {}) => ({
    'X-GitHub-Event': 'push',
    'X-GitHub-Delivery': randomSha(),
    'X-Hub-Signature-256': sign(body),
    ...extra,
  });
  /**
   * Waits until luban has reported the outcome of every delivery the ingress accepted (the handler may run after
   * the ingress answered, as it does with the events bus) and kpack is idle, then says whether anything was triggered.
   */
  async function triggered(): Promise<{ builds: number; writes: string[] }> {
    const accepted = answers.filter(answer => answer.startsWith('202 ')).length;
    await logs.waitFor(() => logs.withMessage('luban handled a webhook delivery').length >= accepted);
    await emulator.settled();
    return { builds: buildsOfDemo().length, writes: emulator.requests.mutating().map(r => `${r.method} ${r.path}`) };
  }

  beforeAll(async () => {
    emulator = await startEmulator({ token: TOKEN, buildStepMs: 5, rolloutMs: 5 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    sourceUrl = `${emulator.github.url}/${DEMO.project}/${DEMO.app}`;
    backend = await startLubanBackend({
      emulator,
      // No auto-deploy: the builds a case triggers must not write to the GitOps repository during the next case.
      config: {
        luban: { webhooks: { github: { secret: SECRET }, azure: { secret: AZURE_SECRET } }, gitops: { autoDeploy: 'off' } },
        events: { useEventBus: 'never' },
      },
      features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory, logs.factory],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
  });
  beforeEach(() => emulator.requests.clear());

  it('triggers a build for a genuine signed push (the control case)', async () => {
    const before = buildsOfDemo().length;
    const body = JSON.stringify(await genuinePushPayload());

    expect((await post('luban-github', body, githubHeaders(body))).status).toBe(202);

    expect((await triggered()).builds).toBe(before + 1);
  });

  const body = () => JSON.stringify(pushPayload());
  const badGitHubSignatures: Array<[string, (signed: string) => Record<string, string>]> = [
    ['no signature', () => ({ 'X-GitHub-Event': 'push' })],
    ['an empty signature', () => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': '' })],
    ['a signature without digits', () => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': 'sha256=' })],
    ['a SHA-1 signature (X-Hub-Signature-256 holding sha1=)', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(signed, SECRET, 'sha1') })],
    ['only the legacy X-Hub-Signature (SHA-1)', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature': sign(signed, SECRET, 'sha1') })],
    ['a signature made with another secret', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(signed, 'guess') })],
    ['a signature made with an empty secret', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(signed, '') })],
    ['a signature of another body', () => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign('{}') })],
    ['a truncated signature', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(signed).slice(0, 40) })],
    ['the signature in upper case', signed => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(signed).toUpperCase() })],
    ['the secret itself as the signature', () => ({ 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': `sha256=${SECRET}` })],
    ['the secret as a bearer token instead of a signature', () => ({ 'X-GitHub-Event': 'push', Authorization: `Bearer ${SECRET}` })],
  ];

  it.each(badGitHubSignatures)('refuses a GitHub delivery with %s: 401, nothing triggered', async (_case, headersFor) => {
    const before = buildsOfDemo().length;
    const signed = body();

    const response = await post('luban-github', signed, headersFor(signed));

    expect(response.status).toBe(401);
    expect(await triggered()).toEqual({ builds: before, writes: [] });
  });

  it('refuses a signed body changed by one byte on the way', async () => {
    const before = buildsOfDemo().length;
    const signed = body();
    const response = await post('luban-github', `${signed} `, githubHeaders(signed));
    expect(response.status).toBe(401);
    expect(await triggered()).toEqual({ builds: before, writes: [] });
  });

  const badAzureAuthorizations: Array<[string, Record<string, string>]> = [
    ['no Authorization', {}],
    ['a guessed bearer token', { Authorization: 'Bearer guess' }],
    ['the secret as Basic credentials', { Authorization: `Basic ${Buffer.from(`:${AZURE_SECRET}`).toString('base64')}` }],
    ['the secret with a character more', { Authorization: `Bearer ${AZURE_SECRET}x` }],
    ['a prefix of the secret', { Authorization: `Bearer ${AZURE_SECRET.slice(0, -1)}` }],
    ["GitHub's secret as the bearer token", { Authorization: `Bearer ${SECRET}` }],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
    ['a GitHub signature instead of the bearer token', { 'X-Hub-Signature-256': sign('{}') }],
  ];

  it.each(badAzureAuthorizations)('refuses an Azure DevOps delivery with %s: 401, nothing triggered', async (_case, headers) => {
    const payload = JSON.stringify({
      id: randomSha(),
      eventType: 'git.push',
      resource: { refUpdates: [{ name: 'refs/heads/main', oldObjectId: randomSha(), newObjectId: randomSha() }], repository: { webUrl: sourceUrl } },
    });
    const before = buildsOfDemo().length;

    const response = await post('luban-azure', payload, headers);

    expect(response.status).toBe(401);
    expect(await triggered()).toEqual({ builds: before, writes: [] });
  });

  it('drops a replayed delivery, and a captured delivery sent again under a new delivery id', async () => {
    const before = buildsOfDemo().length;
    const signed = JSON.stringify(await genuinePushPayload());
    const headers = githubHeaders(signed);
    expect((await post('luban-github', signed, headers)).status).toBe(202);
    expect((await triggered()).builds).toBe(before + 1);
    emulator.requests.clear();

    // The same delivery again, as GitHub's "Redeliver" sends it; then the same signed body with a fresh id.
    expect((await post('luban-github', signed, headers)).status).toBe(202);
    expect((await post('luban-github', signed, { ...headers, 'X-GitHub-Delivery': randomSha() })).status).toBe(202);

    expect(await triggered()).toEqual({ builds: before + 1, writes: [] });
  });

  it('answers a body over the ingress limit with 413, nothing triggered', async () => {
    const before = buildsOfDemo().length;
    const oversize = JSON.stringify(pushPayload({ padding: 'x'.repeat(6 * 1024 * 1024) }));

    const response = await post('luban-github', oversize, githubHeaders(oversize));

    expect(response.status).toBe(413);
    expect(await triggered()).toEqual({ builds: before, writes: [] });
  });

  const malformed: Array<[string, string | Buffer, Record<string, string>]> = [
    ['cut-off JSON', '{"ref": ', {}],
    ['two JSON documents', '{}{}', {}],
    ['an empty body', '', {}],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), {}],
    ['JSON with a trailing comma', '{"ref": "refs/heads/main",}', {}],
    ['an unknown charset', '{}', { 'Content-Type': 'application/json; charset=klingon' }],
    ['a body that is not JSON at all', 'ref=refs/heads/main', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['JSON nested 100,000 levels deep (it would overflow the stack of the events service)', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, {}],
    ['JSON objects nested 65 levels deep', `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, {}],
  ];

  it.each(malformed)('answers %s with a 4xx, nothing triggered', async (_case, payload, headers) => {
    const before = buildsOfDemo().length;

    const response = await post('luban-github', payload, { ...githubHeaders(payload), ...headers });

    expect({ status: response.status, client: response.status >= 400 && response.status < 500 }).toEqual({ status: response.status, client: true });
    expect(await triggered()).toEqual({ builds: before, writes: [] });
  });

  const json = (payload: () => unknown) => () => JSON.stringify(payload());
  const inert: Array<[string, () => string, Record<string, string>?]> = [
    ['null', () => 'null'],
    ['an array', json(() => [pushPayload()])],
    ['a string', json(() => 'refs/heads/main')],
    ['a number', json(() => 42)],
    ['an empty object', json(() => ({}))],
    ['a push without the new commit', json(() => pushPayload({ after: undefined }))],
    ['a new commit that is a shell command', json(() => pushPayload({ after: '$(curl http://169.254.169.254/)' }))],
    ['a new commit of 40 characters that are not hex', json(() => pushPayload({ after: 'g'.repeat(40) }))],
    ['the all-zero commit of a deleted branch', json(() => pushPayload({ after: '0'.repeat(40), deleted: true }))],
    ['a ref with a shell command', json(() => pushPayload({ ref: 'refs/heads/main; rm -rf /' }))],
    ['a ref with a newline', json(() => pushPayload({ ref: 'refs/heads/main\nrefs/heads/evil' }))],
    ['a ref that climbs out of refs/', json(() => pushPayload({ ref: 'refs/heads/../../main' }))],
    ['a ref that is not under refs/', json(() => pushPayload({ ref: 'main' }))],
    ['a ref of 100,000 characters', json(() => pushPayload({ ref: `refs/heads/${'a'.repeat(100_000)}` }))],
    ['a repository at the cloud metadata address', json(() => pushPayload({ repository: { html_url: 'http://169.254.169.254/latest/meta-data' } }))],
    ['a repository URL with a javascript: scheme', json(() => pushPayload({ repository: { html_url: ['javascript', 'alert(1)'].join(':') } }))],
    ['a repository URL with a file: scheme', json(() => pushPayload({ repository: { html_url: 'file:///etc/passwd' } }))],
    ['a repository whose name uses a Cyrillic look-alike', json(() => pushPayload({ repository: { html_url: sourceUrl.replace('ledger-api', 'ledger-\u0430pi') } }))],
    ['a repository URL with a path traversal', json(() => pushPayload({ repository: { html_url: `${sourceUrl}/../../${DEMO.project}/other` } }))],
    ['a repository that is an object where a URL belongs', json(() => pushPayload({ repository: { html_url: { toString: sourceUrl } } }))],
    ['a prototype-polluting payload', () => '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'],
    ['a ping event', json(() => pushPayload()), { 'X-GitHub-Event': 'ping' }],
    ['an event name in upper case', json(() => pushPayload()), { 'X-GitHub-Event': 'PUSH' }],
    ['no event name', json(() => pushPayload()), { 'X-GitHub-Event': '' }],
  ];

  it.each(inert)('accepts a signed delivery of %s and does nothing with it', async (_case, payload, headers = {}) => {
    const before = buildsOfDemo().length;
    const signed = payload();

    const response = await post('luban-github', signed, githubHeaders(signed, headers));

    expect(response.status).toBe(202);
    expect(await triggered()).toEqual({ builds: before, writes: [] });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('never shows the webhook secret or the platform credentials in an answer or a log line', async () => {
    // An accepted Azure DevOps delivery carries the secret in its Authorization header all the way to the events service.
    const azure = JSON.stringify({
      id: randomSha(),
      eventType: 'git.push',
      resource: { refUpdates: [{ name: 'refs/heads/main', oldObjectId: randomSha(), newObjectId: randomSha() }], repository: { webUrl: `${sourceUrl}-elsewhere` } },
    });
    expect((await post('luban-azure', azure, { Authorization: `Bearer ${AZURE_SECRET}` })).status).toBe(202);
    await triggered();
    // Enough of the above ran to make the backend log and answer a lot.
    expect(answers.length).toBeGreaterThan(50);
    const logLines = logs.rendered();
    expect(logLines.length).toBeGreaterThan(10);
    for (const secret of [...encodingsOf(SECRET), ...encodingsOf(AZURE_SECRET), ...encodingsOf(TOKEN)]) {
      expect(answers.filter(answer => answer.includes(secret))).toEqual([]);
      expect(logLines.filter(line => line.includes(secret))).toEqual([]);
    }
  });
});
