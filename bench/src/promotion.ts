import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { DEMO, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import { emulatorConfig } from '../../plugins/luban-backend/src/__testUtils__/lubanBackend';
import { eventsModuleLubanWebhooks } from '../../plugins/luban-backend/src/webhooks/webhookModule';
import { getJson, pause, postJson, recording, startBenchBackend, startSeededEmulator, type BenchBackend, type BenchOptions, type Section } from './fixtures';
import { ms, ratio, series, summarize } from './stats';

const exec = promisify(execFile);
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const ENVIRONMENTS = ['snd', 'stg', 'prd'];
const overlayPath = (env: string) => `apps/${DEMO.app}/overlays/${env}/kustomization.yaml`;
/** The push webhook's secret, as onboarding's luban:webhook:register sets one. */
const WEBHOOK_SECRET = randomBytes(24).toString('hex');
/** How many views may pass before the first one after the push delivery asks GitHub nothing. */
const MAX_VIEWS_UNTIL_WATCHED = 50;

/**
 * Registers luban's push webhook on the GitOps repository, as onboarding
 * does, and makes a commit on the host: its delivery tells luban that a
 * webhook watches the repository. Resolves with how many views asked GitHub
 * (the head again, once) before one asked nothing.
 */
async function watchByWebhook(emulator: RunningEmulator, backend: BenchBackend, view: () => Promise<unknown>): Promise<number> {
  const hook = await fetch(`${emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/hooks`, {
    method: 'POST',
    headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ config: { url: `${backend.baseUrl}/api/events/http/luban-github`, secret: WEBHOOK_SECRET, content_type: 'json' }, events: ['push'] }),
  });
  if (hook.status !== 201) throw new Error(`the push webhook was not registered: ${hook.status}`);
  await emulator.git.commit(GITOPS, {
    branch: 'main',
    expectedSha: await emulator.git.resolve(GITOPS, 'main'),
    message: 'Say who deploys from here',
    changes: [{ path: 'README.md', content: 'Deployed by Argo CD; luban proposes the changes.\n' }],
  });
  await emulator.github.api.deliveriesSettled();
  for (let views = 0; views < MAX_VIEWS_UNTIL_WATCHED; views++) {
    const seen = await recording(emulator, view);
    if (!seen.requests.some(r => r.system === 'github')) return views;
    await pause(100);
  }
  throw new Error(`after the push delivery, ${MAX_VIEWS_UNTIL_WATCHED} promotion views still asked GitHub`);
}

/** The demo with a third environment between snd and prd: its overlay, namespace and Argo CD Application. */
async function addStaging(emulator: RunningEmulator) {
  const prd = (await emulator.git.readFile(GITOPS, 'main', overlayPath('prd')))!.content.toString();
  await emulator.git.commit(GITOPS, {
    branch: 'main',
    expectedSha: await emulator.git.resolve(GITOPS, 'main'),
    message: `Promote ${DEMO.app} to stg`,
    changes: [{ path: overlayPath('stg'), content: prd.replace(/namespace: prd-/, 'namespace: stg-') }],
    author: { name: 'luban', email: 'luban@luban.invalid' },
  });
  emulator.kubernetes.create('namespaces', { metadata: { name: `stg-${DEMO.project}` } });
  // The project admits the new environment's namespace, as onboarding an environment does: Argo CD refuses the Application otherwise.
  const [appProject] = emulator.kubernetes.list('appprojects', 'argocd').filter(p => p.metadata.name === DEMO.project);
  emulator.kubernetes.remove('appprojects', 'argocd', DEMO.project);
  emulator.kubernetes.create('appprojects', {
    ...appProject,
    metadata: { name: DEMO.project, namespace: 'argocd', labels: appProject.metadata.labels },
    spec: { ...appProject.spec, destinations: [...appProject.spec.destinations, { ...appProject.spec.destinations[0], namespace: `stg-${DEMO.project}` }] },
  });
  const [prdApplication] = emulator.kubernetes.list('applications', 'argocd').filter(a => a.metadata.name === `prd-${DEMO.project}-${DEMO.app}`);
  emulator.kubernetes.create('applications', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `stg-${DEMO.project}-${DEMO.app}`, namespace: 'argocd', labels: { ...prdApplication.metadata.labels, 'luban.dev/environment': 'stg' } },
    spec: {
      ...prdApplication.spec,
      source: { ...prdApplication.spec.source, path: `apps/${DEMO.app}/overlays/stg` },
      destination: { ...prdApplication.spec.destination, namespace: `stg-${DEMO.project}` },
    },
    operation: { sync: { revision: 'main' }, initiatedBy: { username: 'bench' } },
  });
  await emulator.settled();
}

