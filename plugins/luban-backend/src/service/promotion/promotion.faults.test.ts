import { DEMO, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const API = `/api/v3/repos/${DEMO.project}/${DEMO.project}-gitops`;
const ZERO_SHA = '0'.repeat(40);
/** The emulator's three kinds of failure: refused, timed out before applying, applied but the answer lost (controls.ts). */
const KINDS = [503, 'reset', 'lost'] as const;
type Kind = (typeof KINDS)[number];

interface Pull {
  number: number;
  state: string;
  body: string | null;
  html_url: string;
  head: { ref: string };
}

/** A clean change: what is asked, the branch it goes to, and the older open PR of the same app and environment it supersedes. */
interface Scenario {
  name: 'promote' | 'rollback';
  env: string;
  route: string;
  body: () => object;
  branch: () => string;
  /** A luban branch of the same app and environment with an open PR, as another replica left it earlier. */
  olderBranch: string;
  overlay: string;
}

/**
 * Every mutating call of a clean promote and a clean rollback, each failed
 * once in each of the emulator's three ways (exact path, its 1st occurrence:
 * each is made once in a clean run, which the first tests check); the same
 * request, asked again, converges on the clean run's state: one branch with
 * one commit, one open pull request, the older one closed with its link.
 */
describe('promotion and rollback under git host faults', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let emulator: RunningEmulator;
  let build1: string;
  let build2: string;
  /** Fault points hit, by kind: `scenario: point`. */
  const hit = new Map<Kind, Set<string>>(KINDS.map(kind => [kind, new Set<string>()]));

  beforeAll(async () => {
    backend = await startLubanBackend();
    emulator = backend.emulator;
    const builds = emulator.kubernetes
      .list('builds', `ci-${DEMO.project}`)
      .sort((a, b) => Number(a.metadata.labels?.['image.kpack.io/buildNumber']) - Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
    [build1, build2] = builds.map(b => String(b.status?.latestImage).split('@')[1]);
  });
  afterAll(() => backend?.stop());
  afterEach(() => emulator.faults.reset());

  const short = (digest: string) => digest.slice(7, 19);
  const SCENARIOS: Scenario[] = [
    {
      name: 'promote',
      env: 'prd',
      route: 'promotion/promote',
      body: () => ({ from: 'snd', to: 'prd' }),
      branch: () => `luban/promote/${DEMO.app}/prd/${short(build2)}`,
      olderBranch: `luban/promote/${DEMO.app}/prd/${'a'.repeat(12)}`,
      overlay: `apps/${DEMO.app}/overlays/prd/kustomization.yaml`,
    },
    {
      name: 'rollback',
      env: 'snd',
      route: 'promotion/rollback',
      body: () => ({ env: 'snd', toDigest: build1 }),
      branch: () => `luban/rollback/${DEMO.app}/snd/${short(build1)}`,
      olderBranch: `luban/rollback/${DEMO.app}/snd/${'a'.repeat(12)}`,
      overlay: `apps/${DEMO.app}/overlays/snd/kustomization.yaml`,
    },
  ];

  const POINT_NAMES = [
    'create the branch',
    'write the tree',
    'write the commit',
    'move the branch to the commit',
    'open the pull request',
    'close the superseded pull request',
  ];
  /** The mutating calls of a clean run, in order: [what, method, exact path]. */
  const points = (scenario: Scenario, older: number): Array<[string, string, string]> => {
    const [branch, tree, commit, move, open, close] = POINT_NAMES;
    return [
      [branch, 'POST', `${API}/git/refs`],
      [tree, 'POST', `${API}/git/trees`],
      [commit, 'POST', `${API}/git/commits`],
      [move, 'PATCH', `${API}/git/refs/${encodeURIComponent(`heads/${scenario.branch()}`)}`],
      [open, 'POST', `${API}/pulls`],
      [close, 'PATCH', `${API}/pulls/${older}`],
    ];
  };

  const github = (path: string, init: { method?: string; body?: object } = {}) =>
    fetch(`${emulator.github.apiBaseUrl}${path.replace(/^\/api\/v3/, '')}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
      body: init.body && JSON.stringify(init.body),
    });
  /** Pull requests through GitHub's list (each listed one costs the emulator a mergeability check: ask for few). */
  const pulls = async (query: string): Promise<Pull[]> => (await (await github(`${API}/pulls?per_page=100&${query}`)).json()) as Pull[];
  const openLubanPulls = async () => (await pulls('state=open')).filter(p => p.head.ref.startsWith('luban/'));
  const lubanBranches = async () =>
    [...(await emulator.git.refs(GITOPS)).keys()].filter(ref => ref.startsWith('refs/heads/luban/')).sort();

  /** Back to the start: no luban PR open, no luban branch, and the older open PR of the scenario's environment. */
  async function reset(scenario: Scenario): Promise<number> {
    for (const pull of await openLubanPulls()) {
      await github(`${API}/pulls/${pull.number}`, { method: 'PATCH', body: { state: 'closed' } });
    }
    for (const ref of await lubanBranches()) await emulator.git.updateRef(GITOPS, ref, ZERO_SHA, { force: true });
    const main = await emulator.git.resolve(GITOPS, 'main');
    await emulator.git.commit(GITOPS, {
      branch: scenario.olderBranch,
      from: main,
      message: 'An older change',
      changes: [{ path: 'NOTES.md', content: 'older\n' }],
    });
    const opened = await github(`${API}/pulls`, {
      method: 'POST',
      body: { head: scenario.olderBranch, base: 'main', title: 'An older change', body: 'What it proposed' },
    });
    expect(opened.status).toBe(201);
    emulator.requests.clear();
    return ((await opened.json()) as Pull).number;
  }

  const ask = (scenario: Scenario) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/${scenario.route}`).set('Authorization', backend.owner).send(scenario.body());

  /** The clean run's state: one branch with one commit changing the overlay, one open PR (opened once), the older one closed with its link. */
  async function expectConverged(scenario: Scenario, older: number, result: LubanChangeResult) {
    const branch = scenario.branch();
    expect(result.branch).toBe(branch);
    expect(await lubanBranches()).toEqual([`refs/heads/${scenario.olderBranch}`, `refs/heads/${branch}`].sort());
    const opened = (await pulls(`state=all&head=${DEMO.project}:${encodeURIComponent(branch)}`)).filter(p => p.number > older);
    expect(opened.map(p => [p.number, p.state])).toEqual([[result.pullRequest!.number, 'open']]);
    expect((await openLubanPulls()).map(p => p.number)).toEqual([opened[0].number]);
    const closed = (await (await github(`${API}/pulls/${older}`)).json()) as Pull;
    expect(closed.state).toBe('closed');
    expect(closed.body).toMatch(new RegExp(`^Superseded by ${opened[0].html_url.replace(/[.?]/g, '\\$&')} `));
    expect(closed.body).toContain('What it proposed');
    const main = (await emulator.git.resolve(GITOPS, 'main'))!;
    const head = (await emulator.git.resolve(GITOPS, branch))!;
    expect(await emulator.git.changedFiles(GITOPS, main, head)).toEqual([{ status: 'M', path: scenario.overlay }]);
    expect(await emulator.git.log(GITOPS, branch)).toHaveLength((await emulator.git.log(GITOPS, 'main')).length + 1);
  }

  it.each(SCENARIOS.map(s => [s.name, s] as const))('a clean %s makes each of its six writes once and shows its PR', async (_name, scenario) => {
    const older = await reset(scenario);

    const response = await ask(scenario);

    expect(response.status).toBe(200);
    const writes = emulator.requests.mutating('github').map(r => [r.method, r.path.split('?')[0]]);
    expect(writes).toEqual(points(scenario, older).map(([, method, path]) => [method, path]));
    await expectConverged(scenario, older, response.body);
    const state = (await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner))
      .body as LubanPromotionState;
    expect(state.environments.find(e => e.name === scenario.env)?.pullRequest?.number).toBe(response.body.pullRequest.number);
  });

  const cases = SCENARIOS.flatMap(scenario =>
    POINT_NAMES.flatMap(point => KINDS.map(kind => [scenario.name, point, String(kind), scenario, kind] as const)),
  );

  it.each(cases)('%s: a failure to %s (%s) fails the request, and asking again converges', async (_s, point, _k, scenario, kind) => {
    const older = await reset(scenario);
    const [, method, path] = points(scenario, older).find(([name]) => name === point)!;
    const exact = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const restore = emulator.faults.fail({ system: 'github', method, path: exact, nth: 1, status: kind });

    const failed = await ask(scenario);

    restore();
    expect(failed.status).not.toBe(200);
    expect(emulator.requests.mutating('github').filter(r => r.method === method && r.path.split('?')[0] === path).length).toBeLessThanOrEqual(1);
    hit.get(kind)!.add(`${scenario.name}: ${point}`);
    const retried = await ask(scenario);
    expect(retried.status).toBe(200);
    await expectConverged(scenario, older, retried.body);
  });

  it('hit every write point of promote and rollback with each kind of fault', () => {
    const counts = Object.fromEntries(KINDS.map(kind => [kind, hit.get(kind)!.size]));
    expect(counts).toEqual({ 503: 12, reset: 12, lost: 12 });
    expect(new Set(KINDS.flatMap(kind => [...hit.get(kind)!])).size).toBe(12);
  });
});
