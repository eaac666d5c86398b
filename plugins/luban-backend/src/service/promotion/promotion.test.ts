import { DEMO } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanEnvironmentState, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;

describe('promotion through the GitOps repository', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  /** The demo's two build digests, by build number. */
  let build1: string;
  let build2: string;

  beforeAll(async () => {
    backend = await startLubanBackend();
    const builds = backend.emulator.kubernetes
      .list('builds', `ci-${DEMO.project}`)
      .sort((a, b) => Number(a.metadata.labels?.['image.kpack.io/buildNumber']) - Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
    [build1, build2] = builds.map(b => String(b.status?.latestImage).split('@')[1]);
  });
  afterAll(() => backend?.stop());

  const get = (path: string) => request(backend.server).get(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.owner);
  const post = (path: string, body: object) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.owner).send(body);

  async function pullRequests(head: string): Promise<Array<{ number: number; title: string; body: string; head: { ref: string } }>> {
    const response = await fetch(
      `${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls?state=all&per_page=100`,
      { headers: { Authorization: `token ${backend.emulator.token}` } },
    );
    const pulls = (await response.json()) as Array<{ number: number; title: string; body: string; head: { ref: string } }>;
    return pulls.filter(p => p.head.ref === head);
  }

  async function branches(prefix: string) {
    return [...(await backend.emulator.git.refs(GITOPS)).keys()].filter(ref => ref.startsWith(`refs/heads/${prefix}`));
  }

  it('shows which build runs where, with Argo CD, scans and what is behind', async () => {
    const response = await get('promotion');

    expect(response.status).toBe(200);
    const state = response.body as LubanPromotionState;
    expect(state.gitopsRepo).toBe(`${backend.emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops`);
    const [snd, prd] = state.environments;
    expect(snd).toMatchObject({
      name: 'snd',
      overlayPath: SND_OVERLAY,
      digest: build2,
      image: expect.stringMatching(new RegExp(`/${DEMO.project}/${DEMO.app}@${build2}$`)),
      build: { number: 2, revision: expect.stringMatching(/^[0-9a-f]{40}$/), commitUrl: expect.stringContaining(`/${DEMO.project}/${DEMO.app}/commit/`) },
      deployedAt: expect.any(String),
      argoCd: { application: `snd-${DEMO.project}-${DEMO.app}`, syncStatus: 'Synced', healthStatus: 'Healthy', revision: expect.any(String) },
      vulnerabilities: { critical: 0, scanned: true },
    });
    expect(snd.behindSource).toBeUndefined();
    expect(prd).toMatchObject<Partial<LubanEnvironmentState>>({
      name: 'prd',
      promotesFrom: 'snd',
      overlayPath: PRD_OVERLAY,
      digest: build1,
      build: expect.objectContaining({ number: 1 }),
      argoCd: expect.objectContaining({ syncStatus: 'Synced', healthStatus: 'Healthy' }),
      behindSource: true,
    });
    expect(snd.problems).toBeUndefined();
    expect(prd.problems).toBeUndefined();
  });

  it('after a commit that leaves the app alone, reads only what changed: one comparison, no file, the same deploy dates', async () => {
    const before = (await get('promotion').expect(200)).body as LubanPromotionState;
    const gitops = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
    await backend.emulator.git.commit(gitops, {
      branch: 'main',
      expectedSha: await backend.emulator.git.resolve(gitops, 'main'),
      message: 'Deploy another app',
      changes: [{ path: 'apps/other-api/overlays/snd/kustomization.yaml', content: 'images: []\n' }],
      author: { name: 'luban', email: 'luban@luban.invalid' },
    });
    // Argo CD looks at the new commit too; the tests after this one expect it synced.
    await backend.emulator.settled();
    backend.emulator.requests.clear();

    const after = (await get('promotion').expect(200)).body as LubanPromotionState;

    expect(after.environments.map(env => [env.name, env.digest, env.deployedAt])).toEqual(
      before.environments.map(env => [env.name, env.digest, env.deployedAt]),
    );
    const github = backend.emulator.requests.entries('github').map(r => `${r.method} ${r.path.split('?')[0].split('/').slice(6, 7)} ${r.status}`);
    // The open pull requests are listed again too: conditionally, and unchanged.
    expect(github.sort()).toEqual(['GET commits 200', 'GET compare 200', 'GET pulls 304']);
  });

  it('answers a repeated view with two conditional requests for all environments: whether the GitOps branch moved, and its open pull requests', async () => {
    await get('promotion').expect(200);
    backend.emulator.requests.clear();

    await get('promotion').expect(200);

    const requests = backend.emulator.requests.entries().filter(r => !(r.system === 'kubernetes' && r.path.includes('watch=')));
    expect(requests.map(r => `${r.system} ${r.method} ${r.path.split('?')[0]} ${r.status}`).sort()).toEqual([
      `github GET /api/v3/repos/${DEMO.project}/${DEMO.project}-gitops/commits/main 304`,
      `github GET /api/v3/repos/${DEMO.project}/${DEMO.project}-gitops/pulls 304`,
    ]);
  });

  it('lists the versions snd ran, newest first, with their builds', async () => {
    const response = await get('promotion/snd/history');

    expect(response.status).toBe(200);
    expect(response.body.deployments).toEqual([
      expect.objectContaining({ digest: build2, current: true, build: expect.objectContaining({ number: 2 }), author: 'luban', message: `Deploy ${DEMO.app} build 2 to snd` }),
      expect.objectContaining({ digest: build1, current: false, build: expect.objectContaining({ number: 1 }), commitSha: expect.stringMatching(/^[0-9a-f]{40}$/) }),
    ]);
  });

  it('refuses a promotion along a path that is not configured', async () => {
    const response = await post('promotion/promote', { from: 'prd', to: 'snd', dryRun: true });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('snd is the first environment: nothing is promoted into it; it deploys new builds');
  });

  it('reports gates and the overlay diff of a dry run, and writes nothing', async () => {
    backend.emulator.requests.clear();

    const response = await post('promotion/promote', { from: 'snd', to: 'prd', dryRun: true });

    expect(response.status).toBe(200);
    const result = response.body as LubanChangeResult;
    expect(result).toMatchObject({ allowed: true, dryRun: true, fromDigest: build1, toDigest: build2, overlayPath: PRD_OVERLAY });
    expect(result.gates.map(g => [g.gate, g.passed])).toEqual([
      ['synced', true],
      ['healthy', true],
      ['build-succeeded', true],
      ['vulnerabilities', true],
      ['soak', true],
    ]);
    expect(result.gates[0].reason).toBe(`snd is Synced (snd-${DEMO.project}-${DEMO.app})`);
    expect(result.diff).toContain(`--- a/${PRD_OVERLAY}\n+++ b/${PRD_OVERLAY}\n@@`);
    expect(result.diff).toContain(`\n-    digest: ${build1}\n+    digest: ${build2}\n`);
    expect(result.diff.split('\n').filter(line => /^[-+][^-+]/.test(line))).toHaveLength(2);
    expect(result.commits).toEqual([{ sha: expect.stringMatching(/^[0-9a-f]{40}$/), url: expect.stringContaining('/commit/') }]);
    expect(result.pullRequest).toBeUndefined();
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('opens exactly one branch and one pull request for ten identical concurrent promotions', async () => {
    const mainBefore = await backend.emulator.git.resolve(GITOPS, 'main');
    backend.emulator.requests.clear();

    const responses = await Promise.all(Array.from({ length: 10 }, () => post('promotion/promote', { from: 'snd', to: 'prd' })));

    expect(responses.map(r => r.status)).toEqual(Array(10).fill(200));
    const results = responses.map(r => r.body as LubanChangeResult);
    const branch = `luban/promote/${DEMO.app}/prd/${build2.slice(7, 19)}`;
    expect(new Set(results.map(r => r.pullRequest?.number)).size).toBe(1);
    expect(results.filter(r => r.pullRequest?.reused === false)).toHaveLength(1);
    expect(results[0]).toMatchObject({ allowed: true, dryRun: false, branch, toDigest: build2 });
    expect(await branches('luban/promote/')).toEqual([`refs/heads/${branch}`]);
    const [pull] = await pullRequests(branch);
    expect(await pullRequests(branch)).toHaveLength(1);
    expect(pull.number).toBe(results[0].pullRequest!.number);
    expect(pull.title).toBe(`Promote ${DEMO.app} to prd (${build2.slice(7, 19)})`);
    expect(pull.body).toContain(`from \`${build1}\` (build #1)`);
    expect(pull.body).toContain(`to \`${build2}\` (build #2)`);
    expect(pull.body).toContain(`/${DEMO.project}/${DEMO.app}/compare/`);
    expect(pull.body).toContain('**synced**: snd is Synced');
    expect(pull.body).toContain('Requested by user:default/mock');

    // The branch changes the prd overlay only, to build 2's digest; main is untouched.
    const head = await backend.emulator.git.resolve(GITOPS, branch);
    expect(await backend.emulator.git.changedFiles(GITOPS, mainBefore!, head!)).toEqual([{ status: 'M', path: PRD_OVERLAY }]);
    const file = await backend.emulator.git.readFile(GITOPS, branch, PRD_OVERLAY);
    expect(file!.content.toString()).toContain(`digest: ${build2}`);
    expect(file!.content.toString()).toContain('# written by luban');
    expect(await backend.emulator.git.resolve(GITOPS, 'main')).toBe(mainBefore);
    const writes = backend.emulator.requests.mutating('github').map(r => `${r.method} ${r.path.split('?')[0]}`);
    expect(writes.filter(w => w.endsWith('/pulls'))).toHaveLength(1);
    expect(writes.filter(w => w.endsWith('/git/refs'))).toHaveLength(1);

    // The view shows the pull request it opened.
    const prd = ((await get('promotion')).body as LubanPromotionState).environments[1];
    expect(prd.pullRequest).toMatchObject({ number: pull.number, url: expect.stringContaining(`/pull/${pull.number}`) });
  });

  it('rolls snd back to build 1 in a pull request, keeping a change pushed to its branch meanwhile', async () => {
    const branch = `luban/rollback/${DEMO.app}/snd/${build1.slice(7, 19)}`;
    // Someone pushes to the branch as soon as luban creates it: luban's edit must go on top, not over it.
    let pushed: Promise<unknown> | undefined;
    const unsubscribe = backend.emulator.git.onRefUpdate(update => {
      if (update.repository === GITOPS && update.ref === `refs/heads/${branch}` && !pushed) {
        pushed = backend.emulator.git.commit(GITOPS, {
          branch,
          expectedSha: update.after,
          message: 'Note why',
          changes: [{ path: 'NOTES.md', content: 'rolled back because of the ledger bug\n' }],
        });
      }
    });
    try {
      const response = await post('promotion/rollback', { env: 'snd', toDigest: build1 });

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ allowed: true, gates: [], fromDigest: build2, toDigest: build1, branch, dryRun: false });
      await pushed;
      const file = await backend.emulator.git.readFile(GITOPS, branch, SND_OVERLAY);
      expect(file!.content.toString()).toContain(`digest: ${build1}`);
      expect((await backend.emulator.git.readFile(GITOPS, branch, 'NOTES.md'))?.content.toString()).toBe('rolled back because of the ledger bug\n');
      const [pull] = await pullRequests(branch);
      expect(pull).toMatchObject({ number: response.body.pullRequest.number, title: `Roll back ${DEMO.app} in snd to ${build1.slice(7, 19)}` });
    } finally {
      unsubscribe();
    }
  });

  it('refuses to roll back to a digest snd never ran, before writing anything', async () => {
    backend.emulator.requests.clear();

    const response = await post('promotion/rollback', { env: 'snd', toDigest: `sha256:${'e'.repeat(64)}` });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('never ran in snd');
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });
});