/**
 * What a plugin without luban's caches would do for the same view: a
 * shallow clone of the GitOps repository over git's smart HTTP, then read
 * each environment's overlay and find the app's image in it.
 */
async function cloneAndRead(emulator: RunningEmulator): Promise<Record<string, string | undefined>> {
  const dir = mkdtempSync(join(tmpdir(), 'luban-bench-clone-'));
  try {
    const url = new URL(`${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops.git`);
    url.username = 'x-access-token';
    url.password = emulator.token;
    await exec('git', ['clone', '--quiet', '--depth', '1', '--single-branch', '--branch', 'main', url.toString(), dir], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    const digests: Record<string, string | undefined> = {};
    for (const env of ENVIRONMENTS) {
      const overlay = yaml.parse(readFileSync(join(dir, overlayPath(env)), 'utf8'));
      digests[env] = overlay.images?.find((i: { name: string }) => i.name === DEMO.app)?.digest;
    }
    return digests;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ARGO_APPLICATIONS = { group: 'argoproj.io', apiVersion: 'v1alpha1', plural: 'applications' };
const ARGO_ENTITY = 'bench-argo-view';

/**
 * The second thing a user would pick: the Kubernetes plugin's backend with
 * Argo CD Applications as a custom resource, an entity that selects the
 * app's Applications by label.
 */
function kubernetesPluginOptions(emulator: RunningEmulator) {
  const { kubernetes } = emulatorConfig(emulator) as { kubernetes: Record<string, unknown> };
  return {
    emulator,
    config: {
      luban: { gitops: { autoDeploy: 'off' }, environments: ENVIRONMENTS.map(name => ({ name })) },
      kubernetes: { ...kubernetes, serviceLocatorMethod: { type: 'multiTenant' }, customResources: [ARGO_APPLICATIONS] },
    },
    features: [kubernetesPlugin],
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: ARGO_ENTITY, annotations: { 'backstage.io/kubernetes-label-selector': `luban.dev/app=${DEMO.app}` } },
        spec: { type: 'service', lifecycle: 'production', owner: 'user:default/mock' },
      },
    ],
  };
}

