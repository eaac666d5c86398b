import type { DiscoveryApi } from '@backstage/core-plugin-api';
import { LubanClient } from './LubanClient';

const discoveryApi: DiscoveryApi = {
  getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
};
const payments = { kind: 'System', namespace: 'default', name: 'payments' };
const base = 'http://backstage.test/api/luban/entities/system/default/payments';

describe('LubanClient releases', () => {
  const fetch = jest.fn(
    async (_url: RequestInfo | URL, _init?: RequestInit) =>
      new Response('{}', {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

  it("reads a System's release matrix and plans a release with a GET", async () => {
    await client.getRelease(payments);
    expect(fetch).toHaveBeenLastCalledWith(`${base}/release`);

    await client.planRelease(payments, { from: 'snd', to: 'prd' });
    expect(fetch).toHaveBeenLastCalledWith(
      `${base}/release/plan?from=snd&to=prd`,
    );
  });

  it('releases with a POST of the two environments', async () => {
    await client.release(payments, { from: 'snd', to: 'prd' });
    const [url, init] = fetch.mock.lastCall!;
    expect(url).toBe(`${base}/release`);
    expect(init).toMatchObject({ method: 'POST' });
    expect(JSON.parse(String(init!.body))).toEqual({ from: 'snd', to: 'prd' });
  });
});
