import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { LubanClusters } from '@luban-backstage/plugin-luban-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { JsonObject } from '@backstage/types';
import yaml from 'yaml';
import { emulatorConfig } from '../__testUtils__/harness';
import { ProjectGuard } from './projectGuard';
import { createValidateProjectAction } from './validateProject';
import { examples } from './validateProject.examples';

const environments = [
  { name: 'snd', namespacePattern: '{env}-{project}' },
  { name: 'prd', namespacePattern: '{env}-{project}' },
];

describe('luban:project:validate', () => {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [{ host: 'github.com', token: 'unused' }, { host: 'ghe.example.com', apiBaseUrl: 'http://ghe.example.com/api/v3', token: 'unused' }],
        azure: [{ host: 'dev.azure.com' }],
        gitlab: [{ host: 'gitlab.com', token: 'unused' }],
      },
    }),
  );
  let emulator: RunningEmulator;
  let action: ReturnType<typeof createValidateProjectAction>;
  beforeAll(async () => {
    emulator = await startEmulator();
    // The names are what is tested here: the user is a platform admin, whom the project record lets through.
    const clusters = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator)));
    const guard = new ProjectGuard({ userInfo: mockServices.userInfo(), permissions: mockServices.permissions(), clusters });
    action = createValidateProjectAction({ environments, integrations, guard });
  });
  afterAll(() => emulator.stop());

  it('outputs every name derived from the project', async () => {
    const ctx = createMockActionContext({ input: { project: 'payments' } });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('ciNamespace', 'ci-payments');
    expect(ctx.output).toHaveBeenCalledWith('namespaces', { snd: 'snd-payments', prd: 'prd-payments' });
    expect(ctx.output).toHaveBeenCalledWith('harborProject', 'payments');
    expect(ctx.output).toHaveBeenCalledWith('gitopsRepository', 'payments-gitops');
    expect(ctx.output).toHaveBeenCalledWith('argoCdProject', 'payments');
  });

  it.each(examples.map(e => [e.description, e.example]))('runs the example: %s', async (_, example) => {
    const step = yaml.parse(example).steps[0];
    const ctx = createMockActionContext({ input: step.input });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('ciNamespace', `ci-${step.input.project}`);
  });

  it('describes the source repository and finds the GitOps repository next to it', async () => {
    const ctx = createMockActionContext({
      input: { project: 'payments', apps: ['ledger-api'], sourceRepoUrl: 'github.com?owner=payments&repo=ledger-api' },
    });
    await action.handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('sourceRepo', {
      provider: 'github',
      name: 'ledger-api',
      webUrl: 'https://github.com/payments/ledger-api',
      cloneUrl: 'https://github.com/payments/ledger-api.git',
      sourceLocation: 'https://github.com/payments/ledger-api/tree/main/',
      githubSlug: 'payments/ledger-api',
    });
    expect(ctx.output).toHaveBeenCalledWith('gitopsRepo', {
      provider: 'github',
      name: 'payments-gitops',
      webUrl: 'https://github.com/payments/payments-gitops',
      cloneUrl: 'https://github.com/payments/payments-gitops.git',
    });
  });

  it('keeps a GitOps repository given elsewhere, and treats an empty one as not given', async () => {
    const elsewhere = createMockActionContext({
      input: {
        project: 'payments',
        sourceRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=ledger-api',
        gitopsRepoUrl: 'http://ghe.example.com/platform/payments-gitops',
      },
    });
    await action.handler(elsewhere as any);
    expect(elsewhere.output).toHaveBeenCalledWith('sourceRepo', expect.objectContaining({
      provider: 'azure',
      webUrl: 'https://dev.azure.com/luban/payments/_git/ledger-api',
      sourceLocation: 'https://dev.azure.com/luban/payments/_git/ledger-api',
    }));
    expect(elsewhere.output).toHaveBeenCalledWith('gitopsRepo', expect.objectContaining({ webUrl: 'http://ghe.example.com/platform/payments-gitops' }));

    const empty = createMockActionContext({
      input: { project: 'payments', sourceRepoUrl: 'dev.azure.com?organization=luban&project=payments&repo=ledger-api', gitopsRepoUrl: '' },
    });
    await action.handler(empty as any);
    expect(empty.output).toHaveBeenCalledWith('gitopsRepo', expect.objectContaining({ webUrl: 'https://dev.azure.com/luban/payments/_git/payments-gitops' }));
  });

  it.each<[JsonObject, RegExp]>([
    [{ project: 'Payments' }, /^Input 'project': The project name "Payments" must be lowercase/],
    [{ project: 'pay_ments' }, /^Input 'project': .*contains '_'/],
    [{ project: 'payments', apps: ['api', 'Api'] }, /^Input 'apps\[1\]': The app name "Api" must be lowercase/],
    [{ project: 'payments', apps: ['api', 'api'] }, /^Input 'apps': 'api' is listed twice/],
    [{ project: 'payments', sourceRepoUrl: 'gitlab.com?owner=a&repo=b' }, /^Repository 'gitlab.com\?owner=a&repo=b': gitlab hosts are not supported/],
    [{ project: 'payments', sourceRepoUrl: 'evil.example.com?owner=a&repo=b' }, /host 'evil.example.com' is not configured/],
    [{ project: 'payments', gitopsRepoUrl: 'github.com?owner=a&repo=$(id)' }, /the repository '\$\(id\)' is missing or not a valid name/],
  ])('rejects %j with an InputError naming the field', async (input, message) => {
    const ctx = createMockActionContext({ input });
    await expect(action.handler(ctx as any)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(message),
    });
    expect(ctx.output).not.toHaveBeenCalled();
  });
});
