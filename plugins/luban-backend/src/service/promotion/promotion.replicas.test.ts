import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { ConfigReader } from '@backstage/config';
import { LubanClusters, argoCdRefreshPatch } from '@luban-backstage/plugin-luban-node';
import { DEMO_ENTITY_PATH, emulatorConfig, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const API = `/repos/${DEMO.project}/${DEMO.project}-gitops`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;

type Backend = Awaited<ReturnType<typeof startLubanBackend>>;

interface Pull {
  number: number;
  state: string;
  title: string;
  body: string | null;
  html_url: string;
  head: { ref: string };
}

/**
 * Two backends on one git host, each with its own database and nothing
 * shared in memory, as two replicas (or one restarted) are: the open pull
 * request of an environment is the git host's, one per app and environment.
 */

/** What every replica says of a pull request nobody reviewed yet: prd asks one approval by default. */
const UNREVIEWED = { state: 'waiting', approvedBy: [], changesRequestedBy: [], requiredApprovals: 1 };
describe('promotion across replicas and restarts', () => {
  let emulator: RunningEmulator;
  let one: Backend;
  let two: Backend;
  let build1: string;
  let build2: string;

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 20, rolloutMs: 20 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    await seedDemo(emulator);
    [one, two] = await Promise.all([startLubanBackend({ emulator }), startLubanBackend({ emulator })]);
    const builds = emulator.kubernetes
      .list('builds', `ci-${DEMO.project}`)
      .sort((a, b) => Number(a.metadata.labels?.['image.kpack.io/buildNumber']) - Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
    [build1, build2] = builds.map(b => String(b.status?.latestImage).split('@')[1]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await emulator?.stop();
  });

  const post = (backend: Backend, path: string, body: object) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.owner).send(body);
  const prdPullRequest = async (backend: Backend) => {
    const response = await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner);
    expect(response.status).toBe(200);
    return (response.body as LubanPromotionState).environments.find(e => e.name === 'prd')?.pullRequest;
  };
  const github = async (path: string, init: { method?: string; body?: object } = {}) =>
    fetch(`${emulator.github.apiBaseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
      body: init.body && JSON.stringify(init.body),
    });
  const pull = async (number: number) => (await (await github(`${API}/pulls/${number}`)).json()) as Pull;
  const openLubanPulls = async () =>
    ((await (await github(`${API}/pulls?state=open&per_page=100`)).json()) as Pull[]).filter(p => p.head.ref.startsWith('luban/'));

  it('opens one branch and one pull request for ten concurrent promotions spread over two replicas, and both show it', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) => post(index % 2 ? two : one, 'promotion/promote', { from: 'snd', to: 'prd' })),
    );

    expect(responses.map(r => r.status)).toEqual(Array(10).fill(200));
    const results = responses.map(r => r.body as LubanChangeResult);
    expect(new Set(results.map(r => r.pullRequest?.number)).size).toBe(1);
    const branch = `luban/promote/${DEMO.app}/prd/${build2.slice(7, 19)}`;
    const branches = [...(await emulator.git.refs(GITOPS)).keys()].filter(ref => ref.startsWith('refs/heads/luban/'));
    expect(branches).toEqual([`refs/heads/${branch}`]);
    const all = (await (await github(`${API}/pulls?state=all&per_page=100`)).json()) as Pull[];
    expect(all.filter(p => p.head.ref === branch).map(p => [p.number, p.state])).toEqual([[results[0].pullRequest!.number, 'open']]);
    const shown = { kind: 'promote', number: results[0].pullRequest!.number, url: results[0].pullRequest!.url, title: expect.stringMatching(/^Promote /), review: UNREVIEWED };
    expect(await prdPullRequest(one)).toEqual(shown);
    expect(await prdPullRequest(two)).toEqual(shown);
  });

  it('shows the open pull request after a restart: nothing of it lived in the stopped backend', async () => {
    const before = await prdPullRequest(one);
    expect(before).toBeDefined();

    await one.stop();
    one = await startLubanBackend({ emulator });

    expect(await prdPullRequest(one)).toEqual(before);
  });

  it('flags a backwards promotion, and a rollback supersedes it: the older PR is closed with a link to the newer, on every replica', async () => {
    // prd runs build 2 once the promotion is merged; then snd goes back to build 1 by hand.
    const promoted = (await openLubanPulls())[0];
    expect((await github(`${API}/pulls/${promoted.number}/merge`, { method: 'PUT', body: {} })).status).toBe(200);
    const main = (await emulator.git.resolve(GITOPS, 'main'))!;
    const snd = (await emulator.git.readFile(GITOPS, 'main', SND_OVERLAY))!.content.toString();
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: main,
      message: 'snd back to build 1 by hand',
      changes: [{ path: SND_OVERLAY, content: snd.replace(build2, build1) }],
    });
    // The emulator's Argo CD reads git every 120 s, as Argo CD does: a refresh has it read the hand edit now.
    const sndApp = `snd-${DEMO.project}-${DEMO.app}`;
    const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
    await gateway.mergePatch(
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: sndApp, namespace: 'argocd' } },
      argoCdRefreshPatch(),
    );
    const edited = await emulator.git.resolve(GITOPS, 'main');
    await emulator.kubernetes.store.waitFor(() =>
      emulator.kubernetes.list('applications', 'argocd').some(a => a.metadata.name === sndApp && a.status?.sync?.revision === edited),
    );
    await emulator.settled();
    // Both replicas' informers see snd at build 1 before the promotion's gates read it.
    await untilServed(async () => ((await post(two, 'promotion/promote', { from: 'snd', to: 'prd', dryRun: true })).body.allowed ? true : undefined));

    const backwards = await post(two, 'promotion/promote', { from: 'snd', to: 'prd' });

    expect(backwards.status).toBe(200);
    const flagged = await pull(backwards.body.pullRequest.number);
    expect(flagged.title).toBe(`Backwards: promote ${DEMO.app} to prd (${build1.slice(7, 19)})`);
    expect(flagged.body).toMatch(/^> \*\*Warning:\*\* this moves \*\*prd\*\* backwards, from build #2 to the older build #1\./);

    const rollback = await post(one, 'promotion/rollback', { env: 'prd' });

    expect(rollback.status).toBe(200);
    const newer = await pull(rollback.body.pullRequest.number);
    expect(newer.head.ref).toBe(`luban/rollback/${DEMO.app}/prd/${build1.slice(7, 19)}`);
    expect(newer.body).toMatch(/^> \*\*Warning:\*\* this moves \*\*prd\*\* backwards, to a version it ran before\./);
    const superseded = await pull(flagged.number);
    expect(superseded.state).toBe('closed');
    expect(superseded.body?.split('\n')[0]).toBe(
      `Superseded by ${newer.html_url} (a rollback of ${DEMO.app} in prd, to ${build1.slice(7, 19)}). luban closed this one: merged after the newer change, it would undo it.`,
    );
    expect((await openLubanPulls()).map(p => p.number)).toEqual([newer.number]);
    const shown = { kind: 'rollback', number: newer.number, url: newer.html_url, title: newer.title, review: UNREVIEWED };
    expect(await prdPullRequest(one)).toEqual(shown);
    expect(await prdPullRequest(two)).toEqual(shown);
  });
});
