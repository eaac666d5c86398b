import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JsonObject } from '@backstage/types';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import yaml from 'yaml';
import { emulatorConfig, type TaskResult } from './__testUtils__/harness';
import { renderKustomization, schemaProblem, type Manifest } from './__testUtils__/manifests';
import {
  checkout,
  emulatedRepository,
  repositoryFiles,
  startTemplateBackend,
  templateFolders,
  TEMPLATES_DIR,
} from './__testUtils__/templateBackend';

const exec = promisify(execFile);

/** What a template run that creates an app leaves behind, for checks that follow its builds. */
interface CreatedApp {
  app: string;
  project: string;
  /** The source repository: its web page and its path in `emulator.git`. */
  source: { webUrl: string; repository: string };
  /** The project GitOps repository. */
  gitops: { webUrl: string; repository: string };
}

/** A link of a task's output, by title. */
function link(result: TaskResult, title: string): { url?: string; entityRef?: string } | undefined {
  return (result.output.links as Array<{ title: string; url?: string; entityRef?: string }>).find(l => l.title === title);
}

/**
 * The machine's Python, resolved outside a checkout: in one, a version
 * manager (pyenv) would pick the Python of its `.python-version` instead.
 */
let pythonExecutable: Promise<string> | undefined;
function machinePython(): Promise<string> {
  pythonExecutable ??= exec('python3', ['-c', 'import sys; print(sys.executable)'], { cwd: '/' }).then(({ stdout }) => stdout.trim());
  return pythonExecutable;
}

