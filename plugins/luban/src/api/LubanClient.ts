import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { LubanHealth } from '@luban-backstage/plugin-luban-common';
import type { LubanApi } from './LubanApi';

/**
 * The default {@link LubanApi}: calls the luban backend plugin over HTTP.
 * @public
 */
export class LubanClient implements LubanApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getHealth(): Promise<LubanHealth> {
    return this.get<LubanHealth>('health');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('luban');
    // fetchApi, not the global fetch: it adds the user's Backstage token.
    const response = await this.fetchApi.fetch(`${baseUrl}/${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
