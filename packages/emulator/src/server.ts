import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { AzureDevOpsApi } from './azure/AzureDevOpsApi';
import {
  EMULATED_CONTROLLER_USER_AGENT,
  FaultInjector,
  RequestLog,
  type EmulatedSystem,
  type FaultRule,
} from './controls';
import { GitRepositories } from './git/GitRepositories';
import { GitHubApi } from './github/GitHubApi';
import { handleGitHubUserTokenControl } from './github/userTokenControl';
import { HarborApi } from './harbor/HarborApi';
import { parseUrl, readBody, sendJson } from './http';
import { ArgoCdController } from './kubernetes/controllers/ArgoCdController';
import { KpackController } from './kubernetes/controllers/KpackController';
import { handleKpackControl } from './kpackControls';
import { PodLogs } from './kubernetes/podLogs';
import { KubernetesApi } from './kubernetes/KubernetesApi';
import { KubeStore, type KubeObject } from './kubernetes/state';
import { RESOURCE_TYPES } from './kubernetes/resources';
import { repositoryForUrl } from './git/repositoryUrls';
import type { EmulatedApi } from './system';
import { createSelfSignedIdentity, type TlsIdentity } from './tls';

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to listen on; default 127.0.0.1 (never a public address). */
  host?: string;
  /** Fixed ports per system; 0 or omitted picks a free port. */
  ports?: Partial<Record<EmulatedSystem, number>>;
  /**
   * The credential every system accepts: the Kubernetes bearer token, the
   * GitHub token, the Azure DevOps PAT and the Harbor admin password. Random
   * when omitted.
   */
  token?: string;
  /** The API server's certificate; a new self-signed one when omitted. */
  tls?: TlsIdentity;
  /** How many past changes a watch can resume from before it gets 410 Gone (default 10,000). */
  watchHistory?: number;
  /** Where git repositories live; a temporary folder (removed on stop) when omitted. */
  gitRoot?: string;
  /** How long each kpack build step runs, in ms (default 0: builds finish at once). */
  buildStepMs?: number;
  /** How long an Argo CD application stays Progressing after a sync, in ms (default 0). */
  rolloutMs?: number;
  /**
   * How often Argo CD reads an application's git source again, in ms: its
   * `timeout.reconciliation` (default 120,000, as Argo CD). Between reads a
   * commit shows only when the application is refreshed (`argocd.argoproj.io/refresh`).
   */
  argoReconcileMs?: number;
  /** The most added at random to each period, in ms (`timeout.reconciliation.jitter`; default half the period: 60 s). */
  argoReconcileJitterMs?: number;
  /**
   * How often kpack re-resolves an Image's branch, in ms (default 60,000, kpack's
   * `SourcePollingFrequency`). A push builds nothing until then, unless the
   * Image's SourceResolver is changed (luban annotates it on a push webhook).
   */
  sourcePollMs?: number;
}

/** The Harbor administrator of every emulator. */
export const HARBOR_ADMIN_USERNAME = 'admin';
/** The Azure DevOps organization every emulator has. */
export const AZURE_DEVOPS_ORGANIZATION = 'luban';

