import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import {
  emulatorConfig,
  expectConvergenceAfterEachFault,
  startScaffolder,
  type TemplateSteps,
} from '../__testUtils__/harness';
import { examples as argoExamples } from './argocdApp.examples';
import { examples as kpackExamples } from './kpackImage.examples';

const namespaces: TemplateSteps = [
  { id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'payments', owner: 'payments-team' } },
];

describe('luban:kpack:image and luban:argocd:app through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const kpackTemplates = Object.fromEntries(
    kpackExamples.map((e, i) => [`kpack-${i}`, yaml.parse(e.example).steps as TemplateSteps]),
  );
  const argoSteps = yaml.parse(argoExamples[0].example).steps as TemplateSteps;

  const setup = async () => {
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
  };

  const objects = (plural: string) =>
    emulator.kubernetes.list(plural).map(o => ({ name: o.metadata.name, ns: o.metadata.namespace, labels: o.metadata.labels, spec: o.spec }));

  beforeAll(async () => {
    emulator = await startEmulator();
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: { namespaces, ...kpackTemplates, argo: argoSteps },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    await setup();
  });

  it.each(Object.keys(kpackTemplates))('%s creates the kpack Image; a re-run changes nothing', async template => {
    const first = await scaffolder.run(template);
    expect(first.error).toBeUndefined();
    expect(first.output.image.result).toBe('created');
    const [image] = emulator.kubernetes.list('images');
    expect(image.metadata).toMatchObject({ namespace: 'ci-payments', labels: { 'luban.dev/project': 'payments' } });
    expect(image.spec).toMatchObject({
      tag: `${new URL(emulator.harbor.url).host}/payments/${image.metadata.name}:latest`,
      serviceAccountName: 'luban-builder',
      builder: { kind: 'ClusterBuilder', name: 'luban-builder' },
    });
    expect(image.spec.source.git.url).toMatch(/^https:\/\/(github\.com|dev\.azure\.com)\//);

    emulator.requests.clear();
    expect((await scaffolder.run(template)).output.image.result).toBe('unchanged');
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('creates the AppProject and one Application per environment, auto-syncing only the first', async () => {
    const first = await scaffolder.run('argo');
    expect(first.error).toBeUndefined();
    expect(first.output.argocd.applications).toEqual({ snd: 'snd-payments-ledger-api', prd: 'prd-payments-ledger-api' });
    const [appProject] = objects('appprojects');
    expect(appProject.spec.sourceRepos).toEqual(['https://github.com/payments/payments-gitops.git']);
    expect(appProject.spec.destinations.map((d: any) => d.namespace)).toEqual(['snd-payments', 'prd-payments']);
    expect(appProject.spec.clusterResourceWhitelist).toEqual([]);
    const apps = Object.fromEntries(objects('applications').map(a => [a.name, a.spec]));
    expect(apps['snd-payments-ledger-api']).toMatchObject({
      project: 'payments',
      source: { path: 'apps/ledger-api/overlays/snd', targetRevision: 'main' },
      destination: { namespace: 'snd-payments' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(apps['prd-payments-ledger-api'].syncPolicy.automated).toBeUndefined();

    emulator.requests.clear();
    const second = await scaffolder.run('argo');
    expect(new Set(Object.values(second.output.argocd.results))).toEqual(new Set(['unchanged']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('makes no mutating call in dry runs', async () => {
    emulator.requests.clear();
    for (const steps of [...Object.values(kpackTemplates), argoSteps]) {
      const dryRun = await scaffolder.dryRun(steps);
      expect(dryRun.status).toBe(200);
    }
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('converges after a failure of any one of their writes', async () => {
    const state = () => ({
      images: objects('images'),
      appProjects: objects('appprojects'),
      applications: objects('applications'),
      secrets: objects('secrets'),
    });
    const converge = (template: string) =>
      expectConvergenceAfterEachFault({ emulator, setup, run: () => scaffolder.run(template), state });
    // kpack's git Secret and the Image; AppProject, Argo CD's repository Secret and two Applications
    expect(await converge('kpack-0')).toEqual({ points: 2, refused: 2, timedOut: 2, lost: 2 });
    expect(await converge('argo')).toEqual({ points: 4, refused: 4, timedOut: 4, lost: 4 });
  }, 120_000);
});
