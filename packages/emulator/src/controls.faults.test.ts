import { startEmulator, type RunningEmulator } from './index';

describe('a system that goes down', () => {
  let emulator: RunningEmulator;
  const ping = () => fetch(`${emulator.harbor.url}/api/v2.0/ping`).then(
    response => response.status,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
  );

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it('drops every connection without an answer until the rule is removed, and logs each attempt', async () => {
    const restore = emulator.faults.fail({ system: 'harbor', path: '', status: 'reset', times: Infinity });

    expect([await ping(), await ping()]).toEqual(['UND_ERR_SOCKET', 'UND_ERR_SOCKET']);
    // Other systems stay up.
    expect((await fetch(`${emulator.github.apiBaseUrl}/user`)).status).toBe(401);
    expect(emulator.requests.entries('harbor').map(r => r.status)).toEqual([0, 0]);

    restore();
    expect(await ping()).toBe(200);
  });
});

describe('an answer that is lost', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());

  it('applies the write, then drops the connection before the client hears of it', async () => {
    const headers = { authorization: `token ${emulator.token}`, 'content-type': 'application/json' };
    const api = emulator.github.apiBaseUrl;
    emulator.faults.fail({ system: 'github', method: 'POST', path: /^\/api\/v3\/user\/repos$/, status: 'lost' });

    const outcome = await fetch(`${api}/user/repos`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'lost-answer', private: true }),
    }).then(
      response => response.status,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );

    expect(outcome).toBe('UND_ERR_SOCKET');
    const { login } = await (await fetch(`${api}/user`, { headers })).json();
    expect((await fetch(`${api}/repos/${login}/lost-answer`, { headers })).status).toBe(200);
    expect(emulator.requests.mutating('github').map(r => r.status)).toEqual([201]);
  });

  it('counts the nth occurrence of the exact path, so a repeated write is faulted where it was asked', async () => {
    emulator.requests.clear();
    emulator.faults.fail({ system: 'harbor', method: 'GET', path: /^\/api\/v2\.0\/ping$/, nth: 2, status: 503 });
    const ping = () => fetch(`${emulator.harbor.url}/api/v2.0/ping`).then(response => response.status);

    expect([await ping(), await ping(), await ping()]).toEqual([200, 503, 200]);
  });
});
