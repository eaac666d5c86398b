import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import { emulatorConfig, recordProject, startScaffolder, type TemplateSteps } from '../__testUtils__/harness';
import { examples as validateExamples } from './validateProject.examples';

/** A template whose single step takes every input from the task's parameters. */
function fromParameters(action: string, fields: string[]): TemplateSteps {
  return [{ id: 'step', action, input: Object.fromEntries(fields.map(f => [f, `\${{ parameters.${f} }}`])) }];
}

const BAD_PROJECTS = [
  'Payments', 'PAY', 'pay_ments', 'pay.ments', 'pay ments', ' payments', 'payments\n', '1payments', '-payments',
  'payments-', 'x'.repeat(31), '../etc', '$(whoami)', 'pay;rm -rf', 'pay`id`', 'p\u0430yments', 'payments\u00a0',
  'paymënts', 'pay\u200bments', 'pay*', '',
];
const BAD_APPS = ['Api', 'api_v2', '2api', 'api-', 'a'.repeat(41), 'api/../x', '$(id)', 'a\u0440i', 'api\t', 'api name'];
const BAD_REPOS = [
  'https://evil.example.com/acme/api',
  'http://169.254.169.254/latest/meta-data',
  'file:///etc/passwd',
  'github.com?owner=acme',
  'github.com?owner=..&repo=api',
  'github.com?owner=acme&repo=$(id)',
  'https://github.com/acme/api/tree/main',
  'https://dev.azure.com/luban/platform/api',
  'gitlab.com?owner=a&repo=b',
];
const BAD_BRANCHES = ['feature..x', 'refs/../x', '/main', 'has space', 'tilde~1', 'x.lock', 'a:b', 'a@{1}'];

interface Case {
  template: string;
  values: Record<string, unknown>;
  message: RegExp;
}