/** A running emulator. */
export interface RunningEmulator {
  /** The credential every system accepts (see {@link EmulatorOptions.token}). */
  token: string;
  kubernetes: {
    /** Base URL of the API server, e.g. `https://127.0.0.1:41234`. */
    url: string;
    /** The PEM certificate clients should trust (self-signed). */
    caCert: string;
    /** A kubeconfig (YAML) for kubectl and `KubeConfig.loadFromString`. */
    kubeconfig(): string;
    store: KubeStore;
    /** The objects of a resource type (by plural, e.g. `namespaces`, `images`), for tests and seeding. */
    list(plural: string, namespace?: string): KubeObject[];
    /** Creates an object directly in the store (as if someone else had), for tests and seeding. */
    create(plural: string, object: KubeObject): KubeObject;
    /** Deletes an object directly in the store (as if someone else had), for tests. */
    remove(plural: string, namespace: string | undefined, name: string): void;
    /** Ends every open watch stream, as an API server restart or a load balancer timeout does. */
    dropWatches(): void;
  };
  harbor: {
    /** e.g. `http://127.0.0.1:7012`; the API is under `/api/v2.0`. */
    url: string;
    username: string;
    password: string;
    api: HarborApi;
  };
  github: {
    /** Web and git URL, e.g. `http://127.0.0.1:7013` (`/<owner>/<repo>.git`). */
    url: string;
    /** REST base URL, as for GitHub Enterprise: `<url>/api/v3`. */
    apiBaseUrl: string;
    api: GitHubApi;
  };
  azure: {
    /** Host URL, e.g. `https://127.0.0.1:7014`. */
    url: string;
    organization: string;
    /** Collection URL for azure-devops-node-api: `<url>/<organization>`. */
    organizationUrl: string;
    api: AzureDevOpsApi;
  };
  /** The git repositories behind GitHub and Azure DevOps. */
  git: GitRepositories;
  /**
   * Resolves when the emulated kpack and Argo CD controllers have nothing
   * queued or running. A pending kpack source poll is not work: a push is
   * built once its resolver resolves it (see {@link EmulatorOptions.sourcePollMs}).
   */
  settled(): Promise<void>;
  /** Changes how long each kpack build step runs from now on, in ms. */
  setBuildStepMs(ms: number): void;
  /** Every request answered, per system. */
  requests: RequestLog;
  /** Injected latency and failures. */
  faults: FaultInjector;
  /** Clears objects, repositories, the request log and faults. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const CONTROL_PREFIX = '/_emulator/';

type Controls = Pick<RunningEmulator, 'requests' | 'faults' | 'reset'>;

/** Serves the shared control API: request log, faults, latency, reset. */
async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  controls: Controls,
): Promise<void> {
  const url = parseUrl(req);
  const action = url.pathname.slice(CONTROL_PREFIX.length);
  if (action === 'requests' && req.method === 'GET') {
    const system = url.searchParams.get('system') as EmulatedSystem | null;
    sendJson(res, 200, { items: controls.requests.entries(system ?? undefined) });
  } else if (action === 'requests' && req.method === 'DELETE') {
    controls.requests.clear();
    sendJson(res, 200, {});
  } else if (action === 'faults' && req.method === 'POST') {
    const rule = JSON.parse((await readBody(req)).toString('utf8')) as FaultRule & {
      pathRegex?: string;
    };
    controls.faults.fail({
      ...rule,
      path: rule.pathRegex ? new RegExp(rule.pathRegex) : rule.path,
    });
    sendJson(res, 201, {});
  } else if (action === 'latency' && req.method === 'PUT') {
    const { ms } = JSON.parse((await readBody(req)).toString('utf8'));
    controls.faults.latencyMs = Number(ms) || 0;
    sendJson(res, 200, { ms: controls.faults.latencyMs });
  } else if (action === 'reset' && req.method === 'POST') {
    await controls.reset();
    sendJson(res, 200, {});
  } else {
    sendJson(res, 404, { message: `unknown emulator control ${req.method} ${url.pathname}` });
  }
}

/** The `Status.reason` kube-apiserver pairs with each status code. */
const KUBERNETES_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The body a system answers an injected failure with, in its own error format. */
/**
 * The response of a request whose answer is lost: the system applies it as
 * usual, and the connection drops where the answer would have left. The
 * status is kept, so the request log shows that the write happened.
 */
function dropAnswer(req: IncomingMessage, res: ServerResponse): ServerResponse {
  const drop = () => {
    req.socket.destroy();
    return res;
  };
  return Object.assign(res, {
    writeHead: (status: number) => {
      res.statusCode = status;
      return drop();
    },
    write: () => true,
    end: drop,
  });
}

