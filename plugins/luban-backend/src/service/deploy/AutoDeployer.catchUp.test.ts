import { ConfigReader } from '@backstage/config';
import type { KubernetesObject } from '@kubernetes/client-node';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { ciNamespaceName, kpackImageName } from '@luban-backstage/plugin-luban-common';
import { LubanClusters, setOverlayImage, toKpackBuild, type KpackBuild } from '@luban-backstage/plugin-luban-node';
import { emulatorConfig, recordDemoProject, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilGit, watchedRootLogger, type LoggedLine } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const CI_NAMESPACE = ciNamespaceName(DEMO.project);

/** Everything jest can fake but Date: the downtime's clock moves on while the emulator's and the clients' timers run as ever. */
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

async function startBackend(emulator: RunningEmulator): Promise<Backend> {
  const logs = watchedRootLogger();
  return { ...(await startLubanBackend({ emulator, features: [logs.factory] })), logs };
}

function demoBuilds(emulator: RunningEmulator): KpackBuild[] {
  return emulator.kubernetes
    .list('builds', CI_NAMESPACE)
    .map(object => toKpackBuild(object as KubernetesObject))
    .filter(build => build.image === kpackImageName(DEMO.app))
    .sort((a, b) => b.number - a.number);
}

/**
 * Triggers a kpack build while no luban runs (as kpack would on a push) and
 * waits for the cluster to report it succeeded. The downtime lasts: the
 * clock is moved on past the second of the overlay's last commit (both are
 * timed to the second) rather than waited for.
 */
async function buildWhileDown(emulator: RunningEmulator, options: { clockMovesOn: boolean }): Promise<KpackBuild> {
  const newest = demoBuilds(emulator)[0].number;
  const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
  if (options.clockMovesOn) jest.useFakeTimers({ doNotFake: REAL_TIMERS, now: Date.now() + 1_100 });
  try {
    await gateway.triggerBuild(CI_NAMESPACE, kpackImageName(DEMO.app));
    await emulator.kubernetes.store.waitFor(() => demoBuilds(emulator).some(b => b.number > newest && b.status !== 'running'));
  } finally {
    jest.useRealTimers();
  }
  const build = demoBuilds(emulator)[0];
  expect(build.status).toBe('succeeded');
  return build;
}

async function overlay(emulator: RunningEmulator) {
  return (await emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))?.content.toString('utf8') ?? '';
}

async function sndCommits(emulator: RunningEmulator) {
  return emulator.git.log(GITOPS, 'main', { path: SND_OVERLAY });
}

/** A replica's catch-up pass decided on the demo app's newest Build (other Images of the seed name no app in this catalog). */
const passCompleted = (lines: LoggedLine[]) =>
  lines.some(
    l =>
      l.message === 'Auto-deploy caught up' &&
      (l.meta.decided as string[]).includes(`${CI_NAMESPACE}/${kpackImageName(DEMO.app)}`),
  );

describe('auto-deploy catches up after downtime', () => {
  let emulator: RunningEmulator;
  const backends: Backend[] = [];

  beforeEach(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
  });

  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop()));
    await emulator.stop();
  });

  it('deploys to snd a Build that finished while the backend was stopped, once it starts again', async () => {
    // A backend ran, and stops: luban is down.
    await (await startBackend(emulator)).stop();
    const commitsBefore = await sndCommits(emulator);

    const build = await buildWhileDown(emulator, { clockMovesOn: true });
    expect(await overlay(emulator)).not.toContain(build.digest!);
    const after = await startBackend(emulator);
    backends.push(after);

    const deployed = await untilGit(emulator, async () => {
      const content = await overlay(emulator);
      return content.includes(build.digest!) ? content : undefined;
    });
    expect(deployed).toContain(`digest: ${build.digest}`);
    await after.logs.waitFor(passCompleted);
    const commits = await sndCommits(emulator);
    expect(commits.length - commitsBefore.length).toBe(1);
    expect(commits[0].message).toContain(`Deploy ${DEMO.app} build ${build.number} to snd`);
    expect(after.logs.withMessage('Auto-deployed')).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ build: build.number, caughtUp: true, finishedAt: build.finishedAt }) }),
    ]);
  }, 60_000);

  it('commits once when two replicas start after the downtime', async () => {
    const commitsBefore = await sndCommits(emulator);
    const build = await buildWhileDown(emulator, { clockMovesOn: true });
    // Recorded before both start, so that the two set-ups do not race to write the project's record.
    await recordDemoProject(emulator);
    backends.push(...(await Promise.all([startBackend(emulator), startBackend(emulator)])));

    // Count once each replica has decided on the Build.
    await Promise.all(backends.map(backend => backend.logs.waitFor(passCompleted)));
    expect(await overlay(emulator)).toContain(`digest: ${build.digest}`);
    const commits = await sndCommits(emulator);
    expect(commits.length - commitsBefore.length).toBe(1);
    expect(commits[0].message).toContain(`Deploy ${DEMO.app} build ${build.number} to snd`);
    const reports = backends.flatMap(b => b.logs.lines).filter(l => l.message.startsWith('Auto-deploy') && l.meta.build === build.number);
    // Each names the one commit (the replica whose compare-and-set lost may report the winner's commit as its own).
    expect(new Set(reports.filter(l => l.message === 'Auto-deployed').map(l => l.meta.commit)).size).toBe(1);
    expect(backends.flatMap(b => b.logs.withMessage('Auto-deploy failed'))).toEqual([]);
  }, 60_000);

  it('leaves alone a rollback committed after the newest Build finished', async () => {
    const [previous] = demoBuilds(emulator);
    const build = await buildWhileDown(emulator, { clockMovesOn: false });
    // Someone deployed the new Build by hand, then rolled snd back to the previous one: both commits come after the Build finished.
    const image = (digest: string) => ({ name: DEMO.app, newName: build.latestImage!.split('@')[0], digest });
    for (const [digest, message] of [
      [build.digest!, `Deploy build ${build.number}`],
      [previous.digest!, `Roll back to build ${previous.number}`],
    ]) {
      const head = await emulator.git.resolve(GITOPS, 'main');
      const content = setOverlayImage(await overlay(emulator), image(digest), SND_OVERLAY).content;
      await emulator.git.commit(GITOPS, { branch: 'main', expectedSha: head, message, changes: [{ path: SND_OVERLAY, content }] });
    }
    const commitsBefore = await sndCommits(emulator);

    const backend = await startBackend(emulator);
    backends.push(backend);
    await backend.logs.waitFor(passCompleted);

    expect(backend.logs.withMessage('Auto-deploy left a Build alone: the overlay changed after it finished')).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ build: build.number, overlayDigest: previous.digest }) }),
    ]);
    expect(await sndCommits(emulator)).toEqual(commitsBefore);
    expect(await overlay(emulator)).toContain(`digest: ${previous.digest}`);
  }, 60_000);
});