function cases(): Case[] {
  const all: Case[] = [];
  const ok = {
    project: 'payments',
    app: 'api',
    owner: 'payments-team',
    sourceRepoUrl: 'github.com?owner=p&repo=api',
    gitopsRepoUrl: 'github.com?owner=p&repo=p-gitops',
    repoUrl: 'github.com?owner=p&repo=api',
  };
  for (const project of BAD_PROJECTS) {
    for (const template of ['validate', 'namespaces', 'harbor', 'kpack', 'argocd', 'gitops', 'gitopsRepo', 'argocdProject', 'dagsterInstance', 'dagsterPlatform', 'dagsterLocation']) {
      all.push({ template, values: { ...ok, project }, message: /Input 'project': The project name/ });
    }
  }
  for (const app of BAD_APPS) {
    for (const template of ['kpack', 'argocd', 'gitops', 'dagsterLocation']) {
      all.push({ template, values: { ...ok, app }, message: /Input 'app': The app name/ });
    }
  }
  for (const repo of BAD_REPOS) {
    all.push({ template: 'kpack', values: { ...ok, sourceRepoUrl: repo }, message: /InputError: Repository '/ });
    all.push({ template: 'argocd', values: { ...ok, gitopsRepoUrl: repo }, message: /InputError: Repository '/ });
    all.push({ template: 'gitops', values: { ...ok, gitopsRepoUrl: repo }, message: /InputError: Repository '/ });
    all.push({ template: 'webhook', values: { ...ok, repoUrl: repo }, message: /InputError: Repository '/ });
    for (const template of ['gitopsRepo', 'argocdProject', 'dagsterPlatform', 'dagsterLocation']) {
      all.push({ template, values: { ...ok, gitopsRepoUrl: repo }, message: /InputError: Repository '/ });
    }
    all.push({ template: 'validate', values: { ...ok, sourceRepoUrl: repo }, message: /InputError: Repository '/ });
  }
  for (const branch of BAD_BRANCHES) {
    all.push({ template: 'kpack', values: { ...ok, branch }, message: /Input 'branch': .* is not a valid git branch name/ });
  }
  for (const subPath of ['../x', '/abs', 'a/../../b', 'a;b']) {
    all.push({ template: 'kpack', values: { ...ok, subPath }, message: /Input 'subPath'/ });
  }
  for (const template of ['namespaces', 'harbor', 'argocd', 'dagsterInstance', 'dagsterPlatform', 'dagsterLocation']) {
    all.push({ template, values: { ...ok, environments: ['qa'] }, message: /Input 'environments': unknown environment 'qa'; configured environments: snd, prd/ });
  }
  for (const owner of ['user:default/alice', 'component:x', '::', 'group:default/']) {
    for (const template of ['namespaces', 'gitopsRepo', 'dagsterPlatform']) {
      all.push({ template, values: { ...ok, owner }, message: /Input 'owner': .* is not a Group entity reference/ });
    }
  }
  for (const description of ['two\nlines', 'bell\u0007', 'x'.repeat(501)]) {
    all.push({ template: 'gitopsRepo', values: { ...ok, description }, message: /Input 'description'|description/ });
  }
  for (const domainSuffix of ['Example.COM..', 'a b.com', 'https://apps.example.com', '-apps.example.com']) {
    all.push({ template: 'dagsterPlatform', values: { ...ok, domainSuffix }, message: /Input 'domainSuffix': .* is not a DNS name/ });
  }
  for (const dagsterImage of ['UPPER/dagster', 'dagster:latest;rm', 'a b']) {
    all.push({ template: 'dagsterPlatform', values: { ...ok, domainSuffix: 'apps.example.com', dagsterImage }, message: /Input 'dagsterImage': .* is not a container image reference/ });
  }
  all.push({ template: 'dagsterLocation', values: { ...ok, app: 'dagster' }, message: /Input 'app': 'dagster' is the name of the Dagster platform itself/ });
  for (const env of [{ '1ABC': 'x' }, { 'A-B': 'x' }, { 'A B': 'x' }]) {
    all.push({ template: 'gitops', values: { ...ok, env }, message: /Input 'env': .* is not an environment variable name/ });
  }
  all.push({ template: 'gitops', values: { ...ok, imageEnv: 'DAGSTER-IMAGE' }, message: /Input 'imageEnv': .* is not an environment variable name/ });
  for (const healthPath of ['healthz', '/a/../b', '/a b', '/$(id)']) {
    all.push({ template: 'gitops', values: { ...ok, healthPath }, message: /Input 'healthPath': .* is not an absolute HTTP path/ });
  }
  all.push({ template: 'gitops', values: { ...ok, healthPath: '/healthz', protocol: 'grpc' }, message: /Input 'healthPath': an HTTP health check needs protocol http/ });
  // An address needs an HTTP app, and a host pattern (this configuration names none).
  all.push({ template: 'gitops', values: { ...ok, route: true, protocol: 'grpc' }, message: /Input 'route': an HTTPRoute carries HTTP; the app's protocol is grpc/ });
  all.push({ template: 'gitops', values: { ...ok, route: true }, message: /Input 'route': luban names no hosts; set luban.gateway.hostnamePattern/ });
  for (const quota of [{ 'requests.cpu': 'lots' }, { 'requests.memory': '1 Gi' }, { 'bad key!': '1' }]) {
    all.push({ template: 'namespaces', values: { ...ok, quota }, message: /Input 'quota/ });
  }
  return all;
}

describe('bad inputs to every luban action', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;

  beforeAll(async () => {
    emulator = await startEmulator();
    // The examples check names of an onboarded project, which the user's group owns.
    recordProject(emulator, 'payments');
    scaffolder = await startScaffolder({
      config: emulatorConfig(emulator),
      templates: {
        validate: fromParameters('luban:project:validate', ['project', 'sourceRepoUrl']),
        namespaces: fromParameters('luban:project:namespaces', ['project', 'owner', 'environments', 'quota']),
        harbor: fromParameters('luban:harbor:project', ['project', 'environments']),
        kpack: fromParameters('luban:kpack:image', ['project', 'app', 'sourceRepoUrl', 'branch', 'subPath']),
        argocd: fromParameters('luban:argocd:app', ['project', 'app', 'gitopsRepoUrl', 'environments']),
        gitops: fromParameters('luban:gitops:app', ['project', 'app', 'gitopsRepoUrl', 'environments', 'env', 'imageEnv', 'healthPath', 'protocol', 'route']),
        gitopsRepo: fromParameters('luban:gitops:repo', ['project', 'gitopsRepoUrl', 'owner', 'description']),
        argocdProject: fromParameters('luban:argocd:project', ['project', 'gitopsRepoUrl']),
        dagsterInstance: fromParameters('luban:dagster:instance', ['project', 'environments']),
        dagsterPlatform: fromParameters('luban:dagster:platform', ['project', 'gitopsRepoUrl', 'owner', 'environments', 'domainSuffix', 'dagsterImage']),
        dagsterLocation: fromParameters('luban:dagster:location', ['project', 'app', 'gitopsRepoUrl', 'environments']),
        webhook: fromParameters('luban:webhook:register', ['repoUrl']),
        ...Object.fromEntries(
          validateExamples.map((example, index) => [`validate-example-${index}`, yaml.parse(example.example).steps]),
        ),
      },
    });
  });
  afterAll(() => emulator.stop());

  const all = cases();

  it.each(validateExamples.map((_, index) => `validate-example-${index}`))('runs %s of luban:project:validate', async template => {
    const result = await scaffolder.run(template);
    expect(result.status).toBe('completed');
    expect(result.output.names).toMatchObject({ ciNamespace: 'ci-payments', harborProject: 'payments' });
  });

  it('has at least 100 of them', () => {
    expect(all.length).toBeGreaterThanOrEqual(100);
  });

  it('answers each with a clear error before any call is made', async () => {
    emulator.requests.clear();
    const failures: string[] = [];
    for (const { template, values, message } of all) {
      const result = await scaffolder.run(template, values as any);
      const error = result.error ?? '';
      if (result.status !== 'failed' || !message.test(error)) {
        failures.push(`${template} ${JSON.stringify(values)} → ${result.status}: ${error}`);
      }
    }
    expect(failures).toEqual([]);
    // Input checks come first: nothing reached any system, not even a read.
    expect(emulator.requests.entries()).toEqual([]);
  }, 120_000);
});
