import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanBuildList, LubanChangeResult, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from './__testUtils__/lubanBackend';
import { untilServed } from './__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;
/** The cluster-wide kpack Build collection luban lists and watches (not the namespaced one rebuilds use). */
const BUILD_COLLECTION = /^\/apis\/kpack\.io\/v1alpha2\/builds$/;

type Backend = Awaited<ReturnType<typeof startLubanBackend>>;

/**
 * The platform fails under luban in the ways it does in production: the
 * Kubernetes watch drops and cannot come back for a while, the git host
 * answers 5xx, Harbor goes down. Users get a degraded answer, not a 500;
 * luban recovers on its own once the fault clears; nothing is half-written.
 */
describe('luban while the platform fails', () => {
  let emulator: RunningEmulator;

  beforeEach(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
  });
  afterEach(async () => {
    await emulator.stop();
  });

  async function withBackend(run: (backend: Backend) => Promise<void>, config = {}) {
    const backend = await startLubanBackend({ emulator, config });
    try {
      await run(backend);
    } finally {
      await backend.stop();
    }
  }

  const get = (backend: Backend, path: string) =>
    request(backend.server).get(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.owner);
  const post = (backend: Backend, path: string, body: object) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.owner).send(body);
  const buildNumbers = async (backend: Backend) => {
    const response = await get(backend, 'builds');
    expect(response.status).toBe(200);
    return (response.body as LubanBuildList).builds.map(b => b.number);
  };
  const kpackBuilds = () =>
    emulator.kubernetes.list('builds', `ci-${DEMO.project}`).filter(b => b.metadata.labels?.['image.kpack.io/image'] === DEMO.app);
  const branches = async (prefix: string) =>
    [...(await emulator.git.refs(GITOPS)).keys()].filter(ref => ref.startsWith(`refs/heads/${prefix}`));
  const openPulls = async () => {
    const response = await fetch(`${emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls?state=all`, {
      headers: { Authorization: `token ${emulator.token}` },
    });
    return (await response.json()) as Array<{ number: number; head: { ref: string } }>;
  };

  it('serves builds from its cache while the Kubernetes watch is down, and catches up by itself once it is back', async () => {
    await withBackend(async backend => {
      expect(await buildNumbers(backend)).toEqual([2, 1]);

      // The watch drops and every attempt to watch or list again fails.
      const restore = emulator.faults.fail({ system: 'kubernetes', path: BUILD_COLLECTION, status: 503, times: Infinity });
      emulator.kubernetes.dropWatches();
      const rebuild = await post(backend, 'builds/rebuild', {});
      expect(rebuild.status).toBe(202);
      await emulator.settled();
      expect(kpackBuilds()).toHaveLength(3);
      // luban has tried to read the Builds again, and been refused, twice: a retry after a refusal.
      const refused = () => emulator.requests.entries('kubernetes').filter(r => BUILD_COLLECTION.test(r.path.split('?')[0]) && r.status === 503);
      await emulator.requests.waitFor(() => refused().length >= 2);

      expect(await buildNumbers(backend)).toEqual([2, 1]);

      restore();
      // As luban serves it, from its cache, once its watch is back.
      expect(await untilServed(async () => ((await buildNumbers(backend)).length === 3 ? true : undefined))).toBe(true);
      expect(await buildNumbers(backend)).toEqual([3, 2, 1]);
    }, { luban: { gitops: { autoDeploy: 'off' } } });
  });

  it('answers 503 naming the cluster when it has never reached Kubernetes, and serves the builds and promotions once the cluster is back', async () => {
    const restore = emulator.faults.fail({ system: 'kubernetes', path: '', status: 'reset', times: Infinity });
    await withBackend(async backend => {
      const down = await get(backend, 'builds');
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining("Kubernetes cluster 'emulator'") });

      // The project's record lives on the cluster: without it luban cannot tell whose app this is, so it shows nothing.
      const promotion = await get(backend, 'promotion');
      expect(promotion.status).toBe(503);
      expect(promotion.body.error).toMatchObject({ name: 'ServiceUnavailableError', message: expect.stringContaining("Kubernetes cluster 'emulator'") });

      restore();
      expect(await buildNumbers(backend)).toEqual([2, 1]);
      const recovered = (await get(backend, 'promotion')).body as LubanPromotionState;
      expect(recovered.environments.map(env => env.problems)).toEqual([undefined, undefined]);
    });
  });

  it('shows what it cannot read from the git host as problems, not a 500, and recovers when the host answers again', async () => {
    await withBackend(async backend => {
      expect((await get(backend, 'promotion')).status).toBe(200);
      const restore = emulator.faults.fail({ system: 'github', path: '', status: 503, times: Infinity });

      const degraded = await get(backend, 'promotion');

      expect(degraded.status).toBe(200);
      const state = degraded.body as LubanPromotionState;
      for (const env of state.environments) {
        // The overlay and the open pull requests (listed from the host) are read at once: either may fail first.
        expect({ env: env.name, problems: [...(env.problems ?? [])].sort() }).toEqual({
          env: env.name,
          problems: [
            expect.stringMatching(/^The open pull request could not be read: GitHub at .* could not list the open pull requests .* \(503\)/),
            expect.stringMatching(/^The overlay could not be read: GitHub at .* could not read .* \(503\)/),
          ],
        });
        // What the cluster says is still shown.
        expect(env.argoCd).toMatchObject({ syncStatus: 'Synced' });
      }
      const history = await get(backend, 'promotion/snd/history');
      expect(history.status).toBe(503);
      expect(history.body.error.name).toBe('ServiceUnavailableError');

      restore();
      const recovered = (await get(backend, 'promotion')).body as LubanPromotionState;
      expect(recovered.environments.map(env => [env.name, env.problems, Boolean(env.digest)])).toEqual([
        ['snd', undefined, true],
        ['prd', undefined, true],
      ]);
    });
  });

  it.each([
    ['creating the branch', 'POST', /\/git\/refs$/],
    ['writing the overlay commit', 'POST', /\/git\/commits$/],
    ['moving the branch to the commit', 'PATCH', /\/git\/refs\/heads%2F/],
    ['opening the pull request', 'POST', /\/pulls$/],
  ])('fails a promotion whose git host fails while %s with 503, and the same promotion later converges on one branch and one pull request', async (_step, method, path) => {
    await withBackend(async backend => {
      const mainBefore = await emulator.git.resolve(GITOPS, 'main');
      const restore = emulator.faults.fail({ system: 'github', method, path, status: 503, times: Infinity });

      const failed = await post(backend, 'promotion/promote', { from: 'snd', to: 'prd' });

      expect(failed.status).toBe(503);
      expect(failed.body.error.message).toMatch(/^GitHub at .* \(503\)/);
      expect(await emulator.git.resolve(GITOPS, 'main')).toBe(mainBefore);

      restore();
      const retried = await post(backend, 'promotion/promote', { from: 'snd', to: 'prd' });
      expect(retried.status).toBe(200);
      const result = retried.body as LubanChangeResult;
      expect(await branches('luban/promote/')).toEqual([`refs/heads/${result.branch}`]);
      expect((await openPulls()).filter(p => p.head.ref === result.branch)).toHaveLength(1);
      const head = await emulator.git.resolve(GITOPS, result.branch!);
      expect(await emulator.git.changedFiles(GITOPS, mainBefore!, head!)).toEqual([{ status: 'M', path: PRD_OVERLAY }]);
      expect(await emulator.git.log(GITOPS, result.branch!, { path: PRD_OVERLAY })).toHaveLength(
        (await emulator.git.log(GITOPS, 'main', { path: PRD_OVERLAY })).length + 1,
      );
    });
  });

  it('keeps answering while Harbor is down: builds without registry links, promotion with the scan as a problem, gates that refuse', async () => {
    const restore = emulator.faults.fail({ system: 'harbor', path: '', status: 'reset', times: Infinity });
    await withBackend(async backend => {
      const builds = await get(backend, 'builds');
      expect(builds.status).toBe(200);
      expect((builds.body as LubanBuildList).builds.map(b => [b.number, b.status, b.registryUrl])).toEqual([
        [2, 'succeeded', undefined],
        [1, 'succeeded', undefined],
      ]);

      const promotion = await get(backend, 'promotion');
      expect(promotion.status).toBe(200);
      for (const env of (promotion.body as LubanPromotionState).environments) {
        expect({ env: env.name, vulnerabilities: env.vulnerabilities, problems: env.problems }).toEqual({
          env: env.name,
          vulnerabilities: undefined,
          problems: [expect.stringMatching(/^The vulnerability scan could not be read: Harbor/)],
        });
      }

      emulator.requests.clear();
      const promote = await post(backend, 'promotion/promote', { from: 'snd', to: 'prd' });
      expect(promote.status).toBe(200);
      const result = promote.body as LubanChangeResult;
      expect(result.allowed).toBe(false);
      expect(result.gates.find(g => g.gate === 'vulnerabilities')).toMatchObject({ passed: false, reason: expect.stringMatching(/Harbor/) });
      expect(result.pullRequest).toBeUndefined();
      expect(emulator.requests.mutating()).toEqual([]);

      restore();
      const recovered = (await get(backend, 'promotion')).body as LubanPromotionState;
      expect(recovered.environments.map(env => [env.name, env.problems, env.vulnerabilities?.scanned])).toEqual([
        ['snd', undefined, true],
        ['prd', undefined, true],
      ]);
    });
  });
});
