import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import type { JsonObject } from '@backstage/types';
import { emulatorConfig, startScaffolder, type TemplateSteps } from '../__testUtils__/harness';

/** The token of the github.com integration: it may reach the cluster's Secrets, never a task's output or log. */
const READ_TOKEN = 'ghp_readTokenOfTheGithubComIntegration';

const steps: Record<string, TemplateSteps> = {
  namespaces: [{ id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'payments', owner: 'payments-team' } }],
  kpack: [
    {
      id: 'image',
      action: 'luban:kpack:image',
      input: { project: 'payments', app: 'ledger-api', sourceRepoUrl: 'github.com?owner=payments&repo=ledger-api' },
    },
  ],
  argo: [
    {
      id: 'argocd',
      action: 'luban:argocd:project',
      input: { project: 'payments', gitopsRepoUrl: 'github.com?owner=payments&repo=payments-gitops' },
    },
  ],
};

function withGithubCom(emulator: RunningEmulator, githubCom: JsonObject): JsonObject {
  const config = emulatorConfig(emulator) as any;
  config.integrations.github = [config.integrations.github[0], { host: 'github.com', ...githubCom }];
  return config;
}

const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');

describe('the read credentials kpack and Argo CD get for private repositories', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
  });

  it("writes kpack's git Secret, lists it on a builder account made without it, and Argo CD's project-scoped repository Secret; a re-run changes nothing", async () => {
    const scaffolder = await startScaffolder({ config: withGithubCom(emulator, { token: READ_TOKEN }), templates: steps });
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
    // A project onboarded before luban wrote git Secrets: its builder account lists only the registry Secret.
    const account = emulator.kubernetes.list('serviceaccounts', 'ci-payments').find(a => a.metadata.name === 'luban-builder')!;
    emulator.kubernetes.remove('serviceaccounts', 'ci-payments', 'luban-builder');
    const { name, namespace, labels } = account.metadata;
    emulator.kubernetes.create('serviceaccounts', { ...account, metadata: { name, namespace, labels }, secrets: [{ name: 'harbor-payments' }] });

    const kpack = await scaffolder.run('kpack');
    const argo = await scaffolder.run('argo');
    expect([kpack.error, argo.error]).toEqual([undefined, undefined]);

    const gitSecret = emulator.kubernetes.list('secrets', 'ci-payments').find(s => s.metadata.name === 'luban-git')!;
    expect(gitSecret).toMatchObject({ type: 'kubernetes.io/basic-auth', metadata: { annotations: { 'kpack.io/git': 'https://github.com' } } });
    expect(decode(gitSecret.data.password)).toBe(READ_TOKEN);
    const builder = emulator.kubernetes.list('serviceaccounts', 'ci-payments').find(a => a.metadata.name === 'luban-builder')!;
    expect(builder.secrets).toEqual([{ name: 'harbor-payments' }, { name: 'luban-git' }]);
    const repository = emulator.kubernetes.list('secrets', 'argocd').find(s => s.metadata.name === 'luban-repo-payments-gitops')!;
    expect(repository.metadata.labels?.['argocd.argoproj.io/secret-type']).toBe('repository');
    expect(Object.fromEntries(['url', 'project', 'username'].map(key => [key, decode(repository.data[key])]))).toEqual({
      url: 'https://github.com/payments/payments-gitops.git',
      project: 'payments',
      username: 'x-access-token',
    });
    expect(JSON.stringify([kpack, argo])).not.toContain(READ_TOKEN);

    emulator.requests.clear();
    expect((await scaffolder.run('kpack')).status).toBe('completed');
    expect((await scaffolder.run('argo')).status).toBe('completed');
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('refuses a host with only GitHub App credentials before writing anything: an installation token expires within the hour', async () => {
    const app = { appId: 1, clientId: 'c', clientSecret: 's', webhookSecret: 'w', privateKey: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----' };
    const scaffolder = await startScaffolder({ config: withGithubCom(emulator, { apps: [app] }), templates: steps });
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
    emulator.requests.clear();

    for (const template of ['kpack', 'argo']) {
      const result = await scaffolder.run(template);
      expect(result.status).toBe('failed');
      expect(result.error).toContain("integrations.github for 'github.com' has no token");
    }
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('gives kpack and Argo CD the read-only credential luban.gitReadCredentials names for the host, not the integration\'s token, even where the integration is a GitHub App', async () => {
    const app = { appId: 1, clientId: 'c', clientSecret: 's', webhookSecret: 'w', privateKey: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----' };
    const readOnly = 'github_pat_readOnlyContentsRead';
    const config = withGithubCom(emulator, { apps: [app] }) as any;
    config.luban.gitReadCredentials = [{ host: 'GitHub.com', token: readOnly }];
    const scaffolder = await startScaffolder({ config, templates: steps });
    expect((await scaffolder.run('namespaces')).status).toBe('completed');

    const kpack = await scaffolder.run('kpack');
    const argo = await scaffolder.run('argo');
    expect([kpack.error, argo.error]).toEqual([undefined, undefined]);
    const gitSecret = emulator.kubernetes.list('secrets', 'ci-payments').find(s => s.metadata.name === 'luban-git')!;
    const repository = emulator.kubernetes.list('secrets', 'argocd').find(s => s.metadata.name === 'luban-repo-payments-gitops')!;
    for (const secret of [gitSecret, repository]) {
      expect([decode(secret.data.username), decode(secret.data.password)]).toEqual(['x-access-token', readOnly]);
    }
    expect(JSON.stringify([kpack, argo])).not.toContain(readOnly);
  });
});
