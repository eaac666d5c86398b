import type { DiscoveryApi } from '@backstage/core-plugin-api';
import type { LubanInsights } from '@luban-backstage/plugin-luban-common';
import { LubanClient } from './LubanClient';

const discoveryApi: DiscoveryApi = {
  getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
};

describe('LubanClient insights', () => {
  const answer = { days: 7 } as LubanInsights;
  const fetch = jest.fn(
    async (_url: RequestInfo | URL) =>
      new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
  );
  const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

  it("reads an app's insights over a window", async () => {
    await expect(
      client.getInsights(
        { kind: 'Component', namespace: 'default', name: 'ledger-api' },
        7,
      ),
    ).resolves.toEqual(answer);
    expect(fetch).toHaveBeenLastCalledWith(
      'http://backstage.test/api/luban/entities/component/default/ledger-api/insights?days=7',
    );
  });

  it("reads a project's insights on its System", async () => {
    await client.getProjectInsights(
      { kind: 'System', namespace: 'default', name: 'acme' },
      90,
    );
    expect(fetch).toHaveBeenLastCalledWith(
      'http://backstage.test/api/luban/entities/system/default/acme/project/insights?days=90',
    );
  });
});
