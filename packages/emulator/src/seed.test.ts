import { startEmulator, type RunningEmulator } from './index';
import { DEMO, DEMO_PROJECTS, seedDemo } from './seed';

describe('seedDemo', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    await seedDemo(emulator);
  });
  afterAll(() => emulator.stop());

  it('leaves a project with two builds, snd one promotion ahead of prd, both applications healthy', async () => {
    const builds = emulator.kubernetes.list('builds', 'ci-payments');
    expect(builds.map(b => [b.metadata.name, b.metadata.annotations?.['image.kpack.io/reason'], b.status?.conditions?.[0]?.status])).toEqual([
      ['ledger-api-build-1', 'CONFIG', 'True'],
      ['ledger-api-build-2', 'COMMIT', 'True'],
    ]);
    const apps = Object.fromEntries(emulator.kubernetes.list('applications', 'argocd').map(a => [a.metadata.name, a.status]));
    expect(apps['snd-payments-ledger-api']).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, summary: { images: [builds[1].status?.latestImage] } });
    expect(apps['prd-payments-ledger-api']).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, summary: { images: [builds[0].status?.latestImage] } });
    const history = await emulator.git.log('github/payments/payments-gitops.git', 'main', { path: 'apps/ledger-api/overlays/snd/kustomization.yaml' });
    expect(history.map(c => c.message)).toEqual(['Deploy ledger-api build 2 to snd', 'Add ledger-api']);
  });

  it('gives each seeded build the times of a real run, so the build page shows step durations, not "0 s" (issue 20)', () => {
    const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
    const builds = emulator.kubernetes.list('builds', 'ci-payments');
    for (const build of builds) {
      const steps = build.status?.stepStates.map((s: any) => seconds(s.terminated.startedAt, s.terminated.finishedAt));
      // kpack's steps in order (prepare, analyze, detect, restore, build, export, completion), near what their logs say ("Builder ran for 6.4s").
      expect(steps).toEqual([3, 2, 1, 1, 7, 3, 1]);
      const finished = build.status?.conditions?.find((c: any) => c.type === 'Succeeded')?.lastTransitionTime;
      expect(seconds(build.metadata.creationTimestamp!, finished)).toBe(20);
      const pod = emulator.kubernetes.list('pods', 'ci-payments').find(p => p.metadata.name === build.status?.podName);
      expect(pod?.status?.initContainerStatuses.map((s: any) => s.state.terminated.finishedAt)).toEqual(
        build.status?.stepStates.slice(0, 6).map((s: any) => s.terminated.finishedAt),
      );
    }
    // Onboarded two hours ago, the developer's change built a quarter of an hour ago: both finished in the past.
    const ageMinutes = (b: (typeof builds)[number]) => Math.round((Date.now() - Date.parse(b.metadata.creationTimestamp!)) / 60_000);
    expect(builds.map(ageMinutes)).toEqual([125, 14]);
  });

  it('offers two projects of two teams, payments first as DEMO', () => {
    expect(DEMO_PROJECTS[0]).toEqual(DEMO);
    expect(DEMO_PROJECTS).toEqual([
      { project: 'payments', app: 'ledger-api', owner: 'payments-team' },
      { project: 'analytics', app: 'metrics-api', owner: 'data-team' },
    ]);
  });

  describe.each(DEMO_PROJECTS.map(p => [p.project, p] as const))('project %s', (_, { project, app, owner }) => {
    it(`names its owner in the project record on ci-${project}`, () => {
      const ci = emulator.kubernetes.list('namespaces').find(ns => ns.metadata.name === `ci-${project}`);
      expect(ci?.metadata.annotations).toMatchObject({
        'luban.dev/owner': `group:default/${owner}`,
        'luban.dev/gitops-repository': `${emulator.github.url}/${project}/${project}-gitops`,
        'luban.dev/harbor-project': project,
      });
    });

    it('has two finished builds of its app, of its own source', () => {
      const builds = emulator.kubernetes.list('builds', `ci-${project}`);
      expect(builds.map(b => [b.metadata.name, b.status?.conditions?.[0]?.status])).toEqual([
        [`${app}-build-1`, 'True'],
        [`${app}-build-2`, 'True'],
      ]);
      expect(builds.map(b => b.spec?.source?.git?.url)).toEqual([expect.stringContaining(`/${project}/${app}`), expect.stringContaining(`/${project}/${app}`)]);
    });

    it('runs the first build on prd and the second on snd, per its overlays', async () => {
      const [first, second] = emulator.kubernetes.list('builds', `ci-${project}`).map(b => b.status?.latestImage as string);
      const overlayOf = async (env: string) =>
        (await emulator.git.readFile(`github/${project}/${project}-gitops.git`, 'main', `apps/${app}/overlays/${env}/kustomization.yaml`))?.content.toString();
      expect(await overlayOf('snd')).toContain(`digest: ${second.split('@')[1]}`);
      expect(await overlayOf('prd')).toContain(`digest: ${first.split('@')[1]}`);
      expect(await overlayOf('prd')).toContain(`namespace: prd-${project}`);
      expect(first).not.toEqual(second);
    });

    it('has its snd and prd applications, synced and healthy, prd one build behind snd', () => {
      const [first, second] = emulator.kubernetes.list('builds', `ci-${project}`).map(b => b.status?.latestImage);
      const apps = emulator.kubernetes.list('applications', 'argocd').filter(a => a.spec?.project === project);
      expect(apps.map(a => [a.metadata.name, a.status?.sync?.status, a.status?.health?.status, a.status?.summary?.images]).sort()).toEqual([
        [`prd-${project}-${app}`, 'Synced', 'Healthy', [first]],
        [`snd-${project}-${app}`, 'Synced', 'Healthy', [second]],
      ]);
    });
  });

  it('serves the analytics source, a Python service of its own', async () => {
    const main = await emulator.git.readFile('github/analytics/metrics-api.git', 'main', 'src/metrics_api/main.py');
    expect(main?.content.toString()).toContain('b"metrics-api ok\\n"');
    const pyproject = await emulator.git.readFile('github/analytics/metrics-api.git', 'main', 'pyproject.toml');
    expect(pyproject?.content.toString()).toContain('app = "metrics_api.main:main"');
  });
});
