import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  LubanBuild,
  LubanBuildList,
  LubanChangeResult,
  LubanDeployment,
  LubanDigestTrace,
  LubanHealth,
  LubanInsights,
  LubanPreviews,
  LubanProjectView,
  LubanPromoteRequest,
  LubanPromotionState,
  LubanRebuildResult,
  LubanReleaseMatrix,
  LubanReleaseRequest,
  LubanReleaseResult,
  LubanRollbackRequest,
  LubanSyncResult,
} from '@luban-backstage/plugin-luban-common';
import type { LubanApi, LubanLogOptions } from './LubanApi';

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
    return this.json<LubanHealth>('health');
  }

  async getProject(entity: CompoundEntityRef): Promise<LubanProjectView> {
    return this.json(`${entityPath(entity)}/project`);
  }

  async listBuilds(entity: CompoundEntityRef): Promise<LubanBuildList> {
    return this.json(`${entityPath(entity)}/builds`);
  }

  async getBuild(
    entity: CompoundEntityRef,
    build: string,
  ): Promise<LubanBuild> {
    return this.json(
      `${entityPath(entity)}/builds/${encodeURIComponent(build)}`,
    );
  }

  async rebuild(entity: CompoundEntityRef): Promise<LubanRebuildResult> {
    return this.json(`${entityPath(entity)}/builds/rebuild`, {
      method: 'POST',
    });
  }

  async syncEnvironment(
    entity: CompoundEntityRef,
    environment: string,
    options: { dryRun?: boolean } = {},
  ): Promise<LubanSyncResult> {
    return this.json(
      `${entityPath(entity)}/promotion/${encodeURIComponent(environment)}/sync`,
      post(options),
    );
  }

  async cancelBuild(
    entity: CompoundEntityRef,
    build: string,
    options: { dryRun?: boolean } = {},
  ): Promise<LubanBuild> {
    return this.json(
      `${entityPath(entity)}/builds/${encodeURIComponent(build)}/cancel`,
      post(options),
    );
  }

  async streamBuildLog(
    entity: CompoundEntityRef,
    build: string,
    onText: (text: string) => void,
    options: LubanLogOptions = {},
  ): Promise<void> {
    const query = new URLSearchParams();
    if (options.step) query.set('step', options.step);
    if (options.follow) query.set('follow', 'true');
    const suffix = query.size ? `?${query}` : '';
    let response: Response;
    try {
      response = await this.fetch(
        `${entityPath(entity)}/builds/${encodeURIComponent(
          build,
        )}/logs${suffix}`,
        { signal: options.signal },
      );
    } catch (error) {
      if (options.signal?.aborted) return;
      throw error;
    }
    if (!response.body) {
      onText(await response.text());
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text) onText(text);
      }
    } catch (error) {
      // Closing the view aborts the stream; that is the end, not a failure.
      if (!options.signal?.aborted) throw error;
    }
  }

  async getPromotion(entity: CompoundEntityRef): Promise<LubanPromotionState> {
    return this.json(`${entityPath(entity)}/promotion`);
  }

  async getHistory(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<LubanDeployment[]> {
    const { deployments } = await this.json<{ deployments: LubanDeployment[] }>(
      `${entityPath(entity)}/promotion/${encodeURIComponent(
        environment,
      )}/history`,
    );
    return deployments;
  }

  async promote(
    entity: CompoundEntityRef,
    request: LubanPromoteRequest,
  ): Promise<LubanChangeResult> {
    return this.json(`${entityPath(entity)}/promotion/promote`, post(request));
  }

  async rollback(
    entity: CompoundEntityRef,
    request: LubanRollbackRequest,
  ): Promise<LubanChangeResult> {
    return this.json(`${entityPath(entity)}/promotion/rollback`, post(request));
  }

  async getTrace(
    entity: CompoundEntityRef,
    digest: string,
  ): Promise<LubanDigestTrace> {
    return this.json(
      `${entityPath(entity)}/trace/${encodeURIComponent(digest)}`,
    );
  }

  async getSbom(entity: CompoundEntityRef, digest: string): Promise<Blob> {
    const response = await this.fetch(
      `${entityPath(entity)}/sbom/${encodeURIComponent(digest)}`,
    );
    return response.blob();
  }

  async getInsights(
    entity: CompoundEntityRef,
    days: number,
  ): Promise<LubanInsights> {
    return this.json(`${entityPath(entity)}/insights?days=${days}`);
  }

  async getProjectInsights(
    entity: CompoundEntityRef,
    days: number,
  ): Promise<LubanInsights> {
    return this.json(`${entityPath(entity)}/project/insights?days=${days}`);
  }

  async getPreviews(entity: CompoundEntityRef): Promise<LubanPreviews> {
    return this.json(`${entityPath(entity)}/previews`);
  }

  async getRelease(entity: CompoundEntityRef): Promise<LubanReleaseMatrix> {
    return this.json(`${entityPath(entity)}/release`);
  }

  async planRelease(
    entity: CompoundEntityRef,
    request: Pick<LubanReleaseRequest, 'from' | 'to'>,
  ): Promise<LubanReleaseResult> {
    const query = new URLSearchParams({ from: request.from, to: request.to });
    return this.json(`${entityPath(entity)}/release/plan?${query}`);
  }

  async release(
    entity: CompoundEntityRef,
    request: LubanReleaseRequest,
  ): Promise<LubanReleaseResult> {
    return this.json(`${entityPath(entity)}/release`, post(request));
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('luban');
    // fetchApi, not the global fetch: it adds the user's Backstage token.
    const url = `${baseUrl}/${path}`;
    const response = await (init
      ? this.fetchApi.fetch(url, init)
      : this.fetchApi.fetch(url));
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await this.fetch(path, init);
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  return ['entities', entity.kind, entity.namespace, entity.name]
    .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
    .join('/');
}

function post(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}
