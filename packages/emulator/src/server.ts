import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { stringify as stringifyYaml } from 'yaml';
import { FaultInjector, RequestLog, type EmulatedSystem, type FaultRule } from './controls';
import { parseUrl, readBody, sendJson } from './http';
import { KubernetesApi } from './kubernetes/router';
import { KubeStore } from './kubernetes/store';
import { createSelfSignedIdentity, type TlsIdentity } from './tls';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to listen on; default 127.0.0.1 (never a public address). */
  host?: string;
  /** Fixed ports per system; 0 or omitted picks a free port. */
  ports?: Partial<Record<EmulatedSystem, number>>;
  /** The bearer token the Kubernetes API accepts; random when omitted. */
  kubernetesToken?: string;
  /** The API server's certificate; a new self-signed one when omitted. */
  tls?: TlsIdentity;
  /** How many past changes a watch can resume from before it gets 410 Gone (default 10,000). */
  watchHistory?: number;
}

/** A running emulator. */
export interface RunningEmulator {
  kubernetes: {
    /** Base URL of the API server, e.g. `https://127.0.0.1:41234`. */
    url: string;
    token: string;
    /** The PEM certificate clients should trust (self-signed). */
    caCert: string;
    /** A kubeconfig (YAML) for kubectl and `KubeConfig.loadFromString`. */
    kubeconfig(): string;
    store: KubeStore;
  };
  /** Every request answered, per system. */
  requests: RequestLog;
  /** Injected latency and failures. */
  faults: FaultInjector;
  /** Clears objects, the request log and faults. */
  reset(): void;
  stop(): Promise<void>;
}

const CONTROL_PREFIX = '/_emulator/';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

type Controls = Pick<RunningEmulator, 'requests' | 'faults' | 'reset'>;

/** Serves the shared control API: request log, faults, latency, reset. */
async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  emulator: Controls,
): Promise<void> {
  const url = parseUrl(req);
  const action = url.pathname.slice(CONTROL_PREFIX.length);
  if (action === 'requests' && req.method === 'GET') {
    const system = url.searchParams.get('system') as EmulatedSystem | null;
    sendJson(res, 200, { items: emulator.requests.entries(system ?? undefined) });
  } else if (action === 'requests' && req.method === 'DELETE') {
    emulator.requests.clear();
    sendJson(res, 200, {});
  } else if (action === 'faults' && req.method === 'POST') {
    const rule = JSON.parse((await readBody(req)).toString('utf8')) as FaultRule & { pathRegex?: string };
    emulator.faults.fail({ ...rule, path: rule.pathRegex ? new RegExp(rule.pathRegex) : rule.path });
    sendJson(res, 201, {});
  } else if (action === 'latency' && req.method === 'PUT') {
    const { ms } = JSON.parse((await readBody(req)).toString('utf8'));
    emulator.faults.latencyMs = Number(ms) || 0;
    sendJson(res, 200, { ms: emulator.faults.latencyMs });
  } else if (action === 'reset' && req.method === 'POST') {
    emulator.reset();
    sendJson(res, 200, {});
  } else {
    sendJson(res, 404, { message: `unknown emulator control ${req.method} ${url.pathname}` });
  }
}

/** The body a system answers an injected failure with, in its own error format. */
function faultBody(system: EmulatedSystem, status: number) {
  if (system === 'kubernetes') {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `injected failure (${status})`,
      reason: status === 503 ? 'ServiceUnavailable' : 'InternalError',
      code: status,
    };
  }
  return { message: `injected failure (${status})` };
}

async function listen(
  server: Server,
  host: string,
  port: number,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Starts the emulator in this process. Each emulated system listens on its
 * own port on 127.0.0.1, as separate hosts would.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const token = options.kubernetesToken ?? randomBytes(24).toString('hex');
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const store = new KubeStore(options.watchHistory);
  const kubernetesApi = new KubernetesApi({ store, tokens: [token], requestLog: requests });

  const servers: Server[] = [];
  const controls: Controls = {
    requests,
    faults,
    reset() {
      store.reset();
      requests.clear();
      faults.reset();
    },
  };

  const tls = options.tls ?? createSelfSignedIdentity();

  const serve = (system: EmulatedSystem, handler: Handler, secure: boolean) => {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      const run = async () => {
        const url = parseUrl(req);
        if (url.pathname.startsWith(CONTROL_PREFIX)) {
          await handleControl(req, res, controls);
          return;
        }
        if (faults.latencyMs > 0) {
          await new Promise(resolve => setTimeout(resolve, faults.latencyMs));
        }
        const fault = faults.check(system, req.method ?? 'GET', url.pathname);
        if (fault === 'timeout') {
          requests.record(system, req.method ?? 'GET', url.pathname + url.search, 0);
          return; // never answer: the client's timeout fires
        }
        if (fault !== undefined) {
          requests.record(system, req.method ?? 'GET', url.pathname + url.search, fault);
          sendJson(res, fault, faultBody(system, fault));
          return;
        }
        await handler(req, res);
      };
      run().catch(error => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.end();
      });
    };
    const server = secure
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
      : createHttpServer(listener);
    // Keep-alive sockets must not hold stop() open.
    server.keepAliveTimeout = 1000;
    servers.push(server);
    return server;
  };

  const kubernetesServer = serve('kubernetes', (req, res) => kubernetesApi.handle(req, res), true);
  const kubernetesPort = await listen(kubernetesServer, host, options.ports?.kubernetes ?? 0);
  const kubernetesUrl = `https://${host}:${kubernetesPort}`;

  return {
    ...controls,
    kubernetes: {
      url: kubernetesUrl,
      token,
      caCert: tls.cert,
      store,
      kubeconfig: () =>
        stringifyYaml({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'luban-emulator',
              cluster: {
                server: kubernetesUrl,
                'certificate-authority-data': Buffer.from(tls.cert).toString('base64'),
              },
            },
          ],
          users: [{ name: 'luban-emulator', user: { token } }],
          contexts: [
            { name: 'luban-emulator', context: { cluster: 'luban-emulator', user: 'luban-emulator' } },
          ],
          'current-context': 'luban-emulator',
        }),
    },
    async stop() {
      kubernetesApi.closeWatches();
      await Promise.all(
        servers.map(
          server =>
            new Promise<void>(resolve => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
