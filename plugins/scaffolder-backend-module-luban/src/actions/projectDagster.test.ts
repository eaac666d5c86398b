import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import {
  emulatorConfig,
  recordProject,
  startScaffolder,
  stepsOnEmulator,
  type TemplateSteps,
} from '../__testUtils__/harness';
import { renderKustomization, schemaProblem, type Manifest } from '../__testUtils__/manifests';
import { checkout, repositoryFiles } from '../__testUtils__/templateBackend';
import { examples as appExamples } from './gitopsApp.examples';
import { examples as argoProjectExamples } from './argocdProject.examples';
import { examples as instanceExamples } from './dagsterInstance.examples';
import { examples as locationExamples } from './dagsterLocation.examples';
import { examples as platformExamples } from './dagsterPlatform.examples';
import { examples as repoExamples } from './gitopsRepo.examples';

const GITOPS = { github: 'github/payments/payments-gitops.git', azure: 'azure/luban/payments/payments-gitops.git' };

describe('the project and Dagster actions through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  const templates: Record<string, TemplateSteps> = {};

  const objects = (plural: string) => emulator.kubernetes.list(plural) as Manifest[];
  const files = async (repository: string): Promise<Record<string, string>> =>
    (await emulator.git.exists(repository)) ? repositoryFiles(emulator, repository) : {};
  const namespaces = async () => {
    for (const name of ['argocd', 'snd-payments', 'prd-payments']) {
      emulator.kubernetes.create('namespaces', { metadata: { name } });
    }
    recordProject(emulator, 'payments');
    await emulator.azure.api.createProject('luban', 'payments');
  };

  /**
   * The rule on the GitOps branch as the host keeps it: GitHub's branch
   * protection (rest/branches/branch-protection), Azure DevOps' "Minimum
   * number of reviewers" policy (rest/api/azure/devops/policy/configurations).
   */
  async function branchRule(template: string) {
    if (template === 'repo-github') {
      const response = await fetch(`${emulator.github.apiBaseUrl}/repos/payments/payments-gitops/branches/main/protection`, {
        headers: { authorization: `token ${emulator.token}` },
      });
      const body = await response.json();
      return {
        approvals: body.required_pull_request_reviews?.required_approving_review_count,
        enforceAdmins: body.enforce_admins?.enabled,
        bypass: body.required_pull_request_reviews?.bypass_pull_request_allowances?.users.map((u: { login: string }) => u.login),
      };
    }
    const response = await fetch(`${emulator.azure.organizationUrl}/payments/_apis/policy/configurations?api-version=7.1`, {
      headers: { authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString('base64')}` },
    });
    const [rule, ...more] = (await response.json()).value;
    expect(more).toEqual([]);
    return {
      approvals: rule.settings.minimumApproverCount,
      blocking: rule.isBlocking,
      creatorVoteCounts: rule.settings.creatorVoteCounts,
      refName: rule.settings.scope[0].refName,
    };
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    Object.assign(templates, {
      'repo-github': stepsOnEmulator(repoExamples[0].example, emulator),
      'repo-azure': stepsOnEmulator(repoExamples[1].example, emulator),
      'argo-project': stepsOnEmulator(argoProjectExamples[0].example, emulator),
      instance: stepsOnEmulator(instanceExamples[0].example, emulator).map(step => ({
        ...step,
        input: { ...step.input, environments: '${{ parameters.environments }}' },
      })),
      'platform-github': stepsOnEmulator(platformExamples[0].example, emulator),
      'platform-azure': stepsOnEmulator(platformExamples[1].example, emulator),
      location: stepsOnEmulator(locationExamples[0].example, emulator),
      'code-server': stepsOnEmulator(appExamples[2].example, emulator),
      'platform-from-config': [
        { id: 'platform', action: 'luban:dagster:platform', input: { project: 'payments', owner: 'payments-team', gitopsRepoUrl: '${{ parameters.gitopsRepoUrl }}' } },
      ],
    });
    scaffolder = await startScaffolder({ config: emulatorConfig(emulator), templates });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    await namespaces();
  });

  describe('luban:gitops:repo', () => {
    it.each([
      ['repo-github', GITOPS.github, `/payments/payments-gitops/blob/main/catalog-info.yaml`],
      ['repo-azure', GITOPS.azure, '/luban/payments/_git/payments-gitops?path=%2Fcatalog-info.yaml&version=GBmain'],
    ])('%s creates the repository with the project as a catalog System; a re-run changes nothing', async (template, repository, catalogPath) => {
      const first = await scaffolder.run(template);
      expect(first.error).toBeUndefined();
      expect(first.output.gitopsRepo.catalogInfoUrl.endsWith(catalogPath)).toBe(true);
      expect(first.output.gitopsRepo.commitUrl).toMatch(/\/commit\/[0-9a-f]{40}$/);
      const system = yaml.parse((await files(repository))['catalog-info.yaml']);
      expect(system).toMatchObject({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: { name: 'payments', annotations: { 'luban.dev/project': 'payments', 'luban.dev/gitops-repo': first.output.gitopsRepo.repoUrl } },
        spec: { owner: 'group:default/payments-team' },
      });
      expect(system.metadata.description).toBe(template === 'repo-github' ? 'Payments: ledger, invoices and settlement' : 'The luban project payments.');

      // prd, the last environment, asks one approval by default: the branch requires it, luban itself may still commit.
      expect(first.output.gitopsRepo.results['branch main requires 1 approval']).toBe('created');
      expect(await branchRule(template)).toEqual(
        template === 'repo-github'
          ? { approvals: 1, enforceAdmins: true, bypass: ['luban-bot'] }
          : { approvals: 1, blocking: true, creatorVoteCounts: false, refName: 'refs/heads/main' },
      );

      emulator.requests.clear();
      const second = await scaffolder.run(template);
      expect(second.output.gitopsRepo.results).toEqual({
        [`repository ${first.output.gitopsRepo.repoUrl}`]: 'unchanged',
        'catalog-info.yaml': 'kept',
        'branch main requires 1 approval': 'unchanged',
      });
      expect(emulator.requests.mutating()).toEqual([]);
    });

    it('says in a dry run that it would protect the branch, and changes nothing', async () => {
      const dryRun = await scaffolder.dryRun(templates['repo-github']);
      expect(dryRun.status).toBe(200);
      expect(JSON.stringify(dryRun.body)).toContain('branch main requires 1 approval: would be created');
      expect(emulator.requests.mutating()).toEqual([]);
    });

  });

  describe('luban:argocd:project', () => {
    it('creates the AppProject alone, confined to the GitOps repository and the project namespaces', async () => {
      const first = await scaffolder.run('argo-project');
      expect(first.output.appProject).toEqual({ appProject: 'payments', result: 'created' });
      const [appProject] = objects('appprojects');
      expect(appProject.spec).toMatchObject({
        sourceRepos: [`${emulator.github.url}/payments/payments-gitops.git`],
        destinations: [
          { server: 'https://kubernetes.default.svc', namespace: 'snd-payments' },
          { server: 'https://kubernetes.default.svc', namespace: 'prd-payments' },
        ],
        clusterResourceWhitelist: [],
      });
      expect(schemaProblem(appProject)).toBeUndefined();
      expect(objects('applications')).toEqual([]);
      expect((await scaffolder.run('argo-project')).output.appProject.result).toBe('unchanged');
    });
  });

  describe('luban:dagster:instance', () => {
    const password = (namespace: string) =>
      Buffer.from(objects('secrets').find(s => s.metadata.namespace === namespace && s.metadata.name === 'dagster-postgresql')!.data['postgresql-password'], 'base64').toString();

    it('creates a random PostgreSQL password once per namespace, shown nowhere, and the run launcher RBAC', async () => {
      const first = await scaffolder.run('instance');
      expect(first.error).toBeUndefined();
      const passwords = [password('snd-payments'), password('prd-payments')];
      expect(passwords[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(passwords[1]).not.toBe(passwords[0]);
      expect(JSON.stringify(first)).not.toContain(passwords[0]);
      const created = ['secrets', 'serviceaccounts', 'roles', 'rolebindings'].flatMap(objects).filter(o => o.metadata.labels?.['luban.dev/project'] === 'payments');
      expect(created.map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
        ['snd-payments', 'prd-payments']
          .flatMap(ns => [`Secret ${ns}/dagster-postgresql`, `ServiceAccount ${ns}/dagster`, `Role ${ns}/dagster-run-launcher`, `RoleBinding ${ns}/dagster-run-launcher`])
          .sort(),
      );
      expect(created.map(schemaProblem).filter(Boolean)).toEqual([]);
      expect(created.find(o => o.kind === 'Secret')).toMatchObject({ immutable: true });
      expect(created.find(o => o.kind === 'RoleBinding')!.subjects).toEqual([{ kind: 'ServiceAccount', name: 'dagster', namespace: 'prd-payments' }]);

      emulator.requests.clear();
      const second = await scaffolder.run('instance');
      expect(new Set(Object.values(second.output.instance.results))).toEqual(new Set(['unchanged']));
      expect(emulator.requests.mutating()).toEqual([]);
      expect([password('snd-payments'), password('prd-payments')]).toEqual(passwords);
    });

    it('refuses a password Secret it did not create', async () => {
      emulator.kubernetes.create('secrets', { metadata: { name: 'dagster-postgresql', namespace: 'snd-payments' }, data: { x: 'eA==' } });
      expect((await scaffolder.run('instance')).error).toMatch(
        /ConflictError: Secret 'dagster-postgresql' in namespace 'snd-payments' exists but was not created by luban/,
      );
    });

    it('needs the namespaces of an onboarded project', async () => {
      await emulator.reset();
      emulator.kubernetes.create('namespaces', { metadata: { name: 'snd-payments' } });
      emulator.requests.clear();
      expect((await scaffolder.run('instance')).error).toMatch(/InputError: Namespace 'prd-payments' does not exist .*onboard the project first/);
      expect(emulator.requests.mutating()).toEqual([]);
    });

  });

  describe('luban:dagster:platform and luban:dagster:location', () => {
    const workspace = async (repository: string, env: string) => yaml.parse((await files(repository))[`apps/dagster/overlays/${env}/workspace.yaml`]);

    it.each([
      ['platform-github', GITOPS.github],
      ['platform-azure', GITOPS.azure],
    ])('%s adds the platform whose overlays render into valid objects; a re-run changes nothing', async (template, repository) => {
      const first = await scaffolder.run(template);
      expect(first.error).toBeUndefined();
      expect(first.output.platform.urls).toEqual({ snd: 'https://snd-payments-dagster.apps.example.com', prd: 'https://payments-dagster.apps.example.com' });
      const written = await files(repository);
      expect(yaml.parse(written['apps/dagster/catalog-info.yaml'])).toMatchObject({
        kind: 'Resource',
        metadata: { name: 'payments-dagster', annotations: { 'luban.dev/project': 'payments' } },
        spec: { type: 'dagster-platform', owner: 'group:default/payments-team', system: 'payments' },
      });
      const dir = checkout(written);
      try {
        for (const env of ['snd', 'prd']) {
          const rendered = await renderKustomization(join(dir, `apps/dagster/overlays/${env}`));
          expect(rendered.map(o => `${o.kind} ${o.metadata.name.replace(/^dagster-workspace-[a-z0-9]{10}$/, 'dagster-workspace-<hash>')}`).sort()).toEqual(
            [
              'ConfigMap dagster-instance',
              'ConfigMap dagster-workspace-<hash>',
              'Deployment dagster-daemon',
              'Deployment dagster-webserver',
              'HTTPRoute dagster-webserver',
              'Service dagster-postgresql',
              'Service dagster-webserver',
              'StatefulSet dagster-postgresql',
            ].sort(),
          );
          expect(rendered.map(schemaProblem).filter(Boolean)).toEqual([]);
          const instance = yaml.parse(rendered.find(o => o.metadata.name === 'dagster-instance')!.data['dagster.yaml']);
          expect(instance.run_launcher.config).toMatchObject({ job_namespace: `${env}-payments`, postgres_password_secret: 'dagster-postgresql' });
          expect(rendered.find(o => o.kind === 'HTTPRoute')!.spec.parentRefs).toEqual([
            { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'luban-gateway', namespace: 'gateway' },
          ]);
          const postgres = rendered.find(o => o.kind === 'StatefulSet')!.spec.template.spec.containers[0];
          expect(postgres.env).toContainEqual({
            name: 'POSTGRES_PASSWORD',
            valueFrom: { secretKeyRef: { name: 'dagster-postgresql', key: 'postgresql-password' } },
          });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(await workspace(repository, 'snd')).toEqual({ load_from: [] });

      emulator.requests.clear();
      const second = await scaffolder.run(template);
      expect(new Set(Object.values(second.output.platform.results))).toEqual(new Set(['unchanged', 'kept']));
      expect(emulator.requests.mutating()).toEqual([]);
    });

    it('asks for the domain of the web UI when neither the template nor the configuration names one', async () => {
      const result = await scaffolder.run('platform-from-config', { gitopsRepoUrl: `${new URL(emulator.github.url).host}?owner=payments&repo=payments-gitops` });
      expect(result.error).toMatch(/InputError: luban:dagster:platform needs luban.gateway.domainSuffix/);
      expect(emulator.requests.mutating()).toEqual([]);
    });

    it('registers a code location in every environment once, keeping what else the workspace says', async () => {
      await scaffolder.run('platform-github');
      const path = 'apps/dagster/overlays/prd/workspace.yaml';
      const head = await emulator.git.resolve(GITOPS.github, 'main');
      await emulator.git.commit(GITOPS.github, {
        branch: 'main',
        expectedSha: head,
        message: 'A location of our own',
        changes: [{ path, content: '# ours\nload_from:\n  - python_module: legacy.defs\n  - grpc_server: {host: old, port: 4000, location_name: ledger-pipelines}\n' }],
      });
      const first = await scaffolder.run('location');
      expect(first.error).toBeUndefined();
      expect(first.output.location.locations).toEqual({
        snd: 'ledger-pipelines.snd-payments.svc.cluster.local:3000',
        prd: 'ledger-pipelines.prd-payments.svc.cluster.local:3000',
      });
      expect(await workspace(GITOPS.github, 'snd')).toEqual({
        load_from: [{ grpc_server: { host: 'ledger-pipelines.snd-payments.svc.cluster.local', port: 3000, location_name: 'ledger-pipelines' } }],
      });
      expect(await workspace(GITOPS.github, 'prd')).toEqual({
        load_from: [
          { python_module: 'legacy.defs' },
          { grpc_server: { host: 'ledger-pipelines.prd-payments.svc.cluster.local', port: 3000, location_name: 'ledger-pipelines' } },
        ],
      });
      expect((await files(GITOPS.github))[path]).toMatch(/^# ours\n/);
      expect((await emulator.git.log(GITOPS.github, 'main', { limit: 1 }))[0].message).toMatch(/^Register the Dagster code location ledger-pipelines/);

      emulator.requests.clear();
      const second = await scaffolder.run('location');
      expect(new Set(Object.values(second.output.location.results))).toEqual(new Set(['unchanged']));
      expect(emulator.requests.mutating()).toEqual([]);
    });

    it('proposes the registration in a pull request when the GitOps branch is protected, and reuses it', async () => {
      await scaffolder.run('platform-github');
      const protect = await fetch(`${emulator.github.apiBaseUrl}/repos/payments/payments-gitops/branches/main/protection`, {
        method: 'PUT',
        headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ required_status_checks: null, enforce_admins: true, required_pull_request_reviews: { required_approving_review_count: 1 }, restrictions: null }),
      });
      expect(protect.status).toBe(200);
      const first = await scaffolder.run('location');
      expect(first.error).toBeUndefined();
      expect(first.output.location.pullRequestUrl).toMatch(/\/payments\/payments-gitops\/pull\/1$/);
      expect(await workspace(GITOPS.github, 'snd')).toEqual({ load_from: [] });
      emulator.requests.clear();
      expect((await scaffolder.run('location')).output.location.pullRequestUrl).toBe(first.output.location.pullRequestUrl);
      expect(emulator.requests.mutating()).toEqual([]);
    });

    it('says to create the Dagster platform first when the project has none', async () => {
      await emulator.github.api.createRepository('payments', 'payments-gitops', { files: { 'README.md': '# gitops\n' } });
      const result = await scaffolder.run('location');
      expect(result.error).toMatch(/InputError: The payments project has no Dagster platform in snd: .* has no apps\/dagster\/overlays\/snd\/workspace.yaml/);
      expect(emulator.requests.mutating()).toEqual([]);
    });


  });

  it("renders a code server's deployment with its command, gRPC port and its own image in DAGSTER_CURRENT_IMAGE", async () => {
    expect((await scaffolder.run('code-server')).error).toBeUndefined();
    const dir = checkout(await files(GITOPS.github));
    try {
      const rendered = await renderKustomization(join(dir, 'apps/ledger-pipelines/overlays/prd'));
      expect(rendered.map(schemaProblem).filter(Boolean)).toEqual([]);
      const deployment = rendered.find(o => o.kind === 'Deployment')!;
      const container = deployment.spec.template.spec.containers[0];
      expect(container).toMatchObject({
        command: ['/cnb/lifecycle/launcher'],
        args: expect.arrayContaining(['code-server', '-m', 'ledger_pipelines.definitions']),
        ports: [{ name: 'grpc', containerPort: 3000 }],
        env: [
          { name: 'DAGSTER_HOME', value: '/tmp' },
          { name: 'DAGSTER_CURRENT_IMAGE', value: container.image },
        ],
      });
      expect(container.image).toBe(`${new URL(emulator.harbor.url).host}/payments/ledger-pipelines`);
      expect(rendered.find(o => o.kind === 'Service')!.spec.ports).toEqual([{ name: 'grpc', port: 3000, targetPort: 'grpc' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // One test per template: eight dry runs in one test outlasted jest's timeout on a loaded 2-core machine.
  it.each(['repo-github', 'repo-azure', 'argo-project', 'instance', 'platform-github', 'platform-azure', 'location', 'code-server'])(
    'makes no mutating call in a dry run of %s',
    async template => {
      // A code location is added to a platform that exists (each test starts from an empty emulator).
      if (template === 'location') await scaffolder.run('platform-github');
      emulator.requests.clear();

      const dryRun = await scaffolder.dryRun(templates[template]);

      expect(dryRun.status).toBe(200);
      expect(emulator.requests.mutating()).toEqual([]);
    },
  );
});