function faultBody(system: EmulatedSystem, status: number) {
  const message = `injected failure (${status})`;
  switch (system) {
    case 'kubernetes':
      return {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason: KUBERNETES_REASONS[status] ?? 'InternalError',
        code: status,
      };
    case 'harbor':
      return { errors: [{ code: 'UNKNOWN', message }] };
    case 'azure':
      return { $id: '1', innerException: null, message, typeName: 'System.Exception', typeKey: 'Exception', errorCode: 0, eventId: 0 };
    default:
      return { message, documentation_url: 'https://docs.github.com/rest' };
  }
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

function typeByPlural(plural: string) {
  const type = RESOURCE_TYPES.find(t => t.plural === plural);
  if (!type) throw new Error(`the emulator serves no resource '${plural}'`);
  return type;
}

/** Reserves a port now so that each system knows its own URL before it serves. */
async function reservePort(host: string, port: number): Promise<{ server: Server; port: number }> {
  const server = createHttpServer();
  return { server, port: await listen(server, host, port) };
}

/**
 * Starts the emulator in this process. Each emulated system listens on its
 * own port, as separate hosts would: Kubernetes and Azure DevOps over HTTPS
 * (with one self-signed certificate, see {@link trustEmulatorCertificate}),
 * Harbor and GitHub over HTTP.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const tls = options.tls ?? createSelfSignedIdentity();
  const gitRoot = options.gitRoot ?? mkdtempSync(join(tmpdir(), 'luban-emulator-git-'));
  const requests = new RequestLog();
  const faults = new FaultInjector();
  const store = new KubeStore(options.watchHistory);
  const git = new GitRepositories(gitRoot);

  // Ports first: the git hosts put their own URL into API answers.
  const reserved = new Map<EmulatedSystem, { server: Server; port: number }>();
  for (const system of ['kubernetes', 'harbor', 'github', 'azure'] as const) {
    reserved.set(system, await reservePort(host, options.ports?.[system] ?? 0));
  }
  // Azure DevOps is HTTPS because Backstage's publish:azure always builds https:// URLs.
  const secure = (system: EmulatedSystem) => system === 'kubernetes' || system === 'azure';
  const urlOf = (system: EmulatedSystem) =>
    `${secure(system) ? 'https' : 'http'}://${host}:${reserved.get(system)!.port}`;

  const podLogs = new PodLogs(store);
  const kubernetes = new KubernetesApi({
    store,
    tokens: [token],
    requestLog: requests,
    subresources: { 'pods/log': podLogs.handler },
  });
  const harbor = new HarborApi({
    requestLog: requests,
    baseUrl: urlOf('harbor'),
    admin: { username: HARBOR_ADMIN_USERNAME, password: token },
  });
  const github = new GitHubApi({ requestLog: requests, baseUrl: urlOf('github'), git, tokens: [token] });
  const azure = new AzureDevOpsApi({
    requestLog: requests,
    baseUrl: urlOf('azure'),
    git,
    tokens: [token],
    organizations: [AZURE_DEVOPS_ORGANIZATION],
  });
  const apis: Record<EmulatedSystem, EmulatedApi> = { kubernetes, harbor, github, azure };
  // Loading happens in the background; stopping before it finishes would pull the files from under it.
  await Promise.all(Object.values(apis).map(api => api.whenReady?.()));

  const gitHosts = { github: urlOf('github'), azure: urlOf('azure') };
  const argocd = new ArgoCdController({
    store,
    git,
    harbor,
    harborUrl: urlOf('harbor'),
    repositoryForUrl: url => repositoryForUrl(url, gitHosts),
    progressMs: options.rolloutMs ?? 0,
    reconcileMs: options.argoReconcileMs ?? 120_000,
    reconcileJitterMs: options.argoReconcileJitterMs ?? (options.argoReconcileMs ?? 120_000) / 2,
  });
  const kpack = new KpackController({
    store,
    git,
    harbor,
    logs: podLogs,
    harborUrl: urlOf('harbor'),
    repositoryForUrl: url => repositoryForUrl(url, gitHosts),
    stepMs: options.buildStepMs ?? 0,
    sourcePollMs: options.sourcePollMs,
    // A new image in the registry can turn a Degraded application Healthy.
    onImagePushed: () => argocd.resyncAll(),
  });
  const settled = async () => {
    for (let round = 0; round < 20; round++) {
      await kpack.idle();
      await argocd.idle();
      await new Promise(resolve => setImmediate(resolve));
      if (kpack.isIdle() && argocd.isIdle()) return;
    }
  };

  const controls: Controls = {
    requests,
    faults,
    async reset() {
      await settled();
      kpack.reset();
      argocd.reset();
      store.reset();
      podLogs.reset();
      requests.clear();
      faults.reset();
      await Promise.all(Object.values(apis).map(api => api.reset?.()));
    },
  };

  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  for (const system of Object.keys(apis) as EmulatedSystem[]) {
    const api = apis[system];
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      const run = async () => {
        const url = parseUrl(req);
        if (url.pathname.startsWith(CONTROL_PREFIX)) {
          if (await handleKpackControl(req, res, store)) return;
          if (await handleGitHubUserTokenControl(req, res, github)) return;
          await handleControl(req, res, controls);
          return;
        }
        if (faults.latencyMs > 0) {
          await new Promise(resolve => setTimeout(resolve, faults.latencyMs));
        }
        // The emulated controllers' own calls are not a client's: no fault rule counts or fails them.
        const fault =
          req.headers['user-agent'] === EMULATED_CONTROLLER_USER_AGENT
            ? undefined
            : faults.check(system, req.method ?? 'GET', url.pathname);
        if (fault === 'timeout') {
          requests.record(system, req.method ?? 'GET', url.pathname + url.search, 0);
          return; // never answer: the client's timeout fires
        }
        if (fault === 'reset') {
          requests.record(system, req.method ?? 'GET', url.pathname + url.search, 0);
          req.socket.destroy(); // the client sees the connection reset, as from a host that is down
          return;
        }
        if (fault === 'lost') {
          await api.handle(req, dropAnswer(req, res));
          return;
        }
        if (fault !== undefined) {
          requests.record(system, req.method ?? 'GET', url.pathname + url.search, fault);
          // Harbor puts a request id on every answer, failures included.
          sendJson(res, fault, faultBody(system, fault), system === 'harbor' ? { 'X-Request-Id': randomUUID() } : {});
          return;
        }
        await api.handle(req, res);
      };
      run().catch(error => {
        if (!res.headersSent) sendJson(res, 500, { message: String(error) });
        else res.end();
      });
    };
    const { server: placeholder, port } = reserved.get(system)!;
    await new Promise<void>(resolve => placeholder.close(() => resolve()));
    const server = secure(system)
        ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
        : createHttpServer(listener);
    // Node's own default: a client told `Keep-Alive: timeout=5` reuses its socket for 4 s (one less, so that it
    // never sends on a socket the server is closing); told 1 s, it reused none. stop() destroys every socket anyway.
    server.keepAliveTimeout = 5000;
    // Every raw socket, including TLS handshakes the HTTP layer does not track
    // yet (closeAllConnections misses those and close() would wait for them).
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await listen(server, host, port);
    servers.push(server);
  }

  const kubernetesUrl = urlOf('kubernetes');
  return {
    ...controls,
    token,
    git,
    settled,
    setBuildStepMs: ms => kpack.setStepMs(ms),
    kubernetes: {
      url: kubernetesUrl,
      caCert: tls.cert,
      store,
      list: (plural, namespace) => store.list(typeByPlural(plural), namespace),
      create: (plural, object) => {
        const type = typeByPlural(plural);
        return store.create(type, type.namespaced ? object.metadata.namespace : undefined, object);
      },
      remove: (plural, namespace, name) => {
        store.delete(typeByPlural(plural), namespace, name);
      },
      dropWatches: () => kubernetes.close(),
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
    harbor: { url: urlOf('harbor'), username: HARBOR_ADMIN_USERNAME, password: token, api: harbor },
    github: { url: urlOf('github'), apiBaseUrl: `${urlOf('github')}/api/v3`, api: github },
    azure: {
      url: urlOf('azure'),
      organization: AZURE_DEVOPS_ORGANIZATION,
      organizationUrl: `${urlOf('azure')}/${AZURE_DEVOPS_ORGANIZATION}`,
      api: azure,
    },
    async stop() {
      kpack.stop();
      argocd.stop();
      for (const api of Object.values(apis)) api.close?.();
      await Promise.all(
        servers.map(
          server =>
            new Promise<void>(resolve => {
              server.close(() => resolve());
              for (const socket of sockets) socket.destroy();
            }),
        ),
      );
      if (!options.gitRoot) rmSync(gitRoot, { recursive: true, force: true });
    },
  };
}