/** Runs the generated Python as a developer would: every module compiles, and the tests pass with plain pytest. */
async function runPythonChecks(files: Record<string, string>) {
  const dir = checkout(files, 'luban-python-');
  try {
    const modules = Object.keys(files).filter(path => path.endsWith('.py'));
    await exec(await machinePython(), ['-m', 'py_compile', ...modules], { cwd: dir, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const pytest = await exec(await machinePython(), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      cwd: dir,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    return { modules, summary: pytest.stdout.trim().split('\n').pop()! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each test runs whole templates against the emulator (git processes, kustomize): seconds on a quiet
// machine, minutes on a loaded one. jest's bound is a guard against a hang, not a speed target.
jest.setTimeout(180_000);

describe('the software templates on the Create page', () => {
  let emulator: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startTemplateBackend>>;
  let receiver: Server;
  let github: string;
  let azure: string;
  const webhookSecret = 'template-webhook-secret-77-at-least-32-chars';

  const githubApi = async (path: string) =>
    (await fetch(`${emulator.github.apiBaseUrl}${path}`, { headers: { Authorization: `token ${emulator.token}` } })).json();
  const azureApi = async (path: string) =>
    (
      await fetch(`${emulator.azure.organizationUrl}${path}`, {
        headers: { Authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString('base64')}` },
      })
    ).json();
  const objects = (plural: string, namespace?: string) => emulator.kubernetes.list(plural, namespace) as Manifest[];
  const named = (plural: string, namespace: string | undefined, name: string) =>
    objects(plural, namespace).find(o => o.metadata.name === name);

  /** Runs an app template and says where it put the app. */
  async function createApp(template: string, values: JsonObject): Promise<{ result: TaskResult; created: CreatedApp }> {
    const result = await backend.run(template, values);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    const sourceWebUrl = link(result, 'Source repository')!.url!;
    const system = await backend.waitForEntity('system', 'orders');
    const gitopsWebUrl = system.metadata.annotations['luban.dev/gitops-repo'];
    return {
      result,
      created: {
        app: values.app as string,
        project: 'orders',
        source: { webUrl: sourceWebUrl, repository: emulatedRepository(emulator, sourceWebUrl) },
        gitops: { webUrl: gitopsWebUrl, repository: emulatedRepository(emulator, gitopsWebUrl) },
      },
    };
  }


  /**
   * Waits for kpack's first Build of the app to succeed, then for luban to
   * deploy its digest to snd, and returns the snd overlay.
   */
  async function sndAfterFirstBuild(created: CreatedApp): Promise<string> {
    const overlayPath = `apps/${created.app}/overlays/snd/kustomization.yaml`;
    const deployed = async () => {
      const built = objects('builds', `ci-${created.project}`).find(
        b => b.metadata.labels?.['image.kpack.io/image'] === created.app && b.status?.latestImage,
      );
      const digest = built?.status.latestImage.split('@')[1];
      const branch = await emulator.git.defaultBranch(created.gitops.repository);
      const overlay = (await emulator.git.readFile(created.gitops.repository, branch, overlayPath))?.content.toString('utf8');
      return digest && overlay?.includes(`digest: ${digest}`) ? overlay : undefined;
    };
    // The overlay changes only by a commit, and the Build finishes before the
    // auto-deployer commits its digest: so look now and after each ref update
    // of any repository (bounded by the test's timeout, not a deadline here).
    let settled = false;
    let unsubscribe = () => {};
    return new Promise<string>((resolve, reject) => {
      const check = () =>
        deployed().then(overlay => {
          if (!overlay || settled) return;
          settled = true;
          unsubscribe();
          resolve(overlay);
        }, reject);
      unsubscribe = emulator.git.onRefUpdate(check);
      check();
    });
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
    emulator = await startEmulator({ buildStepMs: 1 });
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    emulator.kubernetes.create('clusterbuilders', {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'ClusterBuilder',
      metadata: { name: 'luban-builder' },
      spec: { tag: `${new URL(emulator.harbor.url).host}/luban/builder`, order: [{ group: [{ id: 'luban-ci/python-uv' }] }] },
    });
    github = new URL(emulator.github.url).host;
    azure = new URL(emulator.azure.url).host;
    const config = emulatorConfig(emulator) as any;
    config.luban.webhooks = { targetBaseUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/events/http`, github: { secret: webhookSecret }, azure: { secret: webhookSecret } };
    config.luban.gateway = { domainSuffix: 'apps.example.com' };
    config.luban.argocd = { baseUrl: 'https://argocd.example.com' };
    backend = await startTemplateBackend(config);
  });
  afterAll(async () => {
    await emulator?.stop();
    receiver?.close();
  });

  it('lists every template of the repository, loaded by the catalog', async () => {
    const names = templateFolders().map(folder => yaml.parse(readFileSync(join(TEMPLATES_DIR, folder, 'template.yaml'), 'utf8')).metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['luban-project-onboarding', 'luban-python-app', 'luban-dagster-platform', 'luban-dagster-code-location']),
    );
    for (const name of names) {
      expect((await backend.waitForEntity('template', name)).spec.steps.length).toBeGreaterThan(0);
    }
  });

  it('onboards a project: namespaces, Harbor, the GitOps repository, Argo CD, and the project as a catalog System', async () => {
    const result = await backend.run('luban-project-onboarding', {
      project: 'orders',
      owner: 'group:default/orders-team',
      description: 'Orders: taking them and tracking them',
      gitopsRepoUrl: `${github}?owner=orders&repo=orders-gitops`,
    });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');

    expect(objects('namespaces').map(n => n.metadata.name)).toEqual(expect.arrayContaining(['ci-orders', 'snd-orders', 'prd-orders']));
    const harbor = await fetch(`${emulator.harbor.url}/api/v2.0/projects/orders`, {
      headers: { Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}` },
    });
    expect(harbor.status).toBe(200);
    const appProject = named('appprojects', 'argocd', 'orders')!;
    expect(appProject.spec.sourceRepos).toEqual([`${emulator.github.url}/orders/orders-gitops.git`]);
    expect(schemaProblem(appProject)).toBeUndefined();

    const gitops = await repositoryFiles(emulator, 'github/orders/orders-gitops.git');
    expect(yaml.parse(gitops['catalog-info.yaml'])).toMatchObject({
      kind: 'System',
      metadata: {
        name: 'orders',
        description: 'Orders: taking them and tracking them',
        annotations: { 'luban.dev/project': 'orders', 'luban.dev/gitops-repo': `${emulator.github.url}/orders/orders-gitops` },
      },
      spec: { owner: 'group:default/orders-team' },
    });

    // What the Create page shows at the end, and what the catalog then holds.
    expect(link(result, 'Open the project in the catalog')).toMatchObject({ entityRef: 'system:default/orders' });
    expect(link(result, 'GitOps repository')?.url).toBe(`${emulator.github.url}/orders/orders-gitops`);
    expect(link(result, 'Harbor project')?.url).toMatch(/\/harbor\/projects\/\d+\/repositories$/);
    expect(link(result, 'Argo CD project')?.url).toBe('https://argocd.example.com/settings/projects/orders');
    const system = await backend.waitForEntity('system', 'orders');
    expect(system.spec.owner).toBe('group:default/orders-team');
    expect(await backend.locations()).toContain(`${emulator.github.url}/orders/orders-gitops/blob/main/catalog-info.yaml`);
  });

  it.each([
    ['GitHub', 'order-api', () => `${github}?owner=orders&repo=order-api`],
    ['Azure DevOps', 'order-worker', () => `${azure}?organization=luban&project=platform&repo=order-worker`],
  ])('creates a Python app on %s: source repository, push webhook, kpack Image, GitOps, Argo CD and catalog entry', async (host, app, repoUrl) => {
    const { result, created } = await createApp('luban-python-app', {
      app,
      project: 'system:default/orders',
      description: `Takes "orders" over HTTP (${host})`,
      pythonVersion: '3.12',
      repoUrl: repoUrl(),
    });
    const pkg = app.replace(/-/g, '_');
    expect(JSON.stringify(result)).not.toContain(webhookSecret);

    const source = await repositoryFiles(emulator, created.source.repository);
    expect(Object.keys(source).sort()).toEqual(
      [
        '.gitignore',
        '.python-version',
        'README.md',
        'catalog-info.yaml',
        'project.toml',
        'pyproject.toml',
        `src/${pkg}/__init__.py`,
        `src/${pkg}/main.py`,
        'tests/test_main.py',
      ].sort(),
    );
    expect(Object.values(source).join('\n')).not.toContain('${{');
    expect(source['.python-version']).toBe('3.12\n');
    expect(source['pyproject.toml']).toContain(`app = "${pkg}.main:main"`);
    expect(source['pyproject.toml']).toContain(`description = "Takes \\"orders\\" over HTTP (${host})"`);
    expect(source['project.toml']).toContain(`id = "orders.${app}"`);
    const component = yaml.parse(source['catalog-info.yaml']);
    expect(component).toMatchObject({
      kind: 'Component',
      metadata: {
        name: app,
        description: `Takes "orders" over HTTP (${host})`,
        annotations: {
          'luban.dev/project': 'orders',
          'luban.dev/app': app,
          'luban.dev/source-repo': created.source.webUrl,
          'luban.dev/gitops-repo': created.gitops.webUrl,
          'backstage.io/source-location': `url:${created.source.webUrl}${host === 'GitHub' ? '/tree/main/' : ''}`,
        },
      },
      spec: { type: 'service', owner: 'group:default/orders-team', system: 'orders' },
    });
    expect(component.metadata.annotations['github.com/project-slug']).toBe(host === 'GitHub' ? `orders/${app}` : undefined);

    // Builds start on push: the webhook is registered with the source repository.
    const hooks =
      host === 'GitHub'
        ? (await githubApi(`/repos/orders/${app}/hooks`)).map((h: any) => h.config.url)
        : (await azureApi('/_apis/hooks/subscriptions?api-version=7.1')).value.map((s: any) => s.consumerInputs.url);
    expect(hooks).toContain(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/events/http/luban-${host === 'GitHub' ? 'github' : 'azure'}`);
    const image = named('images', 'ci-orders', app)!;
    expect(image.spec.source.git).toEqual({ url: host === 'GitHub' ? `${created.source.webUrl}.git` : created.source.webUrl, revision: 'main' });
    const gitops = await repositoryFiles(emulator, created.gitops.repository);
    expect(Object.keys(gitops)).toEqual(expect.arrayContaining([`apps/${app}/base/deployment.yaml`, `apps/${app}/overlays/snd/kustomization.yaml`]));
    expect(yaml.parse(gitops[`apps/${app}/base/deployment.yaml`]).spec.template.spec.containers[0].readinessProbe).toMatchObject({
      httpGet: { path: '/healthz', port: 'http' },
    });
    // An address in each environment (issue 22): an HTTPRoute (Gateway API v1,
    // https://gateway-api.sigs.k8s.io/reference/spec/#httproute) beside each overlay, on the host of luban.gateway.
    for (const env of ['snd', 'prd']) {
      expect(yaml.parse(gitops[`apps/${app}/overlays/${env}/kustomization.yaml`]).resources).toContain('httproute.yaml');
      expect(yaml.parse(gitops[`apps/${app}/overlays/${env}/httproute.yaml`]).spec).toMatchObject({
        parentRefs: [{ kind: 'Gateway', name: 'luban-gateway', namespace: 'gateway' }],
        hostnames: [`${app}.orders.${env}.apps.example.com`],
        rules: [{ backendRefs: [{ name: app, port: 80 }] }],
      });
      expect(link(result, `The app in ${env}`)?.url).toBe(`https://${app}.orders.${env}.apps.example.com/`);
    }
    expect(['snd', 'prd'].map(env => named('applications', 'argocd', `${env}-orders-${app}`)?.spec.source.path)).toEqual([
      `apps/${app}/overlays/snd`,
      `apps/${app}/overlays/prd`,
    ]);

    // Private repositories: kpack and Argo CD read them only with the Secrets luban writes (issue 18).
    const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');
    const sourceHost = new URL(created.source.webUrl);
    expect(named('secrets', 'ci-orders', 'luban-git')).toMatchObject({
      type: 'kubernetes.io/basic-auth',
      metadata: { annotations: { 'kpack.io/git': `${sourceHost.protocol}//${sourceHost.host}` } },
    });
    expect(named('serviceaccounts', 'ci-orders', 'luban-builder')!.secrets).toEqual(expect.arrayContaining([{ name: 'luban-git' }]));
    const repositorySecret = named('secrets', 'argocd', 'luban-repo-orders-gitops')!;
    expect(repositorySecret.metadata.labels?.['argocd.argoproj.io/secret-type']).toBe('repository');
    expect(decode(repositorySecret.data.project)).toBe('orders');
    expect(decode(repositorySecret.data.url)).toBe(named('applications', 'argocd', `snd-orders-${app}`)!.spec.source.repoURL);
    expect(JSON.stringify([result.output, result.log, result.error])).not.toContain(emulator.token);

    expect(link(result, 'Open the app in the catalog')).toMatchObject({ entityRef: `component:default/${app}` });
    expect(link(result, 'GitOps change')?.url).toMatch(/\/commit\/[0-9a-f]{40}$/);
    expect(link(result, 'Images in Harbor')?.url).toMatch(/\/harbor\/projects\/\d+\/repositories$/);
    expect(link(result, 'Argo CD (snd)')?.url).toBe(`https://argocd.example.com/applications/argocd/snd-orders-${app}`);
    const entity = await backend.waitForEntity('component', app);
    expect(entity.metadata.annotations['luban.dev/app']).toBe(app);
    expect(entity.relations).toEqual(expect.arrayContaining([{ type: 'partOf', targetRef: 'system:default/orders' }]));
    // The push webhook aside, kpack builds the new Image at once; luban deploys the built digest to snd.
    expect(await sndAfterFirstBuild(created)).toMatch(/newName: .+\/orders\/.+\n\s+digest: sha256:[0-9a-f]{64}/);
    // Argo CD's sync of snd applies the route: the emulated cluster takes gateway.networking.k8s.io/v1 HTTPRoutes.
    await emulator.kubernetes.store.waitFor(() => Boolean(named('httproutes', 'snd-orders', app)));

    const checks = await runPythonChecks(source);
    expect(checks.modules).toHaveLength(3);
    expect(checks.summary).toMatch(/^3 passed/);
  });

  it("gives the project its Dagster: a password only in the cluster, GitOps files Argo CD deploys, and the platform in the catalog", async () => {
    const result = await backend.run('luban-dagster-platform', { project: 'system:default/orders' });
    expect(result.error).toBeUndefined();

    const passwords = ['snd-orders', 'prd-orders'].map(namespace => {
      const secret = named('secrets', namespace, 'dagster-postgresql')!;
      expect(schemaProblem(secret)).toBeUndefined();
      return Buffer.from(secret.data['postgresql-password'], 'base64').toString();
    });
    expect(passwords[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(passwords[1]).not.toBe(passwords[0]);
    for (const namespace of ['snd-orders', 'prd-orders']) {
      for (const [plural, name] of [['serviceaccounts', 'dagster'], ['roles', 'dagster-run-launcher'], ['rolebindings', 'dagster-run-launcher']]) {
        expect(schemaProblem(named(plural, namespace, name)!)).toBeUndefined();
      }
    }
    const gitops = await repositoryFiles(emulator, 'github/orders/orders-gitops.git');
    const everything = JSON.stringify([gitops, result]);
    for (const password of passwords) expect(everything).not.toContain(password);
    expect(yaml.parse(gitops['apps/dagster/overlays/snd/workspace.yaml'])).toEqual({ load_from: [] });

    // Argo CD deploys snd by itself: the rendered objects land in the namespace.
    await emulator.settled();
    expect(named('applications', 'argocd', 'snd-orders-dagster')?.status?.sync?.status).toBe('Synced');
    expect(named('applications', 'argocd', 'prd-orders-dagster')).toBeDefined();
    expect(named('statefulsets', 'snd-orders', 'dagster-postgresql')).toBeDefined();
    expect(named('httproutes', 'snd-orders', 'dagster-webserver')?.spec.hostnames).toEqual(['snd-orders-dagster.apps.example.com']);

    expect(link(result, 'Dagster in prd')?.url).toBe('https://orders-dagster.apps.example.com');
    expect(link(result, 'Open Dagster in the catalog')).toMatchObject({ entityRef: 'resource:default/orders-dagster' });
    const resource = await backend.waitForEntity('resource', 'orders-dagster');
    expect(resource.spec).toMatchObject({ type: 'dagster-platform', owner: 'group:default/orders-team', system: 'orders' });
  });

  it('dry-runs every template through the dry-run API, as the template editor does, without changing anything', async () => {
    const values: Record<string, JsonObject> = {
      'project-onboarding': { project: 'billing', owner: 'group:default/billing-team', gitopsRepoUrl: `${github}?owner=billing&repo=billing-gitops` },
      'python-app': { app: 'invoice-api', project: 'system:default/orders', pythonVersion: '3.13', repoUrl: `${github}?owner=orders&repo=invoice-api` },
      'dagster-platform': { project: 'system:default/orders' },
      'dagster-code-location': {
        app: 'invoice-pipelines',
        platform: 'resource:default/orders-dagster',
        pythonVersion: '3.11',
        repoUrl: `${azure}?organization=luban&project=platform&repo=invoice-pipelines`,
      },
    };
    // A new template needs values here: it is dry-run like the others.
    expect(templateFolders()).toEqual(Object.keys(values).sort());
    emulator.requests.clear();
    for (const folder of templateFolders()) {
      const dryRun = await backend.dryRun(folder, values[folder]);
      expect({ folder, status: dryRun.status, error: dryRun.body.error }).toEqual({ folder, status: 200, error: undefined });
      // What the editor previews: the files the run would publish, named after the app.
      const catalogInfo = dryRun.files['catalog-info.yaml'];
      expect({ folder, published: catalogInfo && yaml.parse(catalogInfo).metadata.name }).toEqual({ folder, published: values[folder].app });
    }
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it("adds a Dagster code location that the project's Dagster loads: staging in snd, production in prd", async () => {
    const { result, created } = await createApp('luban-dagster-code-location', {
      app: 'order-pipelines',
      platform: 'resource:default/orders-dagster',
      pythonVersion: '3.12',
      repoUrl: `${github}?owner=orders&repo=order-pipelines`,
    });
    const source = await repositoryFiles(emulator, created.source.repository);
    expect(Object.keys(source)).toEqual(
      expect.arrayContaining([
        'src/order_pipelines/definitions.py',
        'src/order_pipelines/assets.py',
        'src/order_pipelines/orders.py',
        'tests/test_orders.py',
        'tests/test_definitions.py',
      ]),
    );
    expect(Object.values(source).join('\n')).not.toContain('${{');
    expect(yaml.parse(source['catalog-info.yaml']).spec).toMatchObject({
      type: 'dagster-code-location',
      system: 'orders',
      dependsOn: ['resource:default/orders-dagster'],
    });

    const gitops = await repositoryFiles(emulator, created.gitops.repository);
    for (const env of ['snd', 'prd']) {
      expect(yaml.parse(gitops[`apps/dagster/overlays/${env}/workspace.yaml`]).load_from).toEqual([
        { grpc_server: { host: `order-pipelines.${env}-orders.svc.cluster.local`, port: 3000, location_name: 'order-pipelines' } },
      ]);
    }
    const container = yaml.parse(gitops['apps/order-pipelines/base/deployment.yaml']).spec.template.spec.containers[0];
    expect(container).toMatchObject({
      command: ['/cnb/lifecycle/launcher'],
      args: ['dagster', 'code-server', 'start', '-h', '0.0.0.0', '-p', '3000', '-m', 'order_pipelines.definitions'],
      ports: [{ name: 'grpc', containerPort: 3000 }],
    });
    expect(named('images', 'ci-orders', 'order-pipelines')).toBeDefined();
    expect(named('applications', 'argocd', 'snd-orders-order-pipelines')).toBeDefined();
    expect(link(result, 'GitOps change')?.url).toMatch(/\/commit\/[0-9a-f]{40}$/);
    expect((await backend.waitForEntity('component', 'order-pipelines')).spec.type).toBe('dagster-code-location');
    expect(await sndAfterFirstBuild(created)).toContain('digest: sha256:');

    // Without Dagster installed, the Dagster tests skip and the computations are tested.
    const checks = await runPythonChecks(source);
    expect(checks.modules).toHaveLength(6);
    expect(checks.summary).toMatch(/^3 passed(, 1 skipped)?/);
  });

  it('leaves a GitOps repository whose every overlay renders with kustomize into objects that pass the published schemas', async () => {
    const files = await repositoryFiles(emulator, 'github/orders/orders-gitops.git');
    const overlays = Object.keys(files)
      .filter(path => /^apps\/[^/]+\/overlays\/[^/]+\/kustomization\.yaml$/.test(path))
      .map(path => path.replace(/\/kustomization\.yaml$/, ''));
    expect(overlays.sort()).toEqual(
      ['dagster', 'order-api', 'order-pipelines', 'order-worker'].flatMap(app => [`apps/${app}/overlays/prd`, `apps/${app}/overlays/snd`]),
    );
    const dir = checkout(files, 'luban-gitops-');
    try {
      for (const overlay of overlays) {
        const env = overlay.split('/').pop();
        const rendered = await renderKustomization(join(dir, overlay));
        expect({ overlay, problems: rendered.map(schemaProblem).filter(Boolean) }).toEqual({ overlay, problems: [] });
        expect({ overlay, namespaces: [...new Set(rendered.map(o => o.metadata.namespace))] }).toEqual({ overlay, namespaces: [`${env}-orders`] });
        for (const workload of rendered.filter(o => ['Deployment', 'StatefulSet'].includes(o.kind))) {
          expect({ overlay, workload: workload.metadata.name, pod: workload.spec.template.spec.securityContext }).toMatchObject({
            overlay,
            workload: workload.metadata.name,
            pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          });
        }
      }
      // The code server tells the runs it launches its own image, as deployed: snd runs the first build's digest.
      const codeServer = (await renderKustomization(join(dir, 'apps/order-pipelines/overlays/snd'))).find(o => o.kind === 'Deployment')!;
      const container = codeServer.spec.template.spec.containers[0];
      expect(container.env).toContainEqual({ name: 'DAGSTER_CURRENT_IMAGE', value: container.image });
      expect(container.image).toMatch(new RegExp(`^${new URL(emulator.harbor.url).host}/orders/order-pipelines@sha256:[0-9a-f]{64}$`));
      // A changed workspace is a new ConfigMap, so Dagster restarts with it.
      const dagster = await renderKustomization(join(dir, 'apps/dagster/overlays/prd'));
      const workspace = dagster.find(o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('dagster-workspace-'))!;
      expect(yaml.parse(workspace.data['workspace.yaml']).load_from[0].grpc_server.host).toBe('order-pipelines.prd-orders.svc.cluster.local');
      const webserver = dagster.find(o => o.metadata.name === 'dagster-webserver' && o.kind === 'Deployment')!;
      expect(webserver.spec.template.spec.volumes).toContainEqual({ name: 'workspace', configMap: { name: workspace.metadata.name } });
      expect(JSON.stringify(dagster)).not.toMatch(/POSTGRES_PASSWORD", *"value"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const application of objects('applications', 'argocd')) expect(schemaProblem(application)).toBeUndefined();
  });

});
