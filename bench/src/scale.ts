import type { JsonObject } from '@backstage/types';
import type { RequestRecord, RunningEmulator } from '@luban-backstage/emulator';
import { DEMO_OWNER, recordProject } from '../../plugins/luban-backend/src/__testUtils__/lubanBackend';
import { describeRequests, getJson, pause, recording, startBenchBackend, startSeededEmulator, type BenchBackend, type BenchOptions, type Section } from './fixtures';
import { mib, ms, summarize } from './stats';

const ENVIRONMENTS = ['snd', 'stg', 'prd'];
const APPS_PER_PROJECT = 50;
/** GitHub's primary rate limit for a user or a GitHub App installation's token (REST), per hour. */
const GITHUB_BUDGET_PER_HOUR = 5000;
/** How often each entity's Delivery view is assumed to be opened, per hour, for the hourly figures. */
const VIEWS_PER_ENTITY_PER_HOUR = 10;
/** How often each project's GitOps repository is assumed to change (a deploy), per hour. */
const GITOPS_CHANGES_PER_PROJECT_PER_HOUR = 6;
const CONCURRENCY = 8;
/** Entities viewed cold per hour's budget (about 6 counted requests each). */
const COLD_PER_BUDGET = 500;

const phaseStarted = Date.now();
/** Progress on stderr: this scenario runs for minutes. */
const progress = (what: string) => process.stderr.write(`[bench] scale: ${what} (${((Date.now() - phaseStarted) / 1000).toFixed(0)} s)\n`);

const overlay = (project: string, app: string, env: string, digest: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${env}-${project}
images:
  - name: ${app}
    newName: harbor.local/${project}/${app}
    digest: ${digest}
`;

const digestOf = (seed: string) => `sha256:${Buffer.from(seed.padEnd(32, '.')).toString('hex').slice(0, 64).padEnd(64, '0')}`;

interface ScaleApp {
  project: string;
  app: string;
}

/**
 * `count` apps in projects of {@link APPS_PER_PROJECT}: a GitOps repository
 * per project with an overlay per app and environment, and an Argo CD
 * Application per app and environment. The Applications point at a
 * repository that does not exist, so the emulated Argo CD reports an error
 * at once instead of rendering 3,000 kustomizations; luban's cost for them
 * is the same (they come from one cluster-wide informer).
 */
async function addApps(emulator: RunningEmulator, count: number): Promise<ScaleApp[]> {
  const apps: ScaleApp[] = [];
  for (let first = 0; first < count; first += APPS_PER_PROJECT) {
    const project = `scale${String(first / APPS_PER_PROJECT).padStart(2, '0')}`;
    const files: Record<string, string> = { 'README.md': `# ${project} GitOps\n` };
    for (let i = first; i < Math.min(count, first + APPS_PER_PROJECT); i++) {
      const app = `app-${String(i).padStart(4, '0')}`;
      apps.push({ project, app });
      for (const env of ENVIRONMENTS) files[`apps/${app}/overlays/${env}/kustomization.yaml`] = overlay(project, app, env, digestOf(`${app}-${env}`));
    }
    await emulator.github.api.createRepository(project, `${project}-gitops`, { files, description: `What runs where, for ${project}` });
    // The project's record, as onboarding leaves it: luban serves only entities of a recorded project.
    await recordProject(emulator, { project, owner: DEMO_OWNER, gitopsRepository: `${emulator.github.url}/${project}/${project}-gitops`, harborProject: project });
    // The digests are in Harbor, scanned, as kpack's pushes would have left them.
    emulator.harbor.api.createProject(project);
    for (const { app } of apps.filter(a => a.project === project)) {
      for (const env of ENVIRONMENTS) {
        emulator.harbor.api.pushArtifact({ project, repository: app, digest: digestOf(`${app}-${env}`), tags: [], vulnerabilities: { High: 1 } });
      }
    }
  }
  progress('creating the Argo CD Applications');
  for (const { project, app } of apps) {
    for (const env of ENVIRONMENTS) {
      emulator.kubernetes.create('applications', {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: {
          name: `${env}-${project}-${app}`,
          namespace: 'argocd',
          labels: { 'luban.dev/project': project, 'luban.dev/app': app, 'luban.dev/environment': env },
        },
        spec: {
          project,
          source: { repoURL: `${emulator.github.url}/${project}/not-rendered.git`, path: `apps/${app}/overlays/${env}`, targetRevision: 'main' },
          destination: { server: 'https://kubernetes.default.svc', namespace: `${env}-${project}` },
        },
      });
    }
  }
  progress('waiting for the emulator to settle');
  await emulator.settled();
  return apps;
}

