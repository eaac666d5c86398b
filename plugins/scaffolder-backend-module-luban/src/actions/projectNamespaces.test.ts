import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import {
  emulatorConfig,
  expectConvergenceAfterEachFault,
  startScaffolder,
  type TemplateSteps,
} from '../__testUtils__/harness';
import { examples } from './projectNamespaces.examples';

const step = (input: Record<string, unknown>): TemplateSteps => [
  { id: 'namespaces', action: 'luban:project:namespaces', input: input as any },
];

describe('luban:project:namespaces through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const exampleTemplates = Object.fromEntries(
    examples.map((example, index) => [`example-${index}`, yaml.parse(example.example).steps as TemplateSteps]),
  );

  /** Everything luban created, as kubectl would list it, for comparing end states. */
  function clusterState() {
    const kinds = ['namespaces', 'resourcequotas', 'limitranges', 'serviceaccounts', 'rolebindings'];
    return kinds.flatMap(plural =>
      emulator.kubernetes
        .list(plural)
        .map((o: any) => ({ kind: o.kind, ns: o.metadata.namespace, name: o.metadata.name, labels: o.metadata.labels, spec: o.spec, roleRef: o.roleRef, subjects: o.subjects, imagePullSecrets: o.imagePullSecrets, secrets: o.secrets })),
    );
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: {
        ...exampleTemplates,
        payments: step({ project: 'payments', owner: 'group:default/payments-team' }),
      },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it.each(Object.keys(exampleTemplates))('runs %s and a second run changes nothing', async template => {
    const first = await scaffolder.run(template);
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('completed');
    const results = Object.values(first.output.namespaces.results as Record<string, string>);
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results)).toEqual(new Set(['created']));

    emulator.requests.clear();
    const second = await scaffolder.run(template);
    expect(second.status).toBe('completed');
    expect(new Set(Object.values(second.output.namespaces.results as Record<string, string>))).toEqual(new Set(['unchanged']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('creates the namespaces with Pod Security, quota, limits, service accounts and owner RBAC', async () => {
    const result = await scaffolder.run('payments');
    expect(result.output.namespaces.namespaces).toEqual({ ci: 'ci-payments', snd: 'snd-payments', prd: 'prd-payments' });
    const state = clusterState();
    const ns = state.filter(o => o.kind === 'Namespace');
    expect(ns.map(o => o.name)).toEqual(['ci-payments', 'prd-payments', 'snd-payments']);
    for (const namespace of ns) {
      expect(namespace.labels).toMatchObject({
        'luban.dev/project': 'payments',
        'luban.dev/owner': 'payments-team',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'app.kubernetes.io/managed-by': 'luban-backstage',
      });
    }
    const binding = (namespace: string) => state.find(o => o.kind === 'RoleBinding' && o.ns === namespace);
    expect(binding('snd-payments')).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'Group', name: 'payments-team' }],
    });
    expect(binding('prd-payments')?.roleRef.name).toBe('view');
    expect(state.find(o => o.kind === 'ServiceAccount' && o.ns === 'ci-payments')).toMatchObject({
      name: 'luban-builder',
      secrets: [{ name: 'harbor-payments' }, { name: 'luban-git' }],
      imagePullSecrets: [{ name: 'harbor-payments' }],
    });
    expect(state.find(o => o.kind === 'ResourceQuota' && o.ns === 'snd-payments')?.spec.hard).toMatchObject({ pods: '50' });
  });

  it('makes no mutating call in a dry run and says what it would create', async () => {
    emulator.requests.clear();
    const dryRun = await scaffolder.dryRun(step({ project: 'payments', owner: 'payments-team' }));
    expect(dryRun.status).toBe(200);
    expect(emulator.requests.mutating()).toEqual([]);
    expect(dryRun.log.join('\n')).toContain('Namespace ci-payments: would be created');
  });

  it('refuses a namespace that belongs to someone else, and changes nothing', async () => {
    emulator.kubernetes.create('namespaces', { metadata: { name: 'snd-payments', labels: { team: 'legacy' } } });
    emulator.requests.clear();
    const result = await scaffolder.run('payments');
    expect(result.status).toBe('failed');
    expect(result.error).toContain("Namespace 'snd-payments' already exists in Kubernetes cluster 'emulator' but was not created by luban");
    expect(emulator.kubernetes.list('namespaces').map(ns => [ns.metadata.name, ns.metadata.labels])).toEqual([
      ['snd-payments', { team: 'legacy', 'kubernetes.io/metadata.name': 'snd-payments' }],
    ]);
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('converges to the clean-run state after any one mutating call fails (refused, timed out, or applied with its answer lost)', async () => {
    const counts = await expectConvergenceAfterEachFault({
      emulator,
      run: () => scaffolder.run('payments'),
      state: clusterState,
    });
    // 3 namespaces × (namespace, quota, limits, service account, role binding); each refused, timed out and lost
    expect(counts).toEqual({ points: 15, refused: 15, timedOut: 15, lost: 15 });
  }, 180_000);
});
