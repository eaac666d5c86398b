import { request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';

/** Keep-alive agents by the TLS material client-node gives; a rotated credential gives a new one. */
const agents = new Map<string, HttpsAgent>();
/** More identities than clusters a backend talks to: the oldest agent is closed. */
const MAX_AGENTS = 32;

/**
 * One keep-alive agent per TLS identity, shared by every client of a cluster, with its secure context made
 * once: without it every request opened a connection, parsed the CA bundle into a new secure context and
 * shook hands again.
 */
function keepAliveAgentFor(options: RequestOptions): HttpsAgent {
  const { ca, cert, key, rejectUnauthorized, servername } = options;
  const id = JSON.stringify(
    [ca, cert, key, rejectUnauthorized, servername].map(value => (Buffer.isBuffer(value) ? value.toString('base64') : value)),
  );
  let agent = agents.get(id);
  if (!agent) {
    const secureContext = ca || cert || key ? createSecureContext({ ca, cert, key }) : undefined;
    // Idle sockets close after 15 s, before an API server or a load balancer in front of it closes them (a request
    // on a socket the server has just closed fails); a request's own timeout replaces this one while it runs.
    agent = new HttpsAgent({ keepAlive: true, timeout: 15_000, rejectUnauthorized, servername, ...(secureContext ? { secureContext } : {}) });
    agents.set(id, agent);
    if (agents.size > MAX_AGENTS) {
      const [oldest] = agents.keys();
      agents.get(oldest)?.destroy();
      agents.delete(oldest);
    }
  }
  return agent;
}

/** A failed request to the API server, with its `Status` body when there is one. */
export class KubernetesRequestError extends Error {
  constructor(
    readonly code: number | undefined,
    readonly status: { reason?: string; message?: string } | undefined,
    cause?: unknown,
  ) {
    super(status?.message ?? (cause instanceof Error ? cause.message : `HTTP ${code}`), { cause });
  }
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
}

/**
 * Requests to a Kubernetes API server with exactly the JSON it speaks:
 * client-node's generated models rename fields (`default` becomes
 * `_default`) and drop unknown ones, which breaks comparing and writing
 * arbitrary objects. Authentication and TLS still come from client-node's
 * KubeConfig.
 */
export class KubernetesRestClient {
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new KubernetesRequestError(undefined, { message: 'no server configured' });
    const url = new URL(path, server);
    const options: RequestOptions = {
      method,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    };
    await this.kc.applyToHTTPSOptions(options);
    if (url.protocol === 'https:') options.agent = keepAliveAgentFor(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = { message: text };
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(parsed as T);
          else reject(new KubernetesRequestError(code, parsed));
        });
        res.on('error', error => reject(new KubernetesRequestError(undefined, undefined, error)));
      });
      req.on('error', error => reject(new KubernetesRequestError(undefined, undefined, error)));
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`));
      });
      if (payload !== undefined) req.end(payload);
      else req.end();
    });
  }

  /** The REST path of an object or of a collection, found through API discovery (cached). */
  async pathOf(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      resources = this.request<{ resources: ApiResource[] }>('GET', base).then(list => list.resources);
      this.discovery.set(apiVersion, resources);
      resources.catch(() => this.discovery.delete(apiVersion));
    }
    const resource = (await resources).find(r => r.kind === kind && !r.name.includes('/'));
    if (!resource) {
      throw new KubernetesRequestError(404, {
        reason: 'NotFound',
        message: `the server does not serve ${kind} in ${apiVersion} (is its CRD installed?)`,
      });
    }
    const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${scope}/${resource.name}${name ? `/${encodeURIComponent(name)}` : ''}`;
  }
}
