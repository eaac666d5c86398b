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
