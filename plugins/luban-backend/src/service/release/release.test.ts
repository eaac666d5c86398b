import { DEMO, type RunningEmulator } from '@luban-backstage/emulator';
import type {
  LubanReleaseMatrix,
  LubanReleaseResult,
} from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import {
  DEMO_ENTITY_PATH,
  DEMO_OWNER,
  recordProject,
  startLubanBackend,
} from '../../__testUtils__/lubanBackend';
import { untilServed, watchedRootLogger } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const WORKER = 'ledger-worker';
const SYSTEM_PATH = `/api/luban/entities/system/default/${DEMO.project}`;
const overlay = (app: string, env: string) =>
  `apps/${app}/overlays/${env}/kustomization.yaml`;
const NO_VULNERABILITIES = { Critical: 0, High: 0, Medium: 0, Low: 0 };

/**
 * A second app of the demo project, as luban leaves it: two images in Harbor under kpack's build tags
 * (`b<N>.<yyyymmdd>.<hhmmss>`, kpack pkg/apis/build/v1alpha2/image_builds.go generateTags), snd on the newer.
 */
async function addWorker(emulator: RunningEmulator) {
  const push = (tag: string) =>
    emulator.harbor.api.pushArtifact({
      project: DEMO.project,
      repository: WORKER,
      tags: [tag],
      vulnerabilities: NO_VULNERABILITIES,
    }).digest;
  const worker1 = push('b1.20261201.100000');
  const worker2 = push('b2.20261202.100000');
  const registry = new URL(emulator.harbor.url).host;
  const kustomization = (digest: string) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n  - name: ${WORKER}\n    newName: ${registry}/${DEMO.project}/${WORKER}\n    digest: ${digest}\n`;
  const apiSnd = (await emulator.git.readFile(
    GITOPS,
    'main',
    overlay(DEMO.app, 'snd'),
  ))!.content.toString();
  await emulator.git.commit(GITOPS, {
    branch: 'main',
    expectedSha: await emulator.git.resolve(GITOPS, 'main'),
    message: `Add ${WORKER}, and stg`,
    changes: [
      { path: overlay(WORKER, 'snd'), content: kustomization(worker2) },
      { path: overlay(WORKER, 'prd'), content: kustomization(worker1) },
      { path: overlay(WORKER, 'stg'), content: kustomization(worker1) },
      // stg already runs what snd runs of the ledger API.
      { path: overlay(DEMO.app, 'stg'), content: apiSnd },
    ],
  });
  return { worker1, worker2 };
}

/** The System of the demo project with two apps, and an app of another project that names it too. */
function releaseEntities(emulator: RunningEmulator) {
  const component = (
    name: string,
    project: string,
    app: string,
    owner: string,
  ) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: { 'luban.dev/project': project, 'luban.dev/app': app },
    },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner,
      system: DEMO.project,
    },
  });
  return [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: {
        name: DEMO.project,
        annotations: { 'luban.dev/project': DEMO.project },
      },
      spec: { owner: DEMO_OWNER },
    },
    {
      ...component(
        `${DEMO.project}-${DEMO.app}`,
        DEMO.project,
        DEMO.app,
        DEMO_OWNER,
      ),
      metadata: {
        name: `${DEMO.project}-${DEMO.app}`,
        annotations: {
          'luban.dev/project': DEMO.project,
          'luban.dev/app': DEMO.app,
          'backstage.io/source-location': `url:${emulator.github.url}/${DEMO.project}/${DEMO.app}/tree/main/`,
        },
      },
    },
    component(`${DEMO.project}-${WORKER}`, DEMO.project, WORKER, DEMO_OWNER),
    // Its catalog-info says it is part of payments; its project (analytics, of data-team) says otherwise.
    component(
      'metrics-in-payments',
      'analytics',
      'metrics-api',
      'group:default/data-team',
    ),
    // Another team's System that claims the payments project: the record says who owns it.
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: {
        name: 'b-claims-payments',
        annotations: { 'luban.dev/project': DEMO.project },
      },
      spec: { owner: 'group:default/team-b' },
    },
  ];
}

describe('releases of several apps: the apps of a System in one pull request', () => {
  const logs = watchedRootLogger();
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let build1: string;
  let build2: string;
  let worker: { worker1: string; worker2: string };

  beforeAll(async () => {
    backend = await startLubanBackend({
      features: [logs.factory],
      config: {
        luban: {
          // The worker has no Argo CD Applications here: the gates that read Argo CD are the promotion suites' subject.
          environments: [
            { name: 'snd' },
            {
              name: 'stg',
              promotesFrom: 'snd',
              gates: { requireSynced: false, requireHealthy: false },
            },
            {
              name: 'prd',
              promotesFrom: 'snd',
              gates: { requireSynced: false, requireHealthy: false },
            },
          ],
        },
      },
      entities: async emulator => {
        worker = await addWorker(emulator);
        return releaseEntities(emulator);
      },
    });
    const builds = backend.emulator.kubernetes.list(
      'builds',
      `ci-${DEMO.project}`,
    );
    const digestOf = (number: string) =>
      String(
        builds.find(
          b => b.metadata.labels?.['image.kpack.io/buildNumber'] === number,
        )!.status?.latestImage,
      ).split('@')[1];
    [build1, build2] = [digestOf('1'), digestOf('2')];
  });
  afterAll(() => backend?.stop());

  const release = (body: object, as = backend.owner) =>
    request(backend.server)
      .post(`${SYSTEM_PATH}/release`)
      .set('Authorization', as)
      .send(body);
  const auditEvents = () =>
    logs.lines.filter(
      l =>
        l.meta.isAuditEvent &&
        l.message === 'luban.luban-release' &&
        l.meta.status !== 'initiated',
    );
  const rows = (result: LubanReleaseResult) =>
    result.members.map(m => [
      m.app,
      m.behind,
      m.allowed,
      m.gates.filter(g => !g.passed).map(g => g.gate),
    ]);

  /** The pull requests (open or closed) of the GitOps repository whose branch starts with `head`. */
  async function pullRequests(head: string) {
    const response = await fetch(
      `${backend.emulator.github.apiBaseUrl}/repos/${DEMO.project}/${DEMO.project}-gitops/pulls?state=all&per_page=100`,
      {
        headers: { Authorization: `token ${backend.emulator.token}` },
      },
    );
    return (
      (await response.json()) as Array<{
        number: number;
        title: string;
        body: string;
        state: string;
        head: { ref: string };
      }>
    ).filter(p => p.head.ref.startsWith(head));
  }

  it('shows what each app of the System runs in each environment, and which are behind; an app of another project is not one of them', async () => {
    const response = await request(backend.server)
      .get(`${SYSTEM_PATH}/release`)
      .set('Authorization', backend.owner);

    expect(response.status).toBe(200);
    const matrix = response.body as LubanReleaseMatrix;
    expect(matrix.environments).toEqual([
      { name: 'snd' },
      { name: 'stg', promotesFrom: 'snd' },
      { name: 'prd', promotesFrom: 'snd' },
    ]);
    expect(
      matrix.members.map(m => [
        m.app,
        m.environments.map(e => [e.name, e.digest, Boolean(e.behind)]),
      ]),
    ).toEqual([
      [
        DEMO.app,
        [
          ['snd', build2, false],
          ['stg', build2, false],
          ['prd', build1, true],
        ],
      ],
      [
        WORKER,
        [
          ['snd', worker.worker2, false],
          ['stg', worker.worker1, true],
          ['prd', worker.worker1, true],
        ],
      ],
    ]);
  });

  it('refuses environment names that are not configured or not names, before anything is written', async () => {
    backend.emulator.requests.clear();

    const notAName = await release({ from: 'snd', to: '../prd' });
    const unknown = await release({ from: 'snd', to: 'qa' });
    const wrongPath = await request(backend.server)
      .get(`${SYSTEM_PATH}/release/plan?from=stg&to=prd`)
      .set('Authorization', backend.owner);

    expect([notAName.status, unknown.status, wrongPath.status]).toEqual([
      400, 400, 400,
    ]);
    expect(notAName.body.error.message).toBe(
      'Invalid request body: to must be an environment name',
    );
    expect(unknown.body.error.message).toBe(
      "'qa' is not an environment; the environments are snd, stg, prd",
    );
    expect(wrongPath.body.error.message).toBe(
      'prd is promoted from snd, not from stg',
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('refuses a member of another team with a 403 naming the apps, writes nothing, and audits the refusal', async () => {
    backend.emulator.requests.clear();

    const response = await release(
      { from: 'snd', to: 'prd' },
      backend.otherTeam,
    );

    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      `You may not release system:default/${DEMO.project} to prd: you may not promote component:default/${DEMO.project}-${DEMO.app}, component:default/${DEMO.project}-${WORKER} in prd; only their owners may, in the environments the permission policy allows them`,
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(auditEvents()).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          status: 'failed',
          actor: expect.objectContaining({ actorId: 'user:default/bob' }),
          meta: expect.objectContaining({
            entityRef: `system:default/${DEMO.project}`,
            from: 'snd',
            target: 'prd',
          }),
        }),
      }),
    ]);
  });

  it("refuses another team's System that claims the project: the project's record, not the catalog, decides", async () => {
    backend.emulator.requests.clear();

    const response = await request(backend.server)
      .post('/api/luban/entities/system/default/b-claims-payments/release')
      .set('Authorization', backend.otherTeam)
      .send({ from: 'snd', to: 'prd' });

    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain(
      `project '${DEMO.project}' is owned by ${DEMO_OWNER}`,
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('refuses the whole release when one app fails a gate: one row per app, no pull request, nothing written', async () => {
    backend.emulator.harbor.api.setScanResult(
      DEMO.project,
      WORKER,
      worker.worker2,
      { ...NO_VULNERABILITIES, Critical: 2 },
    );
    backend.emulator.requests.clear();
    try {
      const response = await release({ from: 'snd', to: 'prd' });

      expect(response.status).toBe(200);
      const result = response.body as LubanReleaseResult;
      expect(result).toMatchObject({ allowed: false, dryRun: false });
      expect(result.pullRequest).toBeUndefined();
      expect(rows(result)).toEqual([
        [DEMO.app, true, true, []],
        [WORKER, true, false, ['vulnerabilities']],
      ]);
      expect(
        result.members[1].gates.find(g => g.gate === 'vulnerabilities')!.reason,
      ).toBe(
        `${worker.worker2.slice(
          7,
          19,
        )} has 2 CRITICAL vulnerabilities (blocked at CRITICAL and above)`,
      );
      expect(backend.emulator.requests.mutating()).toEqual([]);
      expect(await pullRequests(`luban/release/${DEMO.project}/prd`)).toEqual(
        [],
      );
    } finally {
      backend.emulator.harbor.api.setScanResult(
        DEMO.project,
        WORKER,
        worker.worker2,
        NO_VULNERABILITIES,
      );
    }
  });

  it('plans a release of both apps (a dry run): digests, gates and diffs per app, nothing written', async () => {
    backend.emulator.requests.clear();

    const response = await request(backend.server)
      .get(`${SYSTEM_PATH}/release/plan?from=snd&to=prd`)
      .set('Authorization', backend.owner);

    expect(response.status).toBe(200);
    const plan = response.body as LubanReleaseResult;
    expect(plan).toMatchObject({
      system: `system:default/${DEMO.project}`,
      from: 'snd',
      to: 'prd',
      allowed: true,
      dryRun: true,
    });
    expect(rows(plan)).toEqual([
      [DEMO.app, true, true, []],
      [WORKER, true, true, []],
    ]);
    expect(
      plan.members.map(m => [m.targetDigest, m.sourceDigest, m.overlayPath]),
    ).toEqual([
      [build1, build2, overlay(DEMO.app, 'prd')],
      [worker.worker1, worker.worker2, overlay(WORKER, 'prd')],
    ]);
    expect(plan.members[1].diff).toContain(
      `\n-    digest: ${worker.worker1}\n+    digest: ${worker.worker2}\n`,
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('releases both apps in ONE pull request that changes both prd overlays, and audits it', async () => {
    const before = auditEvents().length;
    const main = await backend.emulator.git.resolve(GITOPS, 'main');

    const response = await release({ from: 'snd', to: 'prd' });

    expect(response.status).toBe(200);
    const result = response.body as LubanReleaseResult;
    const branch = result.branch!;
    expect(branch).toMatch(
      new RegExp(`^luban/release/${DEMO.project}/prd/[0-9a-f]{12}$`),
    );
    expect(result).toMatchObject({
      allowed: true,
      dryRun: false,
      pullRequest: { reused: false },
    });
    const head = await backend.emulator.git.resolve(GITOPS, branch);
    expect(
      await backend.emulator.git.changedFiles(GITOPS, main!, head!),
    ).toEqual([
      { status: 'M', path: overlay(DEMO.app, 'prd') },
      { status: 'M', path: overlay(WORKER, 'prd') },
    ]);
    expect(
      (await backend.emulator.git.readFile(
        GITOPS,
        branch,
        overlay(WORKER, 'prd'),
      ))!.content.toString(),
    ).toContain(`digest: ${worker.worker2}`);
    expect(
      (await backend.emulator.git.readFile(
        GITOPS,
        branch,
        overlay(DEMO.app, 'prd'),
      ))!.content.toString(),
    ).toContain(`digest: ${build2}`);
    expect(await backend.emulator.git.resolve(GITOPS, 'main')).toBe(main);
    const [pull] = await pullRequests(branch);
    expect(pull.number).toBe(result.pullRequest!.number);
    expect(pull.title).toBe(
      `Release system:default/${DEMO.project} to prd (2 apps: ${DEMO.app}, ${WORKER})`,
    );
    // One row per app in the gate report.
    expect(pull.body).toContain(
      `| ${DEMO.app} | \`${build1.slice(7, 19)}\` | \`${build2.slice(
        7,
        19,
      )}\` | ✅ synced ✅ healthy ✅ build-succeeded ✅ vulnerabilities ✅ soak |`,
    );
    expect(pull.body).toContain(
      `| ${WORKER} | \`${worker.worker1.slice(
        7,
        19,
      )}\` | \`${worker.worker2.slice(7, 19)}\` | ✅ synced`,
    );
    expect(pull.body).toContain('Requested by user:default/mock');
    expect(auditEvents().slice(before)).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          status: 'succeeded',
          actor: expect.objectContaining({ actorId: 'user:default/mock' }),
          meta: expect.objectContaining({
            entityRef: `system:default/${DEMO.project}`,
            target: 'prd',
            apps: [DEMO.app, WORKER],
            pullRequestUrl: result.pullRequest!.url,
          }),
        }),
      }),
    ]);
  });

  it('answers a second identical release with the same pull request: still one', async () => {
    const first = await pullRequests(`luban/release/${DEMO.project}/prd`);

    const response = await release({ from: 'snd', to: 'prd' });

    expect(response.status).toBe(200);
    expect(response.body.pullRequest).toEqual({
      number: first[0].number,
      url: expect.any(String),
      reused: true,
    });
    expect(
      await pullRequests(`luban/release/${DEMO.project}/prd`),
    ).toHaveLength(1);
  });

  it('supersedes the older release and promotions of its apps when snd runs newer digests: one open pull request for prd', async () => {
    const { emulator } = backend;
    // A single promotion of the ledger API to prd, opened before the newer release.
    const single = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: 'prd' })
      .expect(200);
    const [older] = await pullRequests(`luban/release/${DEMO.project}/prd/`);
    // The worker's build 3 reaches snd.
    const worker3 = emulator.harbor.api.pushArtifact({
      project: DEMO.project,
      repository: WORKER,
      tags: ['b3.20261203.100000'],
      vulnerabilities: NO_VULNERABILITIES,
    }).digest;
    const sndOverlay = (await emulator.git.readFile(
      GITOPS,
      'main',
      overlay(WORKER, 'snd'),
    ))!.content.toString();
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(GITOPS, 'main'),
      message: `Deploy ${WORKER} build 3 to snd`,
      changes: [
        {
          path: overlay(WORKER, 'snd'),
          content: sndOverlay.replace(worker.worker2, worker3),
        },
      ],
    });
    await untilServed(async () => {
      const plan = await request(backend.server)
        .get(`${SYSTEM_PATH}/release/plan?from=snd&to=prd`)
        .set('Authorization', backend.owner);
      return plan.body.members?.[1]?.sourceDigest === worker3
        ? true
        : undefined;
    });

    const response = await release({ from: 'snd', to: 'prd' });

    expect(response.status).toBe(200);
    const result = response.body as LubanReleaseResult;
    expect(result.pullRequest).toMatchObject({ reused: false });
    expect(result.branch).not.toBe(older.head.ref);
    const pulls = await pullRequests('luban/');
    const stateOf = (number: number) => pulls.find(p => p.number === number)!;
    expect(stateOf(older.number).state).toBe('closed');
    expect(stateOf(older.number).body).toMatch(
      new RegExp(
        `^Superseded by ${result.pullRequest!.url.replace(
          /[/.]/g,
          '\\$&',
        )} \\(the release of system:default/${DEMO.project} to prd\\)`,
      ),
    );
    expect(stateOf(single.body.pullRequest.number).state).toBe('closed');
    expect(stateOf(result.pullRequest!.number).state).toBe('open');
    expect(
      (await emulator.git.readFile(
        GITOPS,
        result.branch!,
        overlay(WORKER, 'prd'),
      ))!.content.toString(),
    ).toContain(`digest: ${worker3}`);
  });

  it('moves only the app that is behind: stg already runs the ledger API of snd', async () => {
    const main = await backend.emulator.git.resolve(GITOPS, 'main');

    const response = await release({ from: 'snd', to: 'stg' });

    expect(response.status).toBe(200);
    const result = response.body as LubanReleaseResult;
    expect(rows(result)).toEqual([
      [DEMO.app, false, true, []],
      [WORKER, true, true, []],
    ]);
    const head = await backend.emulator.git.resolve(GITOPS, result.branch!);
    expect(
      await backend.emulator.git.changedFiles(GITOPS, main!, head!),
    ).toEqual([{ status: 'M', path: overlay(WORKER, 'stg') }]);
    const [pull] = await pullRequests(`luban/release/${DEMO.project}/stg`);
    expect(pull.title).toBe(
      `Release system:default/${DEMO.project} to stg (1 app: ${WORKER})`,
    );
    expect(pull.body).toContain(
      `| ${DEMO.app} | \`${build2.slice(7, 19)}\` | \`${build2.slice(
        7,
        19,
      )}\` | unchanged: already runs what snd runs |`,
    );
  });

  it('releases through a pull request on Azure DevOps too', async () => {
    const { emulator } = backend;
    const { organization } = emulator.azure;
    await emulator.azure.api.createProject(organization, DEMO.project);
    const files: Record<string, string> = {};
    for (const path of [
      overlay(DEMO.app, 'snd'),
      overlay(DEMO.app, 'prd'),
      overlay(WORKER, 'snd'),
      overlay(WORKER, 'prd'),
    ]) {
      files[path] = (await emulator.git.readFile(
        GITOPS,
        'main',
        path,
      ))!.content.toString();
    }
    await emulator.azure.api.createRepository(
      organization,
      DEMO.project,
      `${DEMO.project}-gitops`,
      { files },
    );
    const azureUrl = `${emulator.azure.url}/${organization}/${DEMO.project}/_git/${DEMO.project}-gitops`;
    // The project's GitOps repository moves to Azure DevOps: its record says so, read through a short cache.
    await recordProject(emulator, {
      project: DEMO.project,
      owner: DEMO_OWNER,
      gitopsRepository: azureUrl,
    });
    await untilServed(async () => {
      const state = await request(backend.server)
        .get(
          `/api/luban/entities/component/default/${DEMO.project}-${WORKER}/promotion`,
        )
        .set('Authorization', backend.owner);
      return state.body.gitopsRepo === azureUrl ? true : undefined;
    });

    const response = await release({ from: 'snd', to: 'prd' });

    expect(response.status).toBe(200);
    const result = response.body as LubanReleaseResult;
    expect(result).toMatchObject({
      allowed: true,
      branch: expect.stringMatching(`^luban/release/${DEMO.project}/prd/`),
      pullRequest: {
        reused: false,
        url: expect.stringContaining('/pullrequest/'),
      },
    });
    const repository = await emulator.azure.api.repositoryPath(
      organization,
      DEMO.project,
      `${DEMO.project}-gitops`,
    );
    const main = await emulator.git.resolve(repository, 'main');
    const head = await emulator.git.resolve(repository, result.branch!);
    expect(await emulator.git.changedFiles(repository, main!, head!)).toEqual([
      { status: 'M', path: overlay(DEMO.app, 'prd') },
      { status: 'M', path: overlay(WORKER, 'prd') },
    ]);
    const again = await release({ from: 'snd', to: 'prd' });
    expect(again.body.pullRequest).toEqual({
      ...result.pullRequest,
      reused: true,
    });
  });
});
