import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  LubanBuildList,
  LubanHealth,
  LubanProjectView,
} from '@luban-backstage/plugin-luban-common';
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

  describe('project', () => {
    const entity = {
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    };
    const view: LubanProjectView = {
      project: 'acme',
      app: 'ledger-api',
      ciNamespace: 'ci-acme',
      harborProject: 'acme',
      argoCdProject: 'acme',
      gitopsRepository: 'acme-gitops',
      environments: [{ name: 'snd', namespace: 'snd-acme', autoSync: true }],
    };

    it("reads the entity's project view through fetchApi", async () => {
      const fetch = jest.fn(async (_url: RequestInfo | URL) =>
        jsonResponse(200, view),
      );
      const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

      await expect(client.getProject(entity)).resolves.toEqual(view);
      expect(fetch).toHaveBeenCalledWith(
        'http://backstage.test/api/luban/entities/component/default/ledger-api/project',
      );
    });

    it("rejects with a ResponseError that carries the backend's message", async () => {
      const message =
        "The entity has an invalid 'luban.dev/project' annotation";
      const client = new LubanClient({
        discoveryApi,
        fetchApi: {
          fetch: async () =>
            jsonResponse(400, {
              error: { name: 'InputError', message },
              request: { method: 'GET', url: '/api/luban/…/project' },
              response: { statusCode: 400 },
            }),
        },
      });

      const error = await client.getProject(entity).catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(400);
      expect(error.cause.message).toBe(message);
    });
  });

  describe('builds', () => {
    const entity = {
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    };
    const entityUrl =
      'http://backstage.test/api/luban/entities/component/default/ledger-api';
    const list: LubanBuildList = {
      image: 'ci-acme/ledger-api',
      cluster: 'build-1',
      builds: [],
    };

    it('lists the builds of the entity', async () => {
      const fetch = jest.fn(async (_url: RequestInfo | URL) =>
        jsonResponse(200, list),
      );
      const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

      await expect(client.listBuilds(entity)).resolves.toEqual(list);
      expect(fetch).toHaveBeenCalledWith(`${entityUrl}/builds`);
    });

    it('reads one build, with its name escaped in the URL', async () => {
      const fetch = jest.fn(async (_url: RequestInfo | URL) =>
        jsonResponse(200, { name: 'a/b' }),
      );
      const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

      await client.getBuild(entity, 'a/b');
      expect(fetch).toHaveBeenCalledWith(`${entityUrl}/builds/a%2Fb`);
    });

    it('asks for a rebuild with a POST', async () => {
      const fetch = jest.fn(
        async (_url: RequestInfo | URL, _init?: RequestInit) =>
          jsonResponse(202, { triggeredFrom: 'ledger-api-build-12' }),
      );
      const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

      await expect(client.rebuild(entity)).resolves.toEqual({
        triggeredFrom: 'ledger-api-build-12',
      });
      expect(fetch).toHaveBeenCalledWith(`${entityUrl}/builds/rebuild`, {
        method: 'POST',
      });
    });

    it("rejects a refused rebuild with the backend's reason", async () => {
      const message =
        'You may not build rebuild component:default/ledger-api: only its owners may';
      const client = new LubanClient({
        discoveryApi,
        fetchApi: {
          fetch: async () =>
            jsonResponse(403, {
              error: { name: 'NotAllowedError', message },
              request: { method: 'POST', url: '/api/luban/…/rebuild' },
              response: { statusCode: 403 },
            }),
        },
      });

      const error = await client.rebuild(entity).catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(403);
      expect(error.cause.message).toBe(message);
    });
  });

  describe('streamBuildLog', () => {
    const entity = {
      kind: 'Component',
      namespace: 'default',
      name: 'ledger-api',
    };
    const encoder = new TextEncoder();

    /**
     * A text/plain response whose body the test writes chunk by chunk, and
     * which errors like a real fetch body when the request is aborted.
     */
    function streamingFetch() {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      const fetch = jest.fn(
        async (_url: RequestInfo | URL, init?: RequestInit) => {
          init?.signal?.addEventListener('abort', () =>
            controller.error(new DOMException('aborted', 'AbortError')),
          );
          return new Response(body, {
            status: 200,
            headers: { 'Content-Type': 'text/plain; charset=utf-8' },
          });
        },
      );
      return {
        fetch,
        write: (bytes: Uint8Array | string) =>
          controller.enqueue(
            typeof bytes === 'string' ? encoder.encode(bytes) : bytes,
          ),
        end: () => controller.close(),
      };
    }

    it('asks for one step and to follow the running build', async () => {
      const server = streamingFetch();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: { fetch: server.fetch },
      });

      const done = client.streamBuildLog(
        entity,
        'ledger-api-build-12',
        () => {},
        {
          step: 'build',
          follow: true,
        },
      );
      server.end();
      await done;

      expect(server.fetch.mock.calls[0][0]).toBe(
        'http://backstage.test/api/luban/entities/component/default/ledger-api/builds/ledger-api-build-12/logs?step=build&follow=true',
      );
    });

    it('reads the whole log when no step is given', async () => {
      const server = streamingFetch();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: { fetch: server.fetch },
      });

      const done = client.streamBuildLog(
        entity,
        'ledger-api-build-12',
        () => {},
      );
      server.end();
      await done;

      expect(server.fetch.mock.calls[0][0]).toMatch(
        /\/builds\/ledger-api-build-12\/logs$/,
      );
    });

    it('delivers each chunk as it arrives, in order', async () => {
      const server = streamingFetch();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: { fetch: server.fetch },
      });
      const received: string[] = [];

      const done = client.streamBuildLog(entity, 'b', text =>
        received.push(text),
      );
      server.write('===> DETECTING\n');
      await waitUntil(() => received.length === 1);
      expect(received).toEqual(['===> DETECTING\n']);

      server.write('paketo-buildpacks/node-engine 3.2.1\n');
      await waitUntil(() => received.length === 2);
      server.end();
      await done;

      expect(received).toEqual([
        '===> DETECTING\n',
        'paketo-buildpacks/node-engine 3.2.1\n',
      ]);
    });

    it('decodes a character split across two chunks', async () => {
      const server = streamingFetch();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: { fetch: server.fetch },
      });
      let text = '';

      const done = client.streamBuildLog(entity, 'b', chunk => {
        text += chunk;
      });
      const bytes = encoder.encode('größe ✓\n');
      server.write(bytes.slice(0, 3));
      server.write(bytes.slice(3));
      server.end();
      await done;

      expect(text).toBe('größe ✓\n');
    });

    it('resolves quietly when aborted while reading', async () => {
      const server = streamingFetch();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: { fetch: server.fetch },
      });
      const abort = new AbortController();
      const received: string[] = [];

      const done = client.streamBuildLog(entity, 'b', t => received.push(t), {
        follow: true,
        signal: abort.signal,
      });
      server.write('first line\n');
      await waitUntil(() => received.length === 1);
      abort.abort();

      await expect(done).resolves.toBeUndefined();
      expect(received).toEqual(['first line\n']);
    });

    it('resolves quietly when aborted before the response arrives', async () => {
      const abort = new AbortController();
      const client = new LubanClient({
        discoveryApi,
        fetchApi: {
          // Like a real fetch: rejects at once on an aborted signal, or on abort.
          fetch: (_url, init) =>
            new Promise((_resolve, reject) => {
              const fail = () =>
                reject(new DOMException('aborted', 'AbortError'));
              if (init?.signal?.aborted) fail();
              init?.signal?.addEventListener('abort', fail);
            }),
        },
      });

      const done = client.streamBuildLog(entity, 'b', () => {}, {
        signal: abort.signal,
      });
      abort.abort();

      await expect(done).resolves.toBeUndefined();
    });

    it("rejects an unknown step with the backend's message", async () => {
      const message =
        "'compile' is not a build step; the steps are prepare, build";
      const client = new LubanClient({
        discoveryApi,
        fetchApi: {
          fetch: async () =>
            jsonResponse(400, {
              error: { name: 'InputError', message },
              request: { method: 'GET', url: '/api/luban/…/logs' },
              response: { statusCode: 400 },
            }),
        },
      });
      const onText = jest.fn();

      const error = await client
        .streamBuildLog(entity, 'b', onText, { step: 'compile' })
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.cause.message).toBe(message);
      expect(onText).not.toHaveBeenCalled();
    });
  });
  it('downloads an SBOM through fetchApi, as the bytes the backend sent', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const document = '{"spdxVersion":"SPDX-2.3"}';
    const fetch = jest.fn(
      async (_url: RequestInfo | URL) =>
        new Response(document, {
          status: 200,
          headers: { 'Content-Type': 'application/spdx+json' },
        }),
    );
    const client = new LubanClient({ discoveryApi, fetchApi: { fetch } });

    const blob = await client.getSbom(
      { kind: 'Component', namespace: 'default', name: 'ledger-api' },
      digest,
    );
    expect(await blob.text()).toBe(document);
    expect(fetch).toHaveBeenCalledWith(
      `http://backstage.test/api/luban/entities/component/default/ledger-api/sbom/${encodeURIComponent(
        digest,
      )}`,
    );
  });
});

/** Lets the client's read loop run until `condition` holds. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 100) throw new Error('condition never held');
    await new Promise(resolve => setTimeout(resolve, 0));
  }
}
