import { DEMO, type KubeObject, type RequestRecord, type RunningEmulator } from '@luban-backstage/emulator';
import { argoCdApplicationName, type LubanEnvironmentInsights, type LubanInsights } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_OWNER, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { BobSeesOnlyHisOwnEntities } from '../../__testUtils__/ownedCatalogPolicy';

/** A second app of the demo project, whose whole history this file writes with known dates. */
const APP = 'parcel-api';
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const APP_PATH = `/api/luban/entities/component/default/${APP}`;
const PROJECT_PATH = `/api/luban/entities/system/default/${DEMO.project}/project`;
const HOUR = 3_600_000;

/** The time `hours` before the suite began, to the second (git keeps seconds). */
let start = 0;
const ago = (hours: number) => new Date(start - hours * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
const digestOf = (letter: string) => `sha256:${letter.repeat(64)}`;

/** The GitHub REST API of the emulator, as the Git Database API is documented (docs.github.com/rest/git). */
async function github(emulator: RunningEmulator, method: string, path: string, body?: object) {
  const response = await fetch(`${emulator.github.apiBaseUrl}/repos/${DEMO.project}/${path}`, {
    method,
    headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A commit with its tree, to build the next one on. */
interface Head {
  sha: string;
  tree: string;
}

/** The commit a branch points to, with its tree. */
async function headOf(emulator: RunningEmulator, repo: string): Promise<Head> {
  const sha = (await emulator.git.resolve(`github/${DEMO.project}/${repo}.git`, 'main'))!;
  const commit = await github(emulator, 'GET', `${repo}/git/commits/${sha}`);
  return { sha, tree: commit.tree.sha };
}

/** A commit on top of `parent` with one file changed, authored and committed at `date`. */
async function commitAt(emulator: RunningEmulator, repo: string, parent: Head, change: { path: string; content: string; message: string; date: string }): Promise<Head> {
  const tree = await github(emulator, 'POST', `${repo}/git/trees`, {
    base_tree: parent.tree,
    tree: [{ path: change.path, mode: '100644', type: 'blob', content: change.content }],
  });
  const signature = { name: 'Jane Doe', email: 'jane@example.test', date: change.date };
  const commit = await github(emulator, 'POST', `${repo}/git/commits`, {
    message: change.message,
    tree: tree.sha,
    parents: [parent.sha],
    author: signature,
    committer: signature,
  });
  return { sha: commit.sha, tree: commit.tree.sha };
}

const overlay = (env: string, digest: string) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nnamespace: ${env}-${DEMO.project}\nimages:\n  - name: ${APP}\n    newName: harbor.example.test/${DEMO.project}/${APP}\n    digest: ${digest}\n`;

/**
 * Writes an object's status as its controller does (kpack, Argo CD): the
 * store's own resource type is the one its creation event names.
 */
function createWithStatus(emulator: RunningEmulator, plural: string, object: KubeObject, status: object, createdAt?: string) {
  const { store } = emulator.kubernetes;
  let type: Parameters<typeof store.update>[0] | undefined;
  const unsubscribe = store.subscribe(event => {
    if (event.object.metadata.name === object.metadata.name) type ??= event.resourceType;
  });
  const created = emulator.kubernetes.create(plural, object);
  unsubscribe();
  const { namespace, name } = created.metadata;
  if (createdAt) store.backdate(type!, namespace, name, createdAt);
  const current = store.get(type!, namespace, name);
  store.update(type!, namespace, name, { ...current, status }, { subresource: 'status' });
}

/**
 * The known history (hours before the suite began). Source commits of
 * builds B, C, D, E at 480, 400, 201 and 194.5 h; build 3 failed.
 *
 * prd: B at 478 h (lead 2 h), C at 376 h (lead 24 h), luban's rollback to B at 373 h
 * (C failed, restored in 3 h), D at 200 h (lead 1 h; its Argo CD sync failed), E at
 * 194 h (lead 0.5 h; D restored in 6 h).
 * snd: B at 479 h (lead 1 h), C at 390 h (lead 10 h), D at 200.5 h (lead 0.5 h), E at 194.25 h (lead 0.25 h).
 */
async function writeHistory(emulator: RunningEmulator) {
  await emulator.github.api.createRepository(DEMO.project, APP, { files: { 'README.md': `# ${APP}\n` } });
  let sourceHead = await headOf(emulator, APP);
  const revisions: Record<string, string> = {};
  for (const [letter, hours] of [['b', 480], ['x', 300], ['c', 400], ['d', 201], ['e', 194.5]] as const) {
    sourceHead = await commitAt(emulator, APP, sourceHead, { path: 'app.py', content: `# ${letter}\n`, message: `Change ${letter}`, date: ago(hours) });
    revisions[letter] = sourceHead.sha;
  }
  // kpack's Builds (kpack.io/v1alpha2): creation, the Succeeded condition's transition, the image built.
  const builds = [['b', 479.9, 300, true], ['c', 399.9, 100, true], ['x', 299.9, 50, false], ['d', 200.9, 600, true], ['e', 194.4, 200, true]] as const;
  builds.forEach(([letter, hours, seconds, succeeded], index) => {
    const name = `${APP}-build-${index + 1}`;
    const createdAt = ago(hours);
    const finishedAt = new Date(Date.parse(createdAt) + seconds * 1000).toISOString();
    createWithStatus(
      emulator,
      'builds',
      {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Build',
        metadata: {
          name,
          namespace: `ci-${DEMO.project}`,
          labels: { 'image.kpack.io/image': APP, 'image.kpack.io/buildNumber': String(index + 1) },
          annotations: { 'image.kpack.io/reason': 'COMMIT' },
        },
        spec: { source: { git: { url: `${emulator.github.url}/${DEMO.project}/${APP}`, revision: revisions[letter] } } },
      },
      {
        conditions: [{ type: 'Succeeded', status: succeeded ? 'True' : 'False', lastTransitionTime: finishedAt }],
        ...(succeeded ? { latestImage: `harbor.example.test/${DEMO.project}/${APP}@${digestOf(letter)}` } : {}),
      },
      createdAt,
    );
  });

  const deploys: Array<[string, string, number, string?]> = [
    ['snd', 'b', 479],
    ['prd', 'b', 478],
    ['snd', 'c', 390],
    ['prd', 'c', 376],
    ['prd', 'b', 373, `Roll back ${APP} in prd to ${digestOf('b').slice(0, 19)}`],
    ['snd', 'd', 200.5],
    ['prd', 'd', 200],
    ['snd', 'e', 194.25],
    ['prd', 'e', 194],
  ];
  const head = await headOf(emulator, `${DEMO.project}-gitops`);
  let gitopsHead = head;
  const commits: Record<string, string> = {};
  for (const [env, letter, hours, message] of deploys) {
    gitopsHead = await commitAt(emulator, `${DEMO.project}-gitops`, gitopsHead, {
      path: `apps/${APP}/overlays/${env}/kustomization.yaml`,
      content: overlay(env, digestOf(letter)),
      message: message ?? `Promote ${APP} to ${env} (${digestOf(letter).slice(0, 19)})`,
      date: ago(hours),
    });
    commits[`${env}-${letter}`] = gitopsHead.sha;
  }
  await emulator.git.updateRef(GITOPS, 'refs/heads/main', gitopsHead.sha, { expectedSha: head.sha });

  // prd's Argo CD Application, whose last operation failed at D's commit (Argo CD's
  // pkg/apis/application/v1alpha1/types.go OperationState: phase, syncResult.revision, startedAt).
  const template = emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === argoCdApplicationName('prd', DEMO.project, DEMO.app))!;
  const { syncPolicy: _automated, ...spec } = template.spec;
  createWithStatus(
    emulator,
    'applications',
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: argoCdApplicationName('prd', DEMO.project, APP), namespace: 'argocd' },
      spec: { ...spec, source: { ...spec.source, path: `apps/${APP}/overlays/prd` } },
    },
    {
      operationState: {
        operation: { sync: { revision: commits['prd-d'] } },
        phase: 'Failed',
        message: 'one or more objects failed to apply',
        syncResult: { revision: commits['prd-d'] },
        startedAt: ago(199.9),
        finishedAt: ago(199.8),
      },
    },
  );
}

