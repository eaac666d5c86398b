import { ConfigReader } from '@backstage/config';
import type { KubernetesObject } from '@kubernetes/client-node';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type FaultRule, type RequestRecord, type RunningEmulator } from '@luban-backstage/emulator';
import { ciNamespaceName, kpackImageName } from '@luban-backstage/plugin-luban-common';
import { LubanClusters, toKpackBuild, type KpackBuild } from '@luban-backstage/plugin-luban-node';
import request from 'supertest';
import { DEMO_ENTITY_PATH, emulatorConfig, recordDemoProject, startLubanBackend } from './__testUtils__/lubanBackend';
import { watchedRootLogger, type LoggedLine } from './__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const CI_NAMESPACE = ciNamespaceName(DEMO.project);

/** The three ways a write fails (issue 19): refused, timed out before it applied, applied with its answer lost. */
const FAULT_KINDS = [
  ['refused', 503],
  ['timedOut', 'reset'],
  ['lost', 'lost'],
] as const;
type FaultCounts = { points: number; refused: number; timedOut: number; lost: number };

/** Everything jest can fake but Date, as in AutoDeployer.catchUp.test.ts: a Build's completion is moved past the overlay's last commit (both to the second). */
const REAL_TIMERS: Extract<Parameters<typeof jest.useFakeTimers>[0], { doNotFake?: unknown }>['doNotFake'] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

type Backend = Awaited<ReturnType<typeof startLubanBackend>> & { logs: ReturnType<typeof watchedRootLogger> };

/** A RegExp matching exactly this path (without its query), as the emulator's fault rules match paths. */
const exactPath = (path: string) => new RegExp(`^${path.split('?')[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

/** Each mutating call of a clean run, with its occurrence among the run's identical calls (the emulator's `nth`). */
function writePoints(calls: RequestRecord[]) {
  const seen = new Map<string, number>();
  return calls.map(call => {
    const key = `${call.system} ${call.method} ${call.path.split('?')[0]}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    return { call, nth, where: `${key} #${nth}` };
  });
}

/**
 * A rebuild and an auto-deploy when one of their writes fails, each write
 * in turn and in each of the three ways (issue 19): the user's retry of the
 * rebuild gives exactly one new Build; the auto-deploy ends with exactly one
 * commit of the Build's digest, by its live path or by the catch-up pass a
 * (re)started backend runs (AutoDeployer.ts, catchUpDecision.ts).
 */
