import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import { emulatorConfig, expectConvergenceAfterEachFault, startScaffolder, type TemplateSteps } from '../__testUtils__/harness';
import { examples } from './harborProject.examples';

const namespacesStep = { id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'payments', owner: 'payments-team' } };
const PUSH_ROBOT = 'robot$payments+luban';
const PULL_ROBOT = 'robot$payments+luban-pull';

describe('luban:harbor:project through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const harborSteps = yaml.parse(examples[0].example).steps as TemplateSteps;
  const admin = () => ({ Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}` });

  /** A `harbor-payments` Secret, decoded. */
  interface RobotSecretView {
    type: string;
    registry: string;
    username: string;
    password: string;
    auth: string;
  }

  /** The `harbor-payments` Secret of each namespace, decoded, by namespace. */
  function robotSecrets(): Record<string, RobotSecretView> {
    const secrets = emulator.kubernetes.list('secrets').filter(s => s.metadata.name === 'harbor-payments');
    return Object.fromEntries(
      secrets.map(s => {
        const config = JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString());
        const [registry, credentials] = Object.entries<any>(config.auths)[0];
        const { username, password, auth } = credentials as { username: string; password: string; auth: string };
        return [s.metadata.namespace, { type: s.type, registry, username, password: password as string, auth }];
      }),
    );
  }

  /** What the registry answers a pull and a push with these credentials (200 and 202 when allowed, 401 when not). */
  async function registryAnswers(auth: string) {
    const { digest } = emulator.harbor.api.pushArtifact({ project: 'payments', repository: 'app', tags: ['probe'] });
    const headers = { Authorization: `Basic ${auth}` };
    const pull = await fetch(`${emulator.harbor.url}/v2/payments/app/manifests/${digest}`, { method: 'HEAD', headers });
    const push = await fetch(`${emulator.harbor.url}/v2/payments/app/blobs/uploads/`, { method: 'POST', headers });
    return { pull: pull.status, push: push.status };
  }

  async function state() {
    const projects = await fetch(`${emulator.harbor.url}/api/v2.0/projects?page_size=100`, { headers: admin() }).then(r => r.json());
    const robots = await fetch(`${emulator.harbor.url}/api/v2.0/robots?page_size=100`, { headers: admin() }).then(r => r.json());
    const secrets = Object.entries(robotSecrets()).map(([namespace, { password, auth, ...rest }]) => ({ namespace, ...rest }));
    return {
      projects: projects.map((p: any) => [p.name, p.metadata]),
      robots: robots.map((r: any) => [r.name, r.permissions]),
      secrets: secrets.sort((a, b) => a.namespace.localeCompare(b.namespace)),
    };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: {
        namespaces: [namespacesStep as any],
        example: harborSteps,
        'snd-only': [{ id: 'harbor', action: 'luban:harbor:project', input: { project: 'payments', environments: ['snd'] } }],
        onboarding: [namespacesStep as any, ...harborSteps],
        'no-namespaces': [{ id: 'harbor', action: 'luban:harbor:project', input: { project: 'orphans' } }],
        'library-namespaces': [{ id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'library', owner: 'payments-team' } }],
        library: [{ id: 'harbor', action: 'luban:harbor:project', input: { project: 'library' } }],
      },
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
  });

  it('writes the push robot only into ci-, a pull-only robot into each environment, records the Harbor project; a re-run changes nothing', async () => {
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
    const first = await scaffolder.run('example');
    expect(first.error).toBeUndefined();
    expect(first.output.harbor).toMatchObject({
      harborProject: 'payments',
      robot: PUSH_ROBOT,
      pullRobot: PULL_ROBOT,
      pullSecret: 'harbor-payments',
      projectUrl: expect.stringMatching(/\/harbor\/projects\/\d+\/repositories$/),
    });
    const secrets = robotSecrets();
    expect(Object.keys(secrets).sort()).toEqual(['ci-payments', 'prd-payments', 'snd-payments']);
    const registry = new URL(emulator.harbor.url).host;
    expect(secrets['ci-payments']).toMatchObject({ type: 'kubernetes.io/dockerconfigjson', registry, username: PUSH_ROBOT });
    expect(await registryAnswers(secrets['ci-payments'].auth)).toEqual({ pull: 200, push: 202 });
    for (const namespace of ['snd-payments', 'prd-payments']) {
      expect(secrets[namespace]).toMatchObject({ type: 'kubernetes.io/dockerconfigjson', registry, username: PULL_ROBOT });
      // The registry's answer to a pull-only robot's push, as Harbor gives it.
      expect(await registryAnswers(secrets[namespace].auth)).toEqual({ pull: 200, push: 401 });
    }
    expect(secrets['snd-payments'].password).toBe(secrets['prd-payments'].password);
    expect(emulator.kubernetes.list('namespaces').find(ns => ns.metadata.name === 'ci-payments')?.metadata.annotations).toMatchObject({
      'luban.dev/harbor-project': 'payments',
    });
    // No robot secret is in what the task shows.
    const shown = JSON.stringify(first);
    for (const { password } of Object.values(secrets)) expect(shown).not.toContain(password);

    emulator.requests.clear();
    const second = await scaffolder.run('example');
    expect(second.status).toBe('completed');
    expect(new Set(Object.values(second.output.harbor.results))).toEqual(new Set(['unchanged']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it("names its robots with Harbor's robot_name_prefix (luban.harbor.robotNamePrefix) and finds them again on a re-run", async () => {
    // Harbor core ROBOT_NAME_PREFIX (src/lib/config/metadata/metadatalist.go), changed by the Harbor administrator.
    emulator.harbor.api.setRobotNamePrefix('ci-bot.');
    const config = emulatorConfig(emulator) as any;
    config.luban.harbor.robotNamePrefix = 'ci-bot.';
    const prefixed = await startScaffolder({ config, templates: { namespaces: [namespacesStep as any], example: harborSteps } });
    expect((await prefixed.run('namespaces')).status).toBe('completed');
    const first = await prefixed.run('example');
    expect(first.output.harbor).toMatchObject({ robot: 'ci-bot.payments+luban', pullRobot: 'ci-bot.payments+luban-pull' });
    expect(robotSecrets()['ci-payments'].username).toBe('ci-bot.payments+luban');
    expect(await registryAnswers(robotSecrets()['ci-payments'].auth)).toEqual({ pull: 200, push: 202 });

    emulator.requests.clear();
    expect((await prefixed.run('example')).status).toBe('completed');
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('rotates the pull robot when one environment lost its secret, and rewrites every environment that ever held it, selected or not', async () => {
    await scaffolder.run('onboarding');
    const before = robotSecrets();
    emulator.kubernetes.remove('secrets', 'snd-payments', 'harbor-payments');
    const rerun = await scaffolder.run('snd-only');
    expect(rerun.error).toBeUndefined();
    expect(rerun.output.harbor.results).toMatchObject({
      [`Harbor robot ${PUSH_ROBOT}`]: 'unchanged',
      [`Harbor robot ${PULL_ROBOT}`]: 'secret rotated',
      'Secret snd-payments/harbor-payments': 'created',
      'Secret prd-payments/harbor-payments': 'updated',
    });
    const after = robotSecrets();
    expect(after['ci-payments'].password).toBe(before['ci-payments'].password);
    expect(after['snd-payments'].password).toBe(after['prd-payments'].password);
    expect(after['prd-payments'].password).not.toBe(before['prd-payments'].password);
    expect(await registryAnswers(after['prd-payments'].auth)).toEqual({ pull: 200, push: 401 });
    // The old pull secret no longer logs in: the registry treats it as anonymous.
    expect((await registryAnswers(before['prd-payments'].auth)).pull).toBe(401);
  });

  it('rotates the push robot when its secret sits in an environment namespace (the shared robot before the split) and puts the pull robot there', async () => {
    await scaffolder.run('onboarding');
    const before = robotSecrets();
    // As the action left it before the split: the push (then push+pull) robot's Secret in snd-payments.
    const ci = emulator.kubernetes.list('secrets', 'ci-payments').find(s => s.metadata.name === 'harbor-payments')!;
    emulator.kubernetes.remove('secrets', 'snd-payments', 'harbor-payments');
    emulator.kubernetes.create('secrets', {
      ...ci,
      metadata: { name: 'harbor-payments', namespace: 'snd-payments', labels: ci.metadata.labels, annotations: ci.metadata.annotations },
    });

    const rerun = await scaffolder.run('example');
    expect(rerun.error).toBeUndefined();
    expect(rerun.output.harbor.results[`Harbor robot ${PUSH_ROBOT}`]).toBe('secret rotated');
    const after = robotSecrets();
    expect(after['snd-payments'].username).toBe(PULL_ROBOT);
    expect(after['ci-payments'].password).not.toBe(before['ci-payments'].password);
    expect(await registryAnswers(after['ci-payments'].auth)).toEqual({ pull: 200, push: 202 });
    // The copy that sat in snd-payments no longer pushes.
    expect((await registryAnswers(before['ci-payments'].auth)).push).toBe(401);
  });

  it('does not adopt an existing Harbor project the project record does not name (library), and writes nothing', async () => {
    expect((await scaffolder.run('library-namespaces')).status).toBe('completed');
    emulator.requests.clear();
    const result = await scaffolder.run('library');
    expect(result.status).toBe('failed');
    expect(result.error).toContain(
      "Harbor project 'library' already exists but is not luban project 'library's (no luban.dev/harbor-project on namespace ci-library); luban does not adopt a Harbor project it did not create",
    );
    expect(emulator.requests.mutating()).toEqual([]);
    expect(emulator.kubernetes.list('secrets').filter(s => s.metadata.name === 'harbor-library')).toEqual([]);
  });

  it('makes no mutating call in a dry run', async () => {
    await scaffolder.run('namespaces');
    emulator.requests.clear();
    const dryRun = await scaffolder.dryRun(harborSteps);
    expect(dryRun.status).toBe(200);
    expect(emulator.requests.mutating()).toEqual([]);
    const log = dryRun.log.join('\n');
    expect(log).toContain('Harbor project payments: would be created');
    expect(log).toContain(`Harbor robot ${PULL_ROBOT}: would be created`);
  });

  it('refuses to start before the namespaces exist, and creates nothing in Harbor', async () => {
    const result = await scaffolder.run('no-namespaces');
    expect(result.status).toBe('failed');
    expect(result.error).toContain("Namespace 'ci-orphans' does not exist in cluster 'emulator': run luban:project:namespaces first");
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('converges after a failure of any one of its writes', async () => {
    const counts = await expectConvergenceAfterEachFault({
      emulator,
      setup: async () => {
        await scaffolder.run('namespaces');
      },
      run: () => scaffolder.run('example'),
      state,
    });
    // the record, the project, two robots, three secrets; each refused, timed out and lost
    expect(counts).toEqual({ points: 7, refused: 7, timedOut: 7, lost: 7 });
  }, 180_000);
});