/** The images per environment as the Argo CD Applications report them (`status.summary.images`), through the Kubernetes plugin. */
async function argoApplicationsView(backend: BenchBackend): Promise<Record<string, string | undefined>> {
  const { status, body } = await postJson(`${backend.baseUrl}/api/kubernetes/resources/custom/query`, backend.owner, {
    entityRef: `component:default/${ARGO_ENTITY}`,
    auth: {},
    customResources: [ARGO_APPLICATIONS],
  });
  const applications: Array<{ metadata: { labels?: Record<string, string> }; status?: { summary?: { images?: string[] } } }> =
    body?.items?.[0]?.resources?.[0]?.resources ?? [];
  if (status !== 200 || applications.length !== ENVIRONMENTS.length) {
    throw new Error(`the Kubernetes plugin answered ${status} with ${applications.length} Applications: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return Object.fromEntries(
    applications.map(a => [a.metadata.labels?.['luban.dev/environment'], a.status?.summary?.images?.find(i => i.includes('@'))?.split('@')[1]]),
  );
}

/** Warm views of the Argo CD Applications through the Kubernetes plugin, on a backend of its own. */
async function measureArgoApplications(emulator: RunningEmulator, options: BenchOptions, digests: Record<string, string | undefined>) {
  const backend = await startBenchBackend(kubernetesPluginOptions(emulator));
  try {
    const first = await argoApplicationsView(backend);
    const agreeing = ENVIRONMENTS.filter(env => first[env] === digests[env]).length;
    const warm = await recording(emulator, () => series(options.views, () => argoApplicationsView(backend)));
    return { timings: warm.value, requests: warm.requests.filter(r => !isWatchRequest(r.path)).length, agreeing };
  } finally {
    await backend.stop();
  }
}

const isWatchRequest = (path: string) => /[?&]watch=(true|1)/.test(path);

/**
 * (b) The promotion state of an app in three environments: luban's
 * endpoint against a shallow clone of the GitOps repository.
 */
export async function benchPromotion(options: BenchOptions): Promise<Section> {
  const emulator = await startSeededEmulator();
  const backendOptions = {
    emulator,
    config: {
      luban: { gitops: { autoDeploy: 'off' }, environments: ENVIRONMENTS.map(name => ({ name })), webhooks: { github: { secret: WEBHOOK_SECRET } } },
      events: { useEventBus: 'never' },
    },
    features: [eventsPlugin, eventsModuleLubanWebhooks, eventsServiceFactory],
  };
  try {
    await addStaging(emulator);
    emulator.faults.latencyMs = options.latencyMs;
    const view = async (backend: Awaited<ReturnType<typeof startBenchBackend>>) => {
      const { status, body } = await getJson(`${backend.baseUrl}/api/luban/entities/component/default/${DEMO.app}/promotion`, backend.owner);
      const digests = body?.environments?.map((e: { digest?: string }) => e.digest);
      if (status !== 200 || digests?.length !== 3 || digests.some((d: string | undefined) => !d)) {
        throw new Error(`luban answered ${status}: ${JSON.stringify(body).slice(0, 400)}`);
      }
      return body;
    };

    const cold: number[] = [];
    let coldRequests: string[] = [];
    for (let i = 0; i < options.cold; i++) {
      const backend = await startBenchBackend(backendOptions);
      try {
        await pause(200);
        const first = await recording(emulator, async () => {
          const started = performance.now();
          await view(backend);
          return performance.now() - started;
        });
        cold.push(first.value);
        coldRequests = first.requests.filter(r => r.system !== 'kubernetes').map(r => `${r.system} ${r.method} ${r.status}`);
      } finally {
        await backend.stop();
      }
    }

    const backend = await startBenchBackend(backendOptions);
    try {
      const state = await view(backend);
      if (state.environments.some((e: { problems?: string[] }) => e.problems)) {
        throw new Error(`the promotion view has problems: ${JSON.stringify(state.environments.map((e: { problems?: string[] }) => e.problems))}`);
      }
      await pause(300);
      const warm = await recording(emulator, () => series(options.views, () => view(backend)));
      const upstream = warm.requests.filter(r => r.system !== 'kubernetes');
      const conditional = upstream.filter(r => r.status === 304).length;
      const viewsUntilWatched = await watchByWebhook(emulator, backend, () => view(backend));
      await pause(300);
      const watched = await recording(emulator, () => series(options.views, () => view(backend)));
      const watchedUpstream = watched.requests.filter(r => r.system !== 'kubernetes');

      const clones = await recording(emulator, () =>
        series(options.views, async () => {
          const digests = await cloneAndRead(emulator);
          if (ENVIRONMENTS.some(env => digests[env] !== state.environments.find((e: { name: string }) => e.name === env).digest)) {
            throw new Error(`the clone disagrees with luban: ${JSON.stringify(digests)}`);
          }
        }),
      );
      const lubanDigests = Object.fromEntries(state.environments.map((e: { name: string; digest?: string }) => [e.name, e.digest]));
      const argo = await measureArgoApplications(emulator, options, lubanDigests);
      const perView = (count: number) => (count / options.views).toFixed(count % options.views === 0 ? 0 : 1);
      const coldTimings = summarize(cold);
      const perEnvironment = upstream.length / options.views / ENVIRONMENTS.length;

      return {
        title: `(b) Promotion state, ${ENVIRONMENTS.length} environments, ${options.latencyMs} ms upstream latency`,
        rows: [
          {
            scenario: 'b',
            metric: `Promotion view p50 / p95, warm, webhook healthy (n=${options.views})`,
            luban: `${ms(watched.value.p50)} / ${ms(watched.value.p95)}`,
            baseline: `${ms(clones.value.p50)} / ${ms(clones.value.p95)} (shallow clone + read 3 overlays)`,
            target: '≥10× faster',
            met: clones.value.p50 / watched.value.p50 >= 10,
            note: `${ratio(clones.value.p50, watched.value.p50)} faster at p50, ${ratio(clones.value.p95, watched.value.p95)} at p95`,
          },
          {
            scenario: 'b',
            metric: `Promotion view p50 / p95, warm, webhook healthy, against the Kubernetes plugin reading Argo CD Applications (n=${options.views})`,
            luban: `${ms(watched.value.p50)} / ${ms(watched.value.p95)}`,
            baseline: `${ms(argo.timings.p50)} / ${ms(argo.timings.p95)} (custom resource query)`,
            target: '≥5× faster',
            met: argo.timings.p50 / watched.value.p50 >= 5,
            note:
              `${ratio(argo.timings.p50, watched.value.p50)} at p50; the query costs ${perView(argo.requests)} Kubernetes requests per view and shows ` +
              `only the images Argo CD reports (status.summary.images; ${argo.agreeing} of ${ENVIRONMENTS.length} environments agree with luban's overlay digests): ` +
              'no builds, scans, commits, dates or open pull requests, and an environment that is OutOfSync shows what ran before',
          },
          {
            scenario: 'b',
            metric: 'Git host requests per view, warm, webhook healthy',
            luban: `${perView(watchedUpstream.length)}`,
            baseline: `${perView(clones.requests.length)} per clone`,
            target: '0',
            met: watchedUpstream.length === 0,
            note: `the first view after the push delivery read the new head; ${viewsUntilWatched} view(s) asked GitHub before one asked nothing`,
          },
          {
            scenario: 'b',
            metric: `Promotion view p50 / p95, warm, no webhook (n=${options.views})`,
            luban: `${ms(warm.value.p50)} / ${ms(warm.value.p95)}`,
            baseline: `${ms(clones.value.p50)} / ${ms(clones.value.p95)} (shallow clone + read 3 overlays)`,
            target: '',
            note: `${ratio(clones.value.p50, warm.value.p50)} faster at p50: without a webhook a view waits for one conditional request (${options.latencyMs} ms of latency) before it trusts its cache`,
          },
          {
            scenario: 'b',
            metric: `Promotion view p50 / p95, cold (n=${options.cold} fresh backends)`,
            luban: `${ms(coldTimings.p50)} / ${ms(coldTimings.p95)}`,
            baseline: `${ms(clones.value.p50)} / ${ms(clones.value.p95)} (every clone is cold)`,
            target: '',
            note: `first view: ${coldRequests.length} requests to git and Harbor (${[...new Set(coldRequests)].map(r => `${coldRequests.filter(x => x === r).length}× ${r}`).join(', ')})`,
          },
          {
            scenario: 'b',
            metric: 'Git host requests per view, warm, no webhook',
            luban: `${perView(upstream.length)} (${perView(conditional)} answered 304 Not Modified)`,
            baseline: `${perView(clones.requests.length)} per clone`,
            target: '≤1 conditional per environment',
            met: perEnvironment <= 1 && conditional === upstream.length,
            note:
              perEnvironment === 1
                ? `the ${ENVIRONMENTS.length} conditional requests per view are identical (the branch head of one repository, once per environment): one per view would do`
                : undefined,
          },
        ],
        notes: [
          `luban: GET /api/luban/entities/component/default/${DEMO.app}/promotion with environments ${ENVIRONMENTS.join(', ')} (overlay digests, builds, Argo CD sync and health, scans, when each changed). ` +
            `Baseline: \`git clone --depth 1 --single-branch\` of the GitOps repository from the emulated GitHub over smart HTTP, then reading and parsing the ${ENVIRONMENTS.length} overlays (digests only: no Argo CD, no scan, no dates). ` +
            `Every upstream request waits ${options.latencyMs} ms.`,
        ],
      };
    } finally {
      await backend.stop();
    }
  } finally {
    await emulator.stop();
  }
}