describe('rebuild and auto-deploy when a write fails', () => {
  let emulator: RunningEmulator;
  let backend: Backend | undefined;

  const demoBuilds = (): KpackBuild[] =>
    emulator.kubernetes
      .list('builds', CI_NAMESPACE)
      .map(object => toKpackBuild(object as KubernetesObject))
      .filter(build => build.image === kpackImageName(DEMO.app))
      .sort((a, b) => b.number - a.number);
  const faultMet = (call: RequestRecord, path: RegExp, nth: number) =>
    emulator.requests.entries(call.system).filter(r => r.method === call.method && path.test(r.path.split('?')[0])).length >= nth;

  async function startBackend(config = {}): Promise<Backend> {
    const logs = watchedRootLogger();
    return { ...(await startLubanBackend({ emulator, config, features: [logs.factory] })), logs };
  }
  async function stopBackend() {
    await backend?.stop();
    backend = undefined;
  }

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    await recordDemoProject(emulator);
  }, 60_000);
  afterAll(async () => {
    await stopBackend();
    await emulator.stop();
  });

  it('gives one new Build when a rebuild whose write failed is asked for again', async () => {
    backend = await startBackend({ luban: { gitops: { autoDeploy: 'off' } } });
    // Long enough that the Build a lost write started still runs when the user asks again (a click, not seconds, later).
    emulator.setBuildStepMs(500);
    const rebuild = () => request(backend!.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend!.owner);
    /** Asks once (or twice), waits until kpack has nothing left to do, and answers what the user then sees. */
    const newBuilds = async (before: number) => {
      await emulator.settled();
      return demoBuilds()
        .filter(b => b.number > before)
        .map(b => ({ reasons: b.reasons, status: b.status }));
    };

    const cleanBefore = demoBuilds()[0].number;
    emulator.requests.clear();
    expect((await rebuild()).status).toBe(202);
    const points = writePoints(emulator.requests.mutating());
    expect(await newBuilds(cleanBefore)).toEqual([{ reasons: ['TRIGGER'], status: 'succeeded' }]);

    const counts: FaultCounts = { points: points.length, refused: 0, timedOut: 0, lost: 0 };
    for (const { call, nth, where } of points) {
      for (const [kind, status] of FAULT_KINDS) {
        const [latest] = demoBuilds();
        emulator.requests.clear();
        // The same write: the annotation on the Build that is now the latest.
        const path = exactPath(call.path.replace(/\/builds\/[^/]+$/, `/builds/${latest.name}`));
        const remove = emulator.faults.fail({ system: call.system, method: call.method, path, nth, status });
        const failed = await rebuild();
        remove();
        const again = await rebuild();
        expect({ where, kind, met: faultMet(call, path, nth), failed: failed.status >= 500, again: again.status }).toEqual({
          where,
          kind,
          met: true,
          failed: true,
          again: 202,
        });
        expect({ where, kind, builds: await newBuilds(latest.number) }).toEqual({ where, kind, builds: [{ reasons: ['TRIGGER'], status: 'succeeded' }] });
        counts[kind]++;
      }
    }
    // The one write of a rebuild: the additionalBuildNeeded annotation on the latest Build.
    expect(counts).toEqual({ points: 1, refused: 1, timedOut: 1, lost: 1 });
    emulator.setBuildStepMs(20);
    await stopBackend();
  }, 120_000);

  describe('auto-deploy', () => {
    /** The writes of a clean auto-deploy: the overlay commit's tree, the commit, the branch moved to it (compare-and-set). */
    const WRITES = [
      ['POST', '/git/trees'],
      ['POST', '/git/commits'],
      ['PATCH', '/git/refs/heads%2Fmain'],
    ] as const;
    const gitopsApi = `/api/v3/repos/${DEMO.project}/${DEMO.project}-gitops`;
    let points: ReturnType<typeof writePoints> = [];
    const counts: FaultCounts = { points: 0, refused: 0, timedOut: 0, lost: 0 };
    let removeFault = () => {};

    const overlay = async () => (await emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))?.content.toString('utf8') ?? '';
    const branches = async () => [...(await emulator.git.refs(GITOPS)).keys()].filter(ref => ref.startsWith('refs/heads/'));
    const reported = (build: KpackBuild) => (lines: LoggedLine[]) =>
      lines.some(
        l =>
          (l.message.startsWith('Auto-deploy') && l.meta.build === build.number) ||
          (l.message === 'Auto-deploy failed' && l.meta.build === `${build.namespace}/${build.name}`),
      );
    /** Builds the app again, as a push would (the clock moved past the overlay's last commit), and waits for luban's report on it. */
    async function buildAndDeploy(fault?: FaultRule) {
      const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
      const newest = demoBuilds()[0].number;
      jest.useFakeTimers({ doNotFake: REAL_TIMERS, now: Date.now() + 1_100 });
      try {
        await gateway.triggerBuild(CI_NAMESPACE, kpackImageName(DEMO.app));
        emulator.requests.clear();
        // Faults only luban's writes from here on, not the trigger above.
        if (fault) removeFault = emulator.faults.fail(fault);
        await emulator.kubernetes.store.waitFor(() => demoBuilds().some(b => b.number > newest && b.status !== 'running'));
      } finally {
        jest.useRealTimers();
      }
      const build = demoBuilds()[0];
      expect(build.status).toBe('succeeded');
      await backend!.logs.waitFor(reported(build));
      removeFault();
      return build;
    }
    /** What a user sees: whether snd runs the Build, how many commits deployed it, the GitOps branches. */
    const deployment = async (build: KpackBuild) => ({
      overlayHasDigest: (await overlay()).includes(`digest: ${build.digest}`),
      commits: (await emulator.git.log(GITOPS, 'main', { path: SND_OVERLAY })).filter(c =>
        c.message.startsWith(`Deploy ${DEMO.app} build ${build.number} to snd`),
      ).length,
      branches: await branches(),
    });

    let clean: KpackBuild;
    beforeAll(async () => {
      backend = await startBackend();
      clean = await buildAndDeploy();
      points = writePoints(emulator.requests.mutating());
    }, 60_000);

    it('commits a Build once, in three writes, when nothing fails', async () => {
      expect(await deployment(clean)).toEqual({ overlayHasDigest: true, commits: 1, branches: ['refs/heads/main'] });
      expect(points.map(p => `${p.call.system} ${p.call.method} ${p.call.path}`)).toEqual(WRITES.map(([method, path]) => `github ${method} ${gitopsApi}${path}`));
    });

    // One test per write point: a backend restart per fault outlasts one test's timeout on a loaded machine.
    it.each(WRITES)('commits a Build once when its %s %s fails in any of three ways', async (method, suffix) => {
      const { call, nth, where } = points.find(p => p.call.method === method && p.call.path === `${gitopsApi}${suffix}`)!;
      counts.points++;
      for (const [kind, status] of FAULT_KINDS) {
        if (!backend) backend = await startBackend();
        const path = exactPath(call.path);
        const build = await buildAndDeploy({ system: call.system, method: call.method, path, nth, status });
        expect({ where, kind, met: faultMet(call, path, nth) }).toEqual({ where, kind, met: true });
        if (!(await deployment(build)).overlayHasDigest) {
          // The live path gave up: a restarted backend's first catch-up pass decides on the Build.
          await stopBackend();
          backend = await startBackend();
          await backend.logs.waitFor(lines =>
            lines.some(l => l.message === 'Auto-deploy caught up' && (l.meta.decided as string[]).includes(`${CI_NAMESPACE}/${kpackImageName(DEMO.app)}`)),
          );
        }
        expect({ where, kind, ...(await deployment(build)) }).toEqual({ where, kind, overlayHasDigest: true, commits: 1, branches: ['refs/heads/main'] });
        counts[kind]++;
      }
    }, 180_000);

    it('faulted each write point in each of the three ways', () => {
      expect(counts).toEqual({ points: 3, refused: 3, timedOut: 3, lost: 3 });
    });
  });
});
