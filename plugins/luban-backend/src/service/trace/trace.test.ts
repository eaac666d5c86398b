import { DEMO } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanDigestTrace, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import { ConfigReader } from '@backstage/config';
import { appHostname, appHttpRoute, argoCdRefreshPatch, LubanClusters } from '@luban-backstage/plugin-luban-node';
import request from 'supertest';
import yaml from 'yaml';
import { DEMO_ENTITY_PATH, DEMO_OWNER, emulatorConfig, recordProject, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const OVERLAY = (env: string) => `apps/${DEMO.app}/overlays/${env}/kustomization.yaml`;
const AZURE_ENTITY_PATH = `/api/luban/entities/component/default/${DEMO.app}-on-azure`;
const HOSTS = '{app}.{project}.{env}.apps.example.test';
let azureGitopsUrl: string;

/** The trace and the Delivery view's addresses, against the emulator's GitHub and Azure DevOps. */
describe('the address of each environment, and the trace of any digest', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  /** The demo's two build digests: snd ran build 1, then build 2; prd runs build 1. */
  let build1: string;
  let build2: string;

  beforeAll(async () => {
    backend = await startLubanBackend({
      // The same app with its GitOps repository on Azure DevOps, holding the same overlays (one commit of history).
      entities: async emulator => {
        await emulator.azure.api.createProject(emulator.azure.organization, DEMO.project);
        const files: Record<string, string> = {};
        for (const env of ['snd', 'prd']) files[OVERLAY(env)] = (await emulator.git.readFile(GITOPS, 'main', OVERLAY(env)))!.content.toString();
        await emulator.azure.api.createRepository(emulator.azure.organization, DEMO.project, `${DEMO.project}-gitops`, { files });
        azureGitopsUrl = `${emulator.azure.url}/${emulator.azure.organization}/${DEMO.project}/_git/${DEMO.project}-gitops`;
        const annotations = { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app, 'luban.dev/gitops-repo': azureGitopsUrl };
        const metadata = { name: `${DEMO.app}-on-azure`, annotations };
        return [{ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata, spec: { type: 'service', lifecycle: 'production', owner: DEMO_OWNER } }];
      },
    });
    const builds = backend.emulator.kubernetes.list('builds', `ci-${DEMO.project}`);
    const digestOf = (n: string) => String(builds.find(b => b.metadata.labels?.['image.kpack.io/buildNumber'] === n)!.status?.latestImage).split('@')[1];
    [build1, build2] = [digestOf('1'), digestOf('2')];
  });
  afterAll(() => backend?.stop());

  const get = (path: string, entityPath = DEMO_ENTITY_PATH) =>
    request(backend.server).get(`${entityPath}/${path}`).set('Authorization', backend.owner);
  const post = (path: string, body: object, entityPath = DEMO_ENTITY_PATH) =>
    request(backend.server).post(`${entityPath}/${path}`).set('Authorization', backend.owner).send(body);
  const trace = async (digest: string, entityPath = DEMO_ENTITY_PATH) => {
    const response = await get(`trace/${encodeURIComponent(digest)}`, entityPath);
    expect(response.status).toBe(200);
    return response.body as LubanDigestTrace;
  };
  /** What a trace says, without the times (asserted apart). */
  const shape = (t: LubanDigestTrace) => ({
    build: t.build?.number,
    commit: t.commit?.sha === t.build?.revision && /^[0-9a-f]{40}$/.test(t.commit?.sha ?? ''),
    scanned: t.vulnerabilities?.scanned,
    pullRequests: t.pullRequests.map(p => [p.kind, p.environment, p.number, p.state, Boolean(p.closedAt)]),
    environments: t.environments.map(e => [e.name, e.running, e.arrivals.map(a => Boolean(a.replacedAt))]),
    problems: t.problems,
  });

  it("links each environment's address from the HTTPRoute its overlay includes, read once per commit", async () => {
    // What luban:gitops:app writes for an HTTP app (Gateway API HTTPRoute v1,
    // https://gateway-api.sigs.k8s.io/reference/spec/#httproute): the route beside each overlay, listed in its resources.
    const changes = [];
    for (const env of ['snd', 'prd']) {
      const overlay = yaml.parse((await backend.emulator.git.readFile(GITOPS, 'main', OVERLAY(env)))!.content.toString());
      overlay.resources = [...overlay.resources, 'httproute.yaml'];
      const hostname = appHostname(HOSTS, { app: DEMO.app, project: DEMO.project, env });
      const route = appHttpRoute({ app: DEMO.app, project: DEMO.project, hostname, gateway: { name: 'luban-gateway', namespace: 'gateway' } });
      changes.push({ path: OVERLAY(env), content: yaml.stringify(overlay) }, { path: `apps/${DEMO.app}/overlays/${env}/httproute.yaml`, content: yaml.stringify(route) });
    }
    const head = await backend.emulator.git.resolve(GITOPS, 'main');
    await backend.emulator.git.commit(GITOPS, { branch: 'main', expectedSha: head, message: 'Give ledger-api an address', changes });
    // Argo CD reads git every 120 s, as Argo CD does: a refresh has it sync snd now.
    const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(backend.emulator))).gateway();
    const sndApp = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `snd-${DEMO.project}-${DEMO.app}`, namespace: 'argocd' } };
    await gateway.mergePatch(sndApp, argoCdRefreshPatch());

    const state = (await untilServed(async () => {
      const answer = (await get('promotion').expect(200)).body as LubanPromotionState;
      return answer.environments[0].url ? answer : undefined;
    })) as LubanPromotionState;
    expect(state.environments.map(env => [env.name, env.url, env.problems])).toEqual([
      ['snd', `https://${DEMO.app}.${DEMO.project}.snd.apps.example.test/`, undefined],
      ['prd', `https://${DEMO.app}.${DEMO.project}.prd.apps.example.test/`, undefined],
    ]);
    // Argo CD's sync of snd applies it: the emulated cluster serves gateway.networking.k8s.io/v1 HTTPRoutes.
    const k8s = backend.emulator.kubernetes;
    await k8s.store.waitFor(() => k8s.list('httproutes', `snd-${DEMO.project}`).length > 0);
    expect(k8s.list('httproutes', `snd-${DEMO.project}`).map(r => r.spec.hostnames)).toEqual([[`${DEMO.app}.${DEMO.project}.snd.apps.example.test`]]);

    backend.emulator.requests.clear();
    await get('promotion').expect(200);
    expect(backend.emulator.requests.entries('github').filter(r => r.path.includes('httproute'))).toEqual([]);

    // The sync rolled snd out again: the next tests promote from it once it is Healthy, as luban serves it.
    const sndStatus = () => k8s.list('applications', 'argocd').find(a => a.metadata.name === sndApp.metadata.name)?.status;
    await k8s.store.waitFor(() => sndStatus()?.sync?.status === 'Synced' && sndStatus()?.health?.status === 'Healthy');
    await untilServed(async () => {
      const [snd] = ((await get('promotion').expect(200)).body as LubanPromotionState).environments;
      return snd.argoCd?.healthStatus === 'Healthy' ? snd : undefined;
    });
  });

  it('traces on GitHub a digest promoted to prd and merged, and the older one a rollback would bring back', async () => {
    const promoted = (await post('promotion/promote', { from: 'snd', to: 'prd' }).expect(200)).body as LubanChangeResult;
    expect(promoted.gates.filter(gate => !gate.passed)).toEqual([]);
    const api = `${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops`;
    const merged = await fetch(`${api}/pulls/${promoted.pullRequest!.number}/merge`, {
      method: 'PUT',
      headers: { Authorization: `token ${backend.emulator.token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(merged.status).toBe(200);
    const rollback = (await post('promotion/rollback', { env: 'prd', toDigest: build1 }).expect(200)).body as LubanChangeResult;

    const second = await trace(build2);
    expect(shape(second)).toEqual({
      build: 2,
      commit: true,
      scanned: true,
      pullRequests: [['promote', 'prd', promoted.pullRequest!.number, 'merged', true]],
      environments: [
        ['snd', true, [false]],
        ['prd', true, [false]],
      ],
      problems: undefined,
    });
    expect(second.build?.digest).toBe(build2);
    expect(second.hasSbom).toEqual(expect.any(Boolean));

    const first = await trace(build1);
    expect(shape(first)).toEqual({
      build: 1,
      commit: true,
      scanned: true,
      pullRequests: [['rollback', 'prd', rollback.pullRequest!.number, 'open', false]],
      // Both ran it and moved on: snd to build 2 by auto-deploy, prd by the merged promotion.
      environments: [
        ['snd', false, [true]],
        ['prd', false, [true]],
      ],
      problems: undefined,
    });
    const [prd] = first.environments[1].arrivals;
    expect(Date.parse(prd.replacedAt!)).toBeGreaterThanOrEqual(Date.parse(prd.at));
  });

  it('traces a digest no build, environment or pull request knows, and refuses a malformed one before reading anything', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`;
    expect(shape(await trace(unknown))).toEqual({
      build: undefined,
      commit: false,
      scanned: undefined,
      pullRequests: [],
      environments: [
        ['snd', false, []],
        ['prd', false, []],
      ],
      problems: undefined,
    });

    backend.emulator.requests.clear();
    const malformed = await get('trace/sha256:nothex');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe("'sha256:nothex' is not an image digest (sha256:<64 hex digits>)");
    expect(backend.emulator.requests.entries().filter(r => r.system !== 'kubernetes')).toEqual([]);
  });

  it('traces on Azure DevOps a digest promoted to prd and completed', async () => {
    // The project's GitOps repository moves to Azure DevOps: its record (the authority) says so, seen within the record cache's life.
    await recordProject(backend.emulator, { project: DEMO.project, owner: DEMO_OWNER, gitopsRepository: azureGitopsUrl });
    const promoted = (await untilServed(async () => {
      const answer = await post('promotion/promote', { from: 'snd', to: 'prd' }, AZURE_ENTITY_PATH);
      return answer.status === 403 ? undefined : answer;
    }))!.body as LubanChangeResult;
    expect(promoted.pullRequest?.url).toContain('/pullrequest/');
    const { organization } = backend.emulator.azure;
    const repository = await backend.emulator.azure.api.repositoryPath(organization, DEMO.project, `${DEMO.project}-gitops`);
    const source = await backend.emulator.git.resolve(repository, promoted.branch!);
    const completed = await fetch(
      `${backend.emulator.azure.organizationUrl}/${DEMO.project}/_apis/git/repositories/${DEMO.project}-gitops/pullrequests/${promoted.pullRequest!.number}?api-version=7.1`,
      {
        method: 'PATCH',
        headers: { Authorization: `Basic ${Buffer.from(`:${backend.emulator.token}`).toString('base64')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'completed', lastMergeSourceCommit: { commitId: source } }),
      },
    );
    expect(completed.status).toBe(200);

    const second = await trace(build2, AZURE_ENTITY_PATH);
    expect(shape(second)).toEqual({
      build: 2,
      commit: true,
      scanned: true,
      pullRequests: [['promote', 'prd', promoted.pullRequest!.number, 'merged', true]],
      environments: [
        ['snd', true, [false]],
        ['prd', true, [false]],
      ],
      problems: undefined,
    });
    expect(second.pullRequests[0].url).toBe(promoted.pullRequest!.url);
    // The Azure DevOps repository began with snd on build 2 and prd on build 1: build 1 ran in prd until the completed promotion.
    expect(shape(await trace(build1, AZURE_ENTITY_PATH)).environments).toEqual([
      ['snd', false, []],
      ['prd', false, [true]],
    ]);
  });
});