describe('delivery insights of an app and of its project, from a known history', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  beforeAll(async () => {
    start = Math.floor(Date.now() / 1000) * 1000;
    backend = await startLubanBackend({
      policy: new BobSeesOnlyHisOwnEntities(),
      // Nothing deploys behind the test's back: the history is the one written here.
      config: { luban: { gitops: { autoDeploy: 'off' } } },
      entities: async emulator => {
        await writeHistory(emulator);
        const annotations = { 'luban.dev/project': DEMO.project };
        return [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: APP,
              annotations: { ...annotations, 'luban.dev/app': APP, 'backstage.io/source-location': `url:${emulator.github.url}/${DEMO.project}/${APP}/tree/main/` },
            },
            spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER },
          },
          { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: DEMO.project, annotations }, spec: { owner: DEMO_OWNER } },
        ];
      },
    });
  });
  afterAll(() => backend?.stop());

  const get = (path: string, auth = backend.owner) => request(backend.server).get(path).set('Authorization', auth);
  const insights = async (path: string, days?: number) => {
    const response = await get(`${path}/insights${days ? `?days=${days}` : ''}`);
    expect(response.status).toBe(200);
    return response.body as LubanInsights;
  };
  /** What an environment's answer says, without the weeks' dates. */
  const numbers = ({ weeks, ...env }: LubanEnvironmentInsights) => ({ ...env, weeks: weeks.map(w => [w.deploys, w.failures]) });

  it('answers each DORA measure and the builds of 30 days, as computed by hand, at a stated request cost', async () => {
    backend.emulator.requests.clear();
    const cold = await insights(APP_PATH);
    const coldRequests = backend.emulator.requests.entries();
    expect(cold.days).toBe(30);
    expect(cold.apps).toEqual([APP]);
    expect(cold.problems).toBeUndefined();
    expect(cold.environments.map(numbers)).toEqual([
      {
        name: 'snd',
        deploys: 4,
        // 4 deploys over 30/7 weeks.
        deploysPerWeek: 0.93,
        // 900, 1,800, 3,600, 36,000 s.
        leadTimeSeconds: { count: 4, p50: 1800, p90: 36000 },
        rollbacks: 0,
        failedSyncs: 0,
        failedDeploys: 0,
        changeFailureRate: 0,
        timeToRestoreSeconds: { count: 0 },
        // Weeks from 720 h ago: [720, 552), [552, 384), [384, 216), [216, 48), [48, 0).
        weeks: [[0, 0], [2, 0], [0, 0], [2, 0], [0, 0]],
      },
      {
        name: 'prd',
        deploys: 5,
        deploysPerWeek: 1.17,
        // 1,800, 3,600, 7,200, 86,400 s; the rollback has none.
        leadTimeSeconds: { count: 4, p50: 3600, p90: 86400 },
        rollbacks: 1,
        failedSyncs: 1,
        // C (rolled back) and D (its sync failed).
        failedDeploys: 2,
        changeFailureRate: 0.4,
        // 3 h and 6 h.
        timeToRestoreSeconds: { count: 2, p50: 10800, p90: 21600 },
        weeks: [[0, 0], [1, 0], [2, 1], [2, 1], [0, 0]],
      },
    ]);
    // Builds 1, 2, 4, 5 succeeded in 300, 100, 600, 200 s; build 3 failed.
    expect(cold.builds).toEqual({ finished: 5, succeeded: 4, failed: 1, successRate: 0.8, durationSeconds: { count: 4, p50: 200, p90: 600 } });

    // Cold: the GitOps branch's head (one conditional request, shared by the environments' reads when they overlap),
    // each overlay at it, each overlay's history and the overlay at each commit of it (prd's newest is the head,
    // already read), and each source commit's date once: 1 + 2 + 2 + (4 + 4) + 4 = 17 requests, all GETs. (The
    // emulated Argo CD's own git fetches, `…/info/refs`, are not luban's.)
    const luban = (r: RequestRecord) => r.system !== 'kubernetes' && !r.path.includes('.git/');
    const api = coldRequests.filter(r => r.system === 'github' && luban(r)).map(r => decodeURIComponent(r.path));
    expect(coldRequests.filter(r => r.system !== 'github' && r.system !== 'kubernetes')).toEqual([]);
    const gitops = `/api/v3/repos/${DEMO.project}/${DEMO.project}-gitops`;
    const heads = api.filter(path => path === `${gitops}/commits/main`).length;
    expect(heads === 1 || heads === 2).toBe(true);
    expect(api.filter(path => path.startsWith(`${gitops}/contents/apps/${APP}/overlays/`)).length).toBe(2 + 8);
    expect(api.filter(path => path.startsWith(`${gitops}/commits?sha=main&path=apps/${APP}/overlays/`)).length).toBe(2);
    expect(api.filter(path => path.startsWith(`/api/v3/repos/${DEMO.project}/${APP}/git/commits/`)).length).toBe(4);
    expect(api.length).toBe(heads + 2 + 8 + 2 + 4);
    expect(backend.emulator.requests.mutating()).toEqual([]);

    // Warm: the branch's head again (answered 304), nothing else: every history and commit date is kept.
    backend.emulator.requests.clear();
    const warm = await insights(APP_PATH);
    expect([warm.environments.map(numbers), warm.builds]).toEqual([cold.environments.map(numbers), cold.builds]);
    const warmRequests = backend.emulator.requests.entries().filter(luban);
    expect(warmRequests.length === 1 || warmRequests.length === 2).toBe(true);
    expect(new Set(warmRequests.map(r => [r.method, r.path, r.status].join(' ')))).toEqual(new Set([`GET ${gitops}/commits/main 304`]));
  });

  it('counts only what happened in a shorter window', async () => {
    // 9 days = 216 h: D and E of each environment, and their builds.
    const answer = await insights(APP_PATH, 9);
    expect(answer.environments.map(numbers)).toEqual([
      expect.objectContaining({ name: 'snd', deploys: 2, leadTimeSeconds: { count: 2, p50: 900, p90: 1800 }, failedDeploys: 0, weeks: [[2, 0], [0, 0]] }),
      expect.objectContaining({
        name: 'prd',
        deploys: 2,
        deploysPerWeek: 1.56,
        leadTimeSeconds: { count: 2, p50: 1800, p90: 3600 },
        rollbacks: 0,
        failedSyncs: 1,
        failedDeploys: 1,
        changeFailureRate: 0.5,
        timeToRestoreSeconds: { count: 1, p50: 21600, p90: 21600 },
      }),
    ]);
    expect(answer.builds).toEqual({ finished: 2, succeeded: 2, failed: 0, successRate: 1, durationSeconds: { count: 2, p50: 200, p90: 600 } });
  });

  it("adds up the project's apps on its System", async () => {
    const [project, parcel, ledger] = await Promise.all([
      insights(PROJECT_PATH, 30),
      insights(APP_PATH, 30),
      insights(`/api/luban/entities/component/default/${DEMO.app}`, 30),
    ]);
    // The demo's other entities are not apps of the project (another team's claim, no luban annotations).
    expect(project.apps).toEqual([DEMO.app, APP]);
    expect(project.environments.map(e => [e.name, e.deploys, e.failedDeploys])).toEqual(
      parcel.environments.map((e, i) => [e.name, e.deploys + ledger.environments[i].deploys, e.failedDeploys + ledger.environments[i].failedDeploys]),
    );
    expect(project.builds.finished).toBe(parcel.builds.finished + ledger.builds.finished);
  });

  it('refuses a window outside 1 to 90 days before anything is read', async () => {
    backend.emulator.requests.clear();
    for (const days of ['0', '91', 'abc', '1.5', '']) {
      const response = await get(`${APP_PATH}/insights?days=${days}`);
      expect([days, response.status, response.body.error?.name]).toEqual([days, 400, 'InputError']);
      expect(response.body.error.message).toMatch(/days must be a whole number of days from 1 to 90/);
    }
    expect((await get(`${PROJECT_PATH}/insights?days=120`)).status).toBe(400);
    expect(backend.emulator.requests.entries().filter(r => r.system !== 'kubernetes' && !r.path.includes('.git/'))).toEqual([]);
  });

  it('answers another team as if the app and the project did not exist, and changes nothing', async () => {
    backend.emulator.requests.clear();
    const app = await get(`${APP_PATH}/insights`, backend.otherTeam);
    const project = await get(`${PROJECT_PATH}/insights`, backend.otherTeam);
    // As every entity route answers an entity the caller may not read (tenancy.attack.test.ts).
    expect([app.status, app.body.error?.name, project.status, project.body.error?.name]).toEqual([404, 'NotFoundError', 404, 'NotFoundError']);
    expect(JSON.stringify([app.body, project.body])).not.toMatch(/deploys|leadTime/);
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(backend.emulator.requests.entries().filter(r => r.system === 'github' && !r.path.includes('.git/'))).toEqual([]);
  });
});
