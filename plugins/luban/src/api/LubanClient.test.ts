import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { LubanHealth } from '@luban-backstage/plugin-luban-common';
import { LubanClient } from './LubanClient';

const discoveryApi: DiscoveryApi = {
  getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
};

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('LubanClient', () => {
  const health: LubanHealth = {
    status: 'ok',
    version: '0.1.0',
    environments: [{ name: 'snd', namespacePattern: '{env}-{project}' }],
  };

  it('reads the health of the luban backend through fetchApi', async () => {
    const fetch = jest.fn(async () => jsonResponse(200, health));
    const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

    await expect(client.getHealth()).resolves.toEqual(health);
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage.test/api/luban/health',
    );
  });

  it("throws a ResponseError that carries the backend's message", async () => {
    const fetchApi: FetchApi = {
      fetch: async () =>
        jsonResponse(500, {
          error: {
            name: 'Error',
            message: 'luban.environments is not configured',
          },
          request: { method: 'GET', url: '/api/luban/health' },
          response: { statusCode: 500 },
        }),
    };
    const client = new LubanClient({ discoveryApi, fetchApi });

    const error = await client.getHealth().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(500);
    expect(error.cause.message).toBe('luban.environments is not configured');
  });
});
