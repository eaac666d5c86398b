import { DEMO } from '@luban-backstage/emulator';
import type { LubanBuildList } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { capturingRootLogger } from './__testUtils__/capturingRootLogger';
import { untilGit } from './__testUtils__/waiting';
import { DEMO_ENTITY_PATH, DEMO_OWNER, recordProject, startLubanBackend } from './__testUtils__/lubanBackend';
import { BobSeesOnlyHisOwnEntities } from './__testUtils__/ownedCatalogPolicy';

/** Team B: `user:default/bob` is a member; it owns the project `billing`. */
const TEAM_B = 'group:default/team-b';
const TEAM_B_PROJECT = 'billing';
const A_GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const B_GITOPS = `github/${TEAM_B_PROJECT}/${TEAM_B_PROJECT}-gitops.git`;
const SND_OVERLAY = `apps/${DEMO.app}/overlays/snd/kustomization.yaml`;

const entityPath = (name: string) => `/api/luban/entities/component/default/${name}`;

describe('the tenant boundary of the luban backend', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    backend = await startLubanBackend({
      policy: new BobSeesOnlyHisOwnEntities(),
      features: [capturingRootLogger(logLines)],
      entities: async emulator => {
        // Team B's own project, recorded as onboarding records it.
        await emulator.github.api.createRepository(TEAM_B_PROJECT, `${TEAM_B_PROJECT}-gitops`, { files: { 'README.md': '# billing GitOps\n' } });
        await recordProject(emulator, {
          project: TEAM_B_PROJECT,
          owner: TEAM_B,
          gitopsRepository: `${emulator.github.url}/${TEAM_B_PROJECT}/${TEAM_B_PROJECT}-gitops`,
        });
        const component = (name: string, owner: string, annotations: Record<string, string>) => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name, annotations },
          spec: { type: 'service', lifecycle: 'production', owner },
        });
        const aGitops = `${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops`;
        return [
          // Registered by team B: its own Component whose annotations name team A's app.
          component('b-claims-ledger', TEAM_B, { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app }),
          // Team B's app in its own project, building from team A's kpack Image.
          component('b-image-elsewhere', TEAM_B, {
            'luban.dev/project': TEAM_B_PROJECT,
            'luban.dev/app': 'invoices',
            'luban.dev/kpack-image': `ci-${DEMO.project}/${DEMO.app}`,
          }),
          // Team B's app in its own project, deploying through team A's GitOps repository.
          component('b-gitops-elsewhere', TEAM_B, {
            'luban.dev/project': TEAM_B_PROJECT,
            'luban.dev/app': DEMO.app,
            'luban.dev/gitops-repo': aGitops,
          }),
          // A second entity of team A for the same app.
          component(`${DEMO.app}-duplicate`, DEMO_OWNER, { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app }),
        ];
      },
    });
  });
  afterAll(() => backend?.stop());

  /** Every call of the app's routes: the reads and the three changes. */
  const calls = (name: string) =>
    [
      ['GET', `${entityPath(name)}/builds`],
      ['GET', `${entityPath(name)}/builds/${DEMO.app}-build-1/logs`],
      ['GET', `${entityPath(name)}/promotion`],
      ['POST', `${entityPath(name)}/builds/rebuild`, {}],
      ['POST', `${entityPath(name)}/promotion/promote`, { from: 'snd', to: 'prd' }],
      ['POST', `${entityPath(name)}/promotion/rollback`, { env: 'prd' }],
    ] as const;

  async function callAll(name: string, authorization: string) {
    const answers = [];
    for (const [method, path, body] of calls(name)) {
      const call = method === 'GET' ? request(backend.server).get(path) : request(backend.server).post(path).send(body);
      const response = await call.set('Authorization', authorization);
      answers.push({ path, status: response.status, message: response.body.error?.message as string | undefined });
    }
    return answers;
  }

  /** What reached the platform besides reading project records (a `ci-` Namespace, after the client's discovery of `/api/v1`). */
  const beyondRecords = () =>
    backend.emulator.requests
      .entries()
      .filter(r => !(r.system === 'kubernetes' && r.method === 'GET' && /^\/api\/v1(\/namespaces\/ci-[a-z0-9-]+)?$/.test(r.path)));

  it("refuses team B's Component that names team A's app: no rebuild, promotion, rollback or log, and no read of the platform", async () => {
    backend.emulator.requests.clear();

    const answers = await callAll('b-claims-ledger', backend.otherTeam);

    for (const answer of answers) {
      expect(answer).toEqual({
        path: answer.path,
        status: 403,
        message: `component:default/b-claims-ledger is owned by '${TEAM_B}', but project '${DEMO.project}' is owned by ${DEMO_OWNER}: only entities of the project's owner group are luban apps of it`,
      });
    }
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(beyondRecords()).toEqual([]);
  });

  it("refuses an entity that names a kpack Image outside its project's ci- namespace", async () => {
    backend.emulator.requests.clear();

    const answers = await callAll('b-image-elsewhere', backend.otherTeam);

    for (const answer of answers) {
      expect(answer).toEqual({
        path: answer.path,
        status: 403,
        message: expect.stringContaining(`names the kpack Image ci-${DEMO.project}/${DEMO.app}, outside its project's namespace ci-${TEAM_B_PROJECT}`),
      });
    }
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(beyondRecords()).toEqual([]);
  });

  it("refuses an entity that names another project's GitOps repository", async () => {
    backend.emulator.requests.clear();

    const answers = await callAll('b-gitops-elsewhere', backend.otherTeam);

    for (const answer of answers) {
      expect(answer).toEqual({
        path: answer.path,
        status: 403,
        message: expect.stringMatching(
          new RegExp(`names the GitOps repository .*/${DEMO.project}/${DEMO.project}-gitops in 'luban.dev/gitops-repo', but project '${TEAM_B_PROJECT}' uses .*/${TEAM_B_PROJECT}/${TEAM_B_PROJECT}-gitops`),
        ),
      });
    }
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(beyondRecords()).toEqual([]);
  });

  it("deploys a Build of team A's Image into team A's overlay only, and says why the other claimants got nothing", async () => {
    const { emulator } = backend;
    const bCommitsBefore = await emulator.git.log(B_GITOPS, 'main');
    const before = await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds`).set('Authorization', backend.owner);
    const known = new Set((before.body as LubanBuildList).builds.map(b => b.name));
    emulator.requests.clear();

    const rebuild = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.owner);
    expect(rebuild.status).toBe(202);
    // kpack's new Build succeeds in the cluster; then luban commits its digest to team A's overlay.
    const succeeded = () =>
      emulator.kubernetes
        .list('builds', `ci-${DEMO.project}`)
        .find(
          b =>
            !known.has(b.metadata.name) &&
            b.metadata.labels?.['image.kpack.io/image'] === DEMO.app &&
            b.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Succeeded' && c.status === 'True'),
        );
    await emulator.kubernetes.store.waitFor(() => succeeded() !== undefined);
    const digest = String(succeeded()!.status.latestImage).split('@')[1];
    await untilGit(emulator, async () =>
      (await emulator.git.readFile(A_GITOPS, 'main', SND_OVERLAY))?.content.toString().includes(digest) ? true : undefined,
    );
    // luban then has Argo CD read the commit (a refresh): done once snd's Application is at it, so nothing of this case runs into the next.
    const head = await emulator.git.resolve(A_GITOPS, 'main');
    await emulator.kubernetes.store.waitFor(() =>
      emulator.kubernetes.list('applications', 'argocd').some(a => a.metadata.name === `snd-${DEMO.project}-${DEMO.app}` && a.status?.sync?.revision === head),
    );
    await emulator.settled();

    expect(await emulator.git.log(B_GITOPS, 'main')).toEqual(bCommitsBefore);
    const gitWrites = emulator.requests.mutating('github');
    expect(gitWrites.length).toBeGreaterThan(0);
    expect(gitWrites.filter(r => !r.path.includes(`/${DEMO.project}/${DEMO.project}-gitops`))).toEqual([]);
    const warnings = logLines.filter(line => line.startsWith('warn Auto-deploy left out an entity that claims the app of a Build'));
    for (const claimant of ['b-claims-ledger', 'b-image-elsewhere', `${DEMO.app}-duplicate`]) {
      expect(warnings.filter(line => line.includes(`component:default/${claimant}`))).not.toEqual([]);
    }
  });

  it('answers 404 for an entity the caller may not read in the catalog, exactly as for one that does not exist', async () => {
    backend.emulator.requests.clear();

    const hidden = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.otherTeam);
    const missing = await request(backend.server).post(`${entityPath('no-such-app')}/builds/rebuild`).set('Authorization', backend.otherTeam);

    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toMatchObject({ name: 'NotFoundError', message: `No catalog entity component:default/${DEMO.app}` });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ name: 'NotFoundError', message: 'No catalog entity component:default/no-such-app' });
    expect(backend.emulator.requests.entries()).toEqual([]);
  });
});