function entityOf(emulator: RunningEmulator, { project, app }: ScaleApp): JsonObject {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: app,
      annotations: {
        'luban.dev/project': project,
        'luban.dev/app': app,
        'luban.dev/gitops-repo': `${emulator.github.url}/${project}/${project}-gitops`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
  };
}

/** Views every app's promotion state, `CONCURRENCY` at a time, as many open pages would. */
async function viewAll(backend: BenchBackend, apps: ScaleApp[]): Promise<number[]> {
  const timings: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < apps.length) {
      const { app } = apps[next++];
      const started = performance.now();
      const { status, body } = await getJson(`${backend.baseUrl}/api/luban/entities/component/default/${app}/promotion`, backend.owner);
      timings.push(performance.now() - started);
      if (status !== 200 || body.environments?.length !== ENVIRONMENTS.length || body.environments.some((e: { digest?: string }) => !e.digest)) {
        throw new Error(`the promotion state of ${app} is ${status}: ${JSON.stringify(body.environments?.map((e: { problems?: string[] }) => e.problems) ?? body)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return timings;
}

function memory() {
  global.gc?.();
  global.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

/** GitHub counts a request against the budget unless it is answered 304 to a conditional request. */
const countsAgainstGitHub = (r: RequestRecord) => r.system === 'github' && r.status !== 304;

/**
 * (d) 1,000 entities × 3 environments kept fresh: what the backend holds in
 * memory for them, and what keeping their Delivery views fresh costs in
 * upstream calls per hour, against GitHub's 5,000 requests an hour.
 */
export async function benchScale(options: BenchOptions): Promise<Section> {
  const emulator = await startSeededEmulator();
  try {
    progress('adding the apps');
    // Seeding goes at full speed; every view below pays the configured latency, as the header says.
    const apps = await addApps(emulator, options.entities);
    progress('starting the backend');
    const projects = new Set(apps.map(a => a.project));
    const before = memory();
    const backend = await startBenchBackend({
      emulator,
      // The emulator, in this process, is the slow side here: give it time under the cold load.
      config: { luban: { requestTimeoutSeconds: 60, gitops: { autoDeploy: 'off' }, environments: ENVIRONMENTS.map(name => ({ name })) } },
      entities: apps.map(app => entityOf(emulator, app)),
    });
    try {
      await pause(1000);
      emulator.faults.latencyMs = options.latencyMs;
      const started = memory();
      progress('cold views');

      // Cold: the first view of every entity.
      // Every phase is measured from a full hour's budget (the emulated GitHub enforces 5,000 an hour, as
      // GitHub does). The cold pass costs more than one hour's budget, so it runs as if spread over hours.
      const fullBudget = () => emulator.github.api.setRateLimitRemaining(GITHUB_BUDGET_PER_HOUR);
      const cold = await recording(emulator, async () => {
        const timings: number[] = [];
        for (let first = 0; first < apps.length; first += COLD_PER_BUDGET) {
          fullBudget();
          timings.push(...(await viewAll(backend, apps.slice(first, first + COLD_PER_BUDGET))));
        }
        return timings;
      });
      fullBudget();
      const afterCold = memory();

      progress('warm views');
      // Warm, nothing changed: every entity again.
      fullBudget();
      const warm = await recording(emulator, () => viewAll(backend, apps));

      // Each project deploys once (a commit on its GitOps branch), then every entity is viewed again.
      for (const project of projects) {
        const repository = `github/${project}/${project}-gitops.git`;
        const deployed = apps.find(a => a.project === project)!;
        await emulator.git.commit(repository, {
          branch: 'main',
          expectedSha: await emulator.git.resolve(repository, 'main'),
          message: 'Deploy one app',
          changes: [{ path: `apps/${deployed.app}/overlays/snd/kustomization.yaml`, content: overlay(project, deployed.app, 'snd', digestOf(`${deployed.app}-new`)) }],
          author: { name: 'luban', email: 'luban@luban.invalid' },
        });
      }
      progress('views after a change');
      fullBudget();
      const changed = await recording(emulator, () => viewAll(backend, apps));
      const afterAll = memory();

      // Idle: nobody looks; what does luban ask on its own?
      const idle = await recording(emulator, () => pause(options.windowSeconds * 1000));

      const perView = (records: RequestRecord[]) => records.length / apps.length;
      const coldCounted = cold.requests.filter(countsAgainstGitHub).length;
      const budgetPerView = (records: RequestRecord[]) => records.filter(countsAgainstGitHub).length / apps.length;
      const views = apps.length * VIEWS_PER_ENTITY_PER_HOUR;
      // Of the views in an hour, those that follow a change of their repository pay the "changed" price.
      const changedViews = Math.min(views, projects.size * GITOPS_CHANGES_PER_PROJECT_PER_HOUR * APPS_PER_PROJECT);
      const idlePerHour = (records: RequestRecord[]) => (records.length * 3600) / options.windowSeconds;
      const githubPerHour =
        (views - changedViews) * budgetPerView(warm.requests) +
        changedViews * budgetPerView(changed.requests) +
        idlePerHour(idle.requests.filter(countsAgainstGitHub));
      const allGithubPerHour =
        (views - changedViews) * (warm.requests.filter(r => r.system === 'github').length / apps.length) +
        changedViews * (changed.requests.filter(r => r.system === 'github').length / apps.length) +
        idlePerHour(idle.requests.filter(r => r.system === 'github'));
      // A reader without conditional requests or caches: every overlay read is a counted request.
      const naivePerHour = views * ENVIRONMENTS.length;
      const timings = { cold: summarize(cold.value), warm: summarize(warm.value), changed: summarize(changed.value) };

      return {
        title: `(d) Scale: ${apps.length} entities × ${ENVIRONMENTS.length} environments in ${projects.size} GitOps repositories`,
        rows: [
          {
            scenario: 'd',
            metric: `Backend heap for ${apps.length} entities (after GC)`,
            luban: `${mib(afterAll.heapUsed - before.heapUsed)} (${mib(afterAll.heapUsed - started.heapUsed)} of it caches filled by the views)`,
            baseline: '',
            target: '',
            note: `heap grows ${mib(afterCold.heapUsed - started.heapUsed)} on the first view of every entity; process RSS ${mib(afterAll.rss)} with the emulator in the same process (${mib(before.rss)} before the backend started)`,
          },
          {
            scenario: 'd',
            metric: 'Upstream requests per view: cold / warm / after a GitOps change',
            luban: `${perView(cold.requests).toFixed(2)} / ${perView(warm.requests).toFixed(2)} / ${perView(changed.requests).toFixed(2)}`,
            baseline: `${ENVIRONMENTS.length} (a reader without caches)`,
            target: '',
            note: `cold: ${describeRequests(cold.requests)}; warm: ${describeRequests(warm.requests)}; after a change: ${describeRequests(changed.requests)}. View p50 cold ${ms(timings.cold.p50)}, warm ${ms(timings.warm.p50)}, after a change ${ms(timings.changed.p50)} (${CONCURRENCY} at a time)`,
          },
          {
            scenario: 'd',
            metric: `GitHub requests of a first view of all ${apps.length} entities (after a restart)`,
            luban: `${coldCounted} (${(coldCounted / apps.length).toFixed(1)} per entity)`,
            baseline: `${apps.length * ENVIRONMENTS.length} (a reader without caches, every time)`,
            target: `≤ ${GITHUB_BUDGET_PER_HOUR} (one hour's budget)`,
            met: coldCounted <= GITHUB_BUDGET_PER_HOUR,
            note:
              coldCounted > GITHUB_BUDGET_PER_HOUR
                ? `${(coldCounted / GITHUB_BUDGET_PER_HOUR).toFixed(1)} hours of budget: each overlay costs its content and its last commit (for the deploy date) once; if every entity is opened within the first hour after a restart, views after the budget runs out show "rate limited" as the environment's problem until it refills`
                : undefined,
          },
          {
            scenario: 'd',
            metric: `GitHub requests per hour counted against the ${GITHUB_BUDGET_PER_HOUR}/h budget`,
            luban: `${Math.round(githubPerHour)} (${Math.round(allGithubPerHour)} including 304s)`,
            baseline: `${naivePerHour} (a reader without conditional requests)`,
            target: `≤ ${GITHUB_BUDGET_PER_HOUR}`,
            met: githubPerHour <= GITHUB_BUDGET_PER_HOUR,
            note:
              `for ${views} views an hour (${VIEWS_PER_ENTITY_PER_HOUR} per entity) with every project deploying ${GITOPS_CHANGES_PER_PROJECT_PER_HOUR} times an hour ` +
              `(${changedViews} views after a change); idle, with no viewer, luban made ${idle.requests.length} upstream requests in ${options.windowSeconds} s (${describeRequests(idle.requests)})`,
          },
        ],
        notes: [
          `${apps.length} catalog Components (${APPS_PER_PROJECT} per project), each with snd, stg and prd overlays in its project's GitOps repository on the emulated GitHub, and 3 Argo CD Applications each. ` +
            'Every entity\'s promotion state is read once cold, once warm with nothing changed, and once after every project\'s GitOps branch moved by one commit. ' +
            'GitHub does not count a conditional request answered 304 against the rate limit; every other request counts. Heap figures are read after a full GC in the one process that runs backend and emulator; ' +
            'the heap before the backend started (emulator and seeded data) is subtracted.',
        ],
      };
    } finally {
      await backend.stop();
    }
  } finally {
    await emulator.stop();
  }
}
