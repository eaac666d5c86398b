import { startEmulator, type RunningEmulator } from './index';

/** The control API tests and demos use over HTTP (any system's port serves it). */
describe('emulator controls', () => {
  let emulator: RunningEmulator;
  let control: (path: string, init?: RequestInit) => Promise<Response>;
  const admin = () => ({ Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}` });

  beforeAll(async () => {
    emulator = await startEmulator();
    control = (path, init) => fetch(`${emulator.harbor.url}/_emulator/${path}`, init);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('logs every request with method, path and status, and clears the log', async () => {
    await fetch(`${emulator.harbor.url}/api/v2.0/projects/nope`, { headers: admin() });
    await fetch(`${emulator.github.apiBaseUrl}/user`);
    const log = await (await control('requests')).json();
    expect(log.items.map((r: any) => [r.system, r.method, r.path, r.status])).toEqual([
      ['harbor', 'GET', '/api/v2.0/projects/nope', 404],
      ['github', 'GET', '/api/v3/user', 401],
    ]);
    expect((await (await control('requests?system=github')).json()).items).toHaveLength(1);
    await control('requests', { method: 'DELETE' });
    expect((await (await control('requests')).json()).items).toEqual([]);
  });

  it('fails the Nth matching request with the chosen status, in the system’s own error format', async () => {
    await control('faults', {
      method: 'POST',
      body: JSON.stringify({ system: 'harbor', method: 'GET', path: '/api/v2.0/projects', nth: 2, status: 503 }),
    });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await fetch(`${emulator.harbor.url}/api/v2.0/projects`, { headers: admin() }));
    }
    const statuses = answers.map(answer => answer.status);
    expect(await answers[1].json()).toEqual({ errors: [{ code: 'UNKNOWN', message: 'injected failure (503)' }] });
    expect(answers[1].headers.get('x-request-id')).toBeTruthy();
    expect(statuses).toEqual([200, 503, 200]);
  });

  it('adds a fixed latency to every request', async () => {
    await control('latency', { method: 'PUT', body: JSON.stringify({ ms: 120 }) });
    const started = Date.now();
    await fetch(`${emulator.harbor.url}/api/v2.0/ping`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('resets state, log and faults', async () => {
    emulator.harbor.api.createProject('acme');
    emulator.faults.latencyMs = 50;
    await control('reset', { method: 'POST' });
    expect(emulator.faults.latencyMs).toBe(0);
    expect(emulator.harbor.api.projectNames()).not.toContain('acme');
    expect(emulator.requests.entries()).toEqual([]);
  });
});
