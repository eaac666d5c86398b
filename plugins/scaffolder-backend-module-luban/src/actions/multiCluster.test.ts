import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { emulatorConfig, startScaffolder, type TemplateSteps } from '../__testUtils__/harness';

/*
 * Environments dev and qa run on the default cluster, prd on a second one.
 * The emulator serves one Kubernetes API, so the second cluster is the
 * Kubernetes API of a second emulator; git and Harbor are the first's.
 */
describe('the actions with environments on two clusters', () => {
  let main: RunningEmulator;
  let second: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const project = { project: 'payments' };

  const onboarding: TemplateSteps = [
    { id: 'namespaces', action: 'luban:project:namespaces', input: { ...project, owner: 'payments-team' } },
    { id: 'harbor', action: 'luban:harbor:project', input: project },
    { id: 'kpack', action: 'luban:kpack:image', input: { ...project, app: 'ledger-api', sourceRepoUrl: 'https://github.com/payments/ledger-api' } },
    { id: 'gitops', action: 'luban:gitops:app', input: { ...project, app: 'ledger-api', gitopsRepoUrl: 'GITOPS' } },
    { id: 'argocd', action: 'luban:argocd:app', input: { ...project, app: 'ledger-api', gitopsRepoUrl: 'GITOPS' } },
    { id: 'dagster', action: 'luban:dagster:instance', input: project },
  ];

  /** What a cluster holds of a kind: `<namespace>/<name>`, sorted. */
  const names = (emulator: RunningEmulator, plural: string, name?: string) =>
    emulator.kubernetes
      .list(plural)
      .filter(o => !name || o.metadata.name === name)
      .map(o => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name))
      .sort();

  beforeAll(async () => {
    main = await startEmulator();
    second = await startEmulator();
    const config = emulatorConfig(main) as any;
    const [mainCluster] = config.kubernetes.clusterLocatorMethods[0].clusters;
    config.kubernetes.clusterLocatorMethods[0].clusters.push({
      ...mainCluster,
      name: 'second',
      url: second.kubernetes.url,
      serviceAccountToken: second.token,
      caData: Buffer.from(second.kubernetes.caCert).toString('base64'),
    });
    config.luban.environments = [
      { name: 'dev' },
      // An overlay elsewhere than apps/<app>/overlays/<env>: Argo CD must read the folder luban writes.
      { name: 'qa', overlayPath: 'deploy/{env}/{app}/kustomization.yaml' },
      { name: 'prd', cluster: 'second' },
    ];
    const gitops = `${new URL(main.github.url).host}?owner=payments&repo=payments-gitops`;
    const steps = onboarding.map(s => (s.input?.gitopsRepoUrl ? { ...s, input: { ...s.input, gitopsRepoUrl: gitops } } : s));
    scaffolder = await startScaffolder({ config, templates: { onboarding: steps } });
  });
  afterAll(async () => {
    await main.stop();
    await second.stop();
  });
  beforeEach(async () => {
    await main.reset();
    await second.reset();
    for (const emulator of [main, second]) emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
  });

  it("puts each environment's objects on its cluster, and builds on the default one", async () => {
    const run = await scaffolder.run('onboarding');
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('completed');

    expect(names(main, 'namespaces')).toEqual(['argocd', 'ci-payments', 'dev-payments', 'qa-payments']);
    expect(names(second, 'namespaces')).toEqual(['argocd', 'prd-payments']);
    expect(names(main, 'secrets', 'harbor-payments')).toEqual(['ci-payments/harbor-payments', 'dev-payments/harbor-payments', 'qa-payments/harbor-payments']);
    expect(names(second, 'secrets', 'harbor-payments')).toEqual(['prd-payments/harbor-payments']);
    expect(names(main, 'images')).toEqual(['ci-payments/ledger-api']);
    expect(names(second, 'images')).toEqual([]);
    expect(names(main, 'secrets', 'dagster-postgresql')).toEqual(['dev-payments/dagster-postgresql', 'qa-payments/dagster-postgresql']);
    expect(names(second, 'secrets', 'dagster-postgresql')).toEqual(['prd-payments/dagster-postgresql']);

    // Each cluster's Argo CD gets the AppProject, admitting the namespaces on that cluster, and the Applications deployed there.
    const destinations = (emulator: RunningEmulator) =>
      emulator.kubernetes.list('appprojects').map(p => p.spec.destinations.map((d: any) => d.namespace));
    expect(destinations(main)).toEqual([['dev-payments', 'qa-payments']]);
    expect(destinations(second)).toEqual([['prd-payments']]);
    expect(names(main, 'applications')).toEqual(['argocd/dev-payments-ledger-api', 'argocd/qa-payments-ledger-api']);
    expect(names(second, 'applications')).toEqual(['argocd/prd-payments-ledger-api']);
    expect(run.output.argocd.applications).toEqual({
      dev: 'dev-payments-ledger-api',
      qa: 'qa-payments-ledger-api',
      prd: 'prd-payments-ledger-api',
    });
  });

  it('points each Application at the overlay folder luban writes, a configured overlayPath included', async () => {
    expect((await scaffolder.run('onboarding')).status).toBe('completed');
    const repository = 'github/payments/payments-gitops.git';
    const files = await main.git.listFiles(repository, await main.git.defaultBranch(repository));
    const sourcePath = (emulator: RunningEmulator, name: string) =>
      emulator.kubernetes.list('applications').find(a => a.metadata.name === name)!.spec.source.path;

    expect(sourcePath(main, 'dev-payments-ledger-api')).toBe('apps/ledger-api/overlays/dev');
    expect(sourcePath(main, 'qa-payments-ledger-api')).toBe('deploy/qa/ledger-api');
    expect(sourcePath(second, 'prd-payments-ledger-api')).toBe('apps/ledger-api/overlays/prd');
    for (const folder of ['apps/ledger-api/overlays/dev', 'deploy/qa/ledger-api', 'apps/ledger-api/overlays/prd']) {
      expect(files).toContain(`${folder}/kustomization.yaml`);
    }
  });
});
