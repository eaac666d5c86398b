import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanBuildList } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilGit, untilServed, watchedRootLogger } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;
const PRD_OVERLAY = `apps/${DEMO.app}/overlays/prd/kustomization.yaml`;

type Backend = Awaited<ReturnType<typeof startLubanBackend>> & { logs: ReturnType<typeof watchedRootLogger> };

/** A backend whose log the test reads: each replica reports what it did with each Build. */
async function startBackend(emulator: RunningEmulator): Promise<Backend> {
  const logs = watchedRootLogger();
  return { ...(await startLubanBackend({ emulator, features: [logs.factory] })), logs };
}

async function overlay(emulator: RunningEmulator, path: string, branch = 'main') {
  return (await emulator.git.readFile(GITOPS, branch, path))?.content.toString('utf8') ?? '';
}

/** Rebuilds the demo app through luban and waits for kpack's new Build to succeed. */
async function rebuildAndWait(backend: Backend) {
  const before = await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds`).set('Authorization', backend.owner);
  const known = new Set((before.body as LubanBuildList).builds.map(b => b.name));
  const rebuild = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.owner);
  expect(rebuild.status).toBe(202);
  // As luban serves it, from its own cache of the cluster's Builds.
  return untilServed(async () => {
    const list = await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds`).set('Authorization', backend.owner);
    const build = (list.body as LubanBuildList).builds.find(b => !known.has(b.name));
    return build?.status === 'succeeded' ? build : undefined;
  });
}

describe('auto-deploy to the first environment', () => {
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

  it('commits a succeeded Build’s digest to the snd overlay exactly once, with two backend replicas', async () => {
    backends.push(await startBackend(emulator), await startBackend(emulator));
    const prdBefore = await overlay(emulator, PRD_OVERLAY);
    const commitsBefore = await emulator.git.log(GITOPS, 'main', { path: SND_OVERLAY });

    const build = await rebuildAndWait(backends[0]);

    const deployed = await untilGit(emulator, async () => {
      const content = await overlay(emulator, SND_OVERLAY);
      return content.includes(build.digest!) ? content : undefined;
    });
    expect(deployed).toContain(`digest: ${build.digest}`);
    // Both replicas saw the Build succeed: count once each has reported what it did with it.
    const reportsOf = (backend: Backend) =>
      backend.logs.lines.filter(l => l.message.startsWith('Auto-deploy') && l.meta.build === build.number).map(l => l.message);
    await Promise.all(backends.map(backend => backend.logs.waitFor(() => reportsOf(backend).length > 0)));
    // The replica whose compare-and-set lost may report the winner's commit as its own (GitOpsWriter returns the head
    // when its edit changes nothing): the commits, not the log lines, say it happened once.
    expect(backends.map(reportsOf).flat()).toEqual(expect.arrayContaining(['Auto-deployed']));
    const commits = await emulator.git.log(GITOPS, 'main', { path: SND_OVERLAY });
    expect(commits.length - commitsBefore.length).toBe(1);
    expect(commits[0].message).toContain(`Deploy ${DEMO.app} build ${build.number} to snd`);
    // Only snd moves; prd waits for a promotion.
    expect(await overlay(emulator, PRD_OVERLAY)).toBe(prdBefore);
  });

  it('shows snd Synced at the new digest at once and lets it be promoted, with Argo CD at its default 120 s reconciliation', async () => {
    // The emulator's Argo CD reads git every 120 s (plus jitter) as Argo CD does: only luban's refresh makes this quick.
    backends.push(await startBackend(emulator));
    const build = await rebuildAndWait(backends[0]);

    const sndApplication = () => emulator.kubernetes.list('applications', 'argocd').find(a => a.metadata.name === `snd-${DEMO.project}-${DEMO.app}`);
    await emulator.kubernetes.store.waitFor(() => {
      const app = sndApplication();
      const images: string[] = app?.status?.summary?.images ?? [];
      const synced = app?.status?.sync?.status === 'Synced' && app.status.health?.status === 'Healthy';
      return synced && images.some(image => image.endsWith(`@${build.digest}`));
    });
    const snd = sndApplication();
    expect(snd!.status.sync.revision).toBe(await emulator.git.resolve(GITOPS, 'main'));
    expect(snd!.metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();

    // The promotion gate reads the same: snd is Synced and Healthy, so snd → prd is allowed.
    // As luban serves it, from its own caches.
    const promotion = await untilServed(async () => {
      const response = await request(backends[0].server)
        .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
        .set('Authorization', backends[0].owner)
        .send({ from: 'snd', to: 'prd', dryRun: true });
      return response.body.toDigest === build.digest ? response.body : undefined;
    });
    expect(promotion.gates.filter((g: { passed: boolean }) => !g.passed)).toEqual([]);
    expect(promotion.allowed).toBe(true);
    // A build, Argo CD's sync and a promotion on a busy machine: more than jest's default 30 s.
  }, 60_000);

  it('opens a pull request instead when the GitOps branch only takes pull requests', async () => {
    backends.push(await startBackend(emulator));
    const protect = await fetch(`${emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/branches/main/protection`, {
      method: 'PUT',
      headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      }),
    });
    expect(protect.status).toBe(200);
    const sndBefore = await overlay(emulator, SND_OVERLAY);

    const build = await rebuildAndWait(backends[0]);

    // luban reports the pull request it opened; then the git host lists it.
    await backends[0].logs.waitFor(() => backends[0].logs.withMessage('Auto-deploy pull request opened').length > 0);
    const response = await fetch(`${emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls`, {
      headers: { Authorization: `token ${emulator.token}` },
    });
    const pulls = (await response.json()) as Array<{ title: string; head: { ref: string } }>;
    expect(pulls).toHaveLength(1);
    expect(pulls[0].title).toBe(`Deploy ${DEMO.app} build ${build.number} to snd`);
    expect(await overlay(emulator, SND_OVERLAY, pulls[0].head.ref)).toContain(`digest: ${build.digest}`);
    // main is untouched until someone merges.
    expect(await overlay(emulator, SND_OVERLAY)).toBe(sndBefore);
  });
});
