import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import {
  emulatorConfig,
  expectConvergenceAfterEachFault,
  startScaffolder,
  type TemplateSteps,
} from '../__testUtils__/harness';
import { examples } from './harborProject.examples';

const namespacesStep = { id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'payments', owner: 'payments-team' } };

describe('luban:harbor:project through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const harborSteps = yaml.parse(examples[0].example).steps as TemplateSteps;

  /** The pull secret of each namespace, decoded, and whether Harbor accepts it. */
  async function pullSecrets() {
    const secrets = emulator.kubernetes.list('secrets').filter(s => s.metadata.name === 'harbor-payments');
    return Promise.all(
      secrets.map(async s => {
        const config = JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString());
        const [registry, credentials] = Object.entries<any>(config.auths)[0];
        const answer = await fetch(`${emulator.harbor.url}/api/v2.0/projects/payments/repositories`, {
          headers: { Authorization: `Basic ${credentials.auth}` },
        });
        return {
          namespace: s.metadata.namespace,
          type: s.type,
          registry,
          username: credentials.username,
          password: credentials.password as string,
          works: answer.status === 200,
        };
      }),
    );
  }

  async function state() {
    const secrets = await pullSecrets();
    const projects = await fetch(`${emulator.harbor.url}/api/v2.0/projects?page_size=100`, {
      headers: { Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}` },
    }).then(r => r.json());
    const robots = await fetch(`${emulator.harbor.url}/api/v2.0/robots?page_size=100`, {
      headers: { Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}` },
    }).then(r => r.json());
    return {
      projects: projects.map((p: any) => [p.name, p.metadata]),
      robots: robots.map((r: any) => r.name),
      secrets: secrets.map(({ password, ...rest }) => rest),
    };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: {
        namespaces: [namespacesStep as any],
        example: harborSteps,
        onboarding: [namespacesStep as any, ...harborSteps],
        'no-namespaces': [{ id: 'harbor', action: 'luban:harbor:project', input: { project: 'orphans' } }],
      },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
  });

  it('creates the project, a scoped robot and working pull secrets; a re-run changes nothing', async () => {
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
    const first = await scaffolder.run('example');
    expect(first.error).toBeUndefined();
    expect(first.output.harbor).toMatchObject({
      harborProject: 'payments',
      robot: 'robot$payments+luban',
      pullSecret: 'harbor-payments',
      projectUrl: expect.stringMatching(/\/harbor\/projects\/\d+\/repositories$/),
    });
    const secrets = await pullSecrets();
    expect(secrets.map(s => s.namespace).sort()).toEqual(['ci-payments', 'prd-payments', 'snd-payments']);
    for (const secret of secrets) {
      expect(secret).toMatchObject({
        type: 'kubernetes.io/dockerconfigjson',
        registry: new URL(emulator.harbor.url).host,
        username: 'robot$payments+luban',
        works: true,
      });
    }
    // The robot secret is nowhere in what the task shows.
    const shown = JSON.stringify(first);
    expect(shown).not.toContain(secrets[0].password);

    emulator.requests.clear();
    const second = await scaffolder.run('example');
    expect(second.status).toBe('completed');
    expect(new Set(Object.values(second.output.harbor.results))).toEqual(new Set(['unchanged']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('gives the robot a new secret, written everywhere, when one namespace lost its pull secret', async () => {
    await scaffolder.run('onboarding');
    const before = await pullSecrets();
    emulator.kubernetes.remove('secrets', 'snd-payments', 'harbor-payments');
    const rerun = await scaffolder.run('example');
    expect(rerun.output.harbor.results['Harbor robot robot$payments+luban']).toBe('secret rotated');
    const after = await pullSecrets();
    expect(after).toHaveLength(3);
    expect(after.every(s => s.works)).toBe(true);
    expect(after[0].password).not.toBe(before[0].password);
  });

  it('makes no mutating call in a dry run', async () => {
    await scaffolder.run('namespaces');
    emulator.requests.clear();
    const dryRun = await scaffolder.dryRun(harborSteps);
    expect(dryRun.status).toBe(200);
    expect(emulator.requests.mutating()).toEqual([]);
    expect(dryRun.log.join('\n')).toContain('Harbor project payments: would be created');
  });

  it('refuses to start before the namespaces exist, and creates nothing in Harbor', async () => {
    const result = await scaffolder.run('no-namespaces');
    expect(result.status).toBe('failed');
    expect(result.error).toContain("Namespace 'ci-orphans' does not exist in cluster 'emulator': run luban:project:namespaces first");
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('converges after a failure of any one of its writes', async () => {
    const points = await expectConvergenceAfterEachFault({
      emulator,
      setup: async () => {
        await scaffolder.run('namespaces');
      },
      run: () => scaffolder.run('example'),
      state,
    });
    expect(points).toBe(5); // project, robot, three secrets
  }, 120_000);
});
