import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import {
  DEMO,
  seedDemo,
  startEmulator,
  trustEmulatorCertificate,
  type KubeObject,
  type RequestRecord,
  type RunningEmulator,
} from '@luban-backstage/emulator';
import { DEMO_OWNER, startLubanBackend } from '../../plugins/luban-backend/src/__testUtils__/lubanBackend';

/** One line of the results table: luban's figure next to its baseline and target. */
export interface Row {
  scenario: string;
  metric: string;
  luban: string;
  baseline: string;
  target: string;
  /** Whether luban meets the target; undefined when the row has no target. */
  met?: boolean;
  note?: string;
}

/** What one scenario reports: its rows and the paragraphs that explain them. */
export interface Section {
  title: string;
  rows: Row[];
  notes: string[];
}

/** Options every scenario reads from the command line. */
export interface BenchOptions {
  views: number;
  cold: number;
  latencyMs: number;
  entities: number;
  windowSeconds: number;
}

/** The demo, seeded at full speed (builds finish and Argo CD syncs at once). */
export async function startSeededEmulator(): Promise<RunningEmulator> {
  const emulator = await startEmulator({ buildStepMs: 0, rolloutMs: 0 });
  trustEmulatorCertificate(emulator.kubernetes.caCert);
  await seedDemo(emulator);
  return emulator;
}

const randomDigest = () => `sha256:${randomBytes(32).toString('hex')}`;

/** Where to reach an emulated Kubernetes API: in this process or another one. */
export interface KubernetesAccess {
  url: string;
  token: string;
}

async function kubernetesRequest(api: KubernetesAccess, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Adds `count` finished kpack Builds of an Image named `image` next to the
 * demo's, as kpack would have left them: copies of a real demo Build with
 * their own number, commit, time and digest, written through the
 * Kubernetes API. No kpack Image owns them, so the emulated kpack never
 * prunes or rebuilds them.
 */
export async function addFinishedBuilds(api: KubernetesAccess, image: string, count: number, namespace = `ci-${DEMO.project}`) {
  const builds = `/apis/kpack.io/v1alpha2/namespaces`;
  const demo = await kubernetesRequest(api, 'GET', `${builds}/ci-${DEMO.project}/builds?labelSelector=${encodeURIComponent(`image.kpack.io/image=${DEMO.app}`)}`);
  const [template] = (demo.items as KubeObject[]).sort(
    (a, b) => Number(b.metadata.labels?.['image.kpack.io/buildNumber']) - Number(a.metadata.labels?.['image.kpack.io/buildNumber']),
  );
  const registry = String(template.status?.latestImage).split('/')[0];
  const project = namespace.replace(/^ci-/, '');
  const created: KubeObject[] = [];
  const start = Date.now() - count * 3_600_000;
  for (let number = 1; number <= count; number++) {
    const at = new Date(start + number * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const name = `${image}-build-${number}`;
    const revision = randomBytes(20).toString('hex');
    const build: KubeObject = {
      apiVersion: template.apiVersion,
      kind: template.kind,
      metadata: {
        name,
        namespace,
        labels: { ...template.metadata.labels, 'luban.dev/project': project, 'luban.dev/app': image, 'image.kpack.io/image': image, 'image.kpack.io/buildNumber': String(number) },
        annotations: { ...template.metadata.annotations, 'image.kpack.io/reason': number === 1 ? 'CONFIG' : 'COMMIT' },
      },
      spec: { ...structuredClone(template.spec), tags: [`${registry}/${project}/${image}:latest`] },
    };
    build.spec.source.git.revision = revision;
    const status = JSON.parse(JSON.stringify(template.status).replaceAll(template.metadata.name, name).replace(/"(startedAt|finishedAt|lastTransitionTime)":"[^"]+"/g, `"$1":"${at}"`));
    status.latestImage = `${registry}/${project}/${image}@${randomDigest()}`;
    status.revision = revision;
    const object = await kubernetesRequest(api, 'POST', `${builds}/${namespace}/builds`, build);
    // The API server drops the status of a new custom resource: kpack writes it through the status subresource.
    created.push(await kubernetesRequest(api, 'PUT', `${builds}/${namespace}/builds/${name}/status`, { ...object, status }));
  }
  return created;
}

/** A catalog Component for a luban app, with the Kubernetes plugin's annotations too (so both backends find it). */
export function appEntity(emulator: RunningEmulator, options: { name: string; project: string; app: string; namespace: string }): JsonObject {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: options.name,
      annotations: {
        'luban.dev/project': options.project,
        'luban.dev/app': options.app,
        'luban.dev/source-repo': `${emulator.github.url}/${DEMO.project}/${DEMO.app}`,
        'luban.dev/gitops-repo': `${emulator.github.url}/${options.project}/${options.project}-gitops`,
        'backstage.io/kubernetes-id': options.app,
        'backstage.io/kubernetes-namespace': options.namespace,
        'backstage.io/kubernetes-label-selector': `image.kpack.io/image=${options.app}`,
      },
    },
    // The owner the project record names: luban refuses an entity of any other owner.
    spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
  };
}

export type BenchBackend = Awaited<ReturnType<typeof startLubanBackend>> & { baseUrl: string };

/** The test harness's backend (real catalog, permissions with luban's policy, luban), reachable over HTTP. */
export async function startBenchBackend(options: {
  emulator: RunningEmulator;
  config?: JsonObject;
  features?: BackendFeature[];
  entities?: JsonObject[];
}): Promise<BenchBackend> {
  const backend = await startLubanBackend({
    emulator: options.emulator,
    config: options.config,
    features: options.features,
    entities: async () => options.entities ?? [],
  });
  const { port } = backend.server.address() as AddressInfo;
  return Object.assign(backend, { baseUrl: `http://127.0.0.1:${port}` });
}

/** The upstream requests recorded while `fn` ran (the log is cleared first). */
export async function recording<T>(emulator: RunningEmulator, fn: () => Promise<T>): Promise<{ value: T; requests: RequestRecord[] }> {
  emulator.requests.clear();
  const value = await fn();
  return { value, requests: emulator.requests.entries() };
}

/** Requests grouped by system and status, e.g. `600× github 304, 3× harbor 200`. */
export function describeRequests(records: RequestRecord[]): string {
  const groups = new Map<string, number>();
  for (const r of records) groups.set(`${r.system} ${r.status}`, (groups.get(`${r.system} ${r.status}`) ?? 0) + 1);
  return [...groups].map(([key, n]) => `${n}× ${key}`).join(', ') || 'none';
}

/** A watch request opens a stream that stays; it is not a per-view cost. */
export const isWatch = (record: RequestRecord) => record.system === 'kubernetes' && /[?&]watch=(true|1)/.test(record.path);

export async function getJson(url: string, authorization: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers: { Authorization: authorization } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function postJson(url: string, authorization: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Lets the event loop breathe between runs so that one run's leftovers do not land in the next. */
export const pause = (msToWait = 50) => new Promise(resolve => setTimeout(resolve, msToWait));
