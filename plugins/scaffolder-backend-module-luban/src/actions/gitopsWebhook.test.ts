import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import {
  emulatorConfig,
  expectConvergenceAfterEachFault,
  recordProject,
  startScaffolder,
  stepsOnEmulator,
} from '../__testUtils__/harness';
import { examples as gitopsExamples } from './gitopsApp.examples';
import { examples as webhookExamples } from './webhookRegister.examples';

describe('luban:gitops:app and luban:webhook:register through the scaffolder', () => {
  let emulator: RunningEmulator;
  let scaffolder: Awaited<ReturnType<typeof startScaffolder>>;
  let receiver: Server;
  const received: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];
  const secret = 'webhook-canary-secret-31-at-least-32-chars';

  const repos = {
    github: 'github/payments/payments-gitops.git',
    azure: 'azure/luban/payments/payments-gitops.git',
  };

  /** The files of the GitOps repository on its default branch. */
  async function repoFiles(path: string) {
    if (!(await emulator.git.exists(path))) return {};
    const files: Record<string, string> = {};
    for (const file of await emulator.git.listFiles(path, await emulator.git.defaultBranch(path))) {
      files[file] = (await emulator.git.readFile(path, await emulator.git.defaultBranch(path), file))!.content.toString();
    }
    return files;
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    const config = emulatorConfig(emulator) as any;
    config.luban.webhooks = { targetBaseUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/events/http`, github: { secret }, azure: { secret } };
    scaffolder = await startScaffolder({
      config,
      templates: {
        'gitops-github': stepsOnEmulator(gitopsExamples[0].example, emulator),
        'gitops-azure': stepsOnEmulator(gitopsExamples[1].example, emulator),
        webhook: stepsOnEmulator(webhookExamples[0].example, emulator),
      },
    });
  });
  afterAll(async () => {
    await emulator.stop();
    receiver.close();
  });
  beforeEach(async () => {
    await emulator.reset();
    recordProject(emulator, 'payments');
    await emulator.azure.api.createProject('luban', 'payments');
    received.length = 0;
  });

  it.each([
    ['gitops-github', repos.github, 'ledger-api'],
    ['gitops-azure', repos.azure, 'ledger-worker'],
  ])('%s creates the repository with base/ and overlays that render; a re-run changes nothing', async (template, path, app) => {
    const first = await scaffolder.run(template);
    expect(first.error).toBeUndefined();
    expect(first.output.gitops.commitUrl).toMatch(/commit/);
    const files = await repoFiles(path);
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        `apps/${app}/base/deployment.yaml`,
        `apps/${app}/base/service.yaml`,
        `apps/${app}/overlays/snd/kustomization.yaml`,
        `apps/${app}/overlays/prd/kustomization.yaml`,
      ]),
    );
    // Every overlay renders with kustomize, as Argo CD will render it.
    const dir = mkdtempSync(join(tmpdir(), 'luban-gitops-'));
    try {
      for (const [file, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), content);
      }
      for (const env of ['snd', 'prd']) {
        const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(dir, `apps/${app}/overlays/${env}`)]);
        expect(stdout).toContain(`namespace: ${env}-payments`);
        expect(stdout).toContain(`image: ${new URL(emulator.harbor.url).host}/payments/${app}`);
        expect(stdout).toContain('runAsUser: 1000');
        expect(stdout).toContain('readOnlyRootFilesystem: true');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    emulator.requests.clear();
    const second = await scaffolder.run(template);
    expect(second.status).toBe('completed');
    expect(new Set(Object.values(second.output.gitops.results))).toEqual(new Set(['unchanged', 'kept']));
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('keeps overlays that exist: they carry deployed digests', async () => {
    await scaffolder.run('gitops-github');
    const overlay = 'apps/ledger-api/overlays/snd/kustomization.yaml';
    const head = await emulator.git.resolve(repos.github, 'main');
    await emulator.git.commit(repos.github, { branch: 'main', expectedSha: head, message: 'deploy', changes: [{ path: overlay, content: 'images: [deployed]\n' }] });
    await scaffolder.run('gitops-github');
    expect((await repoFiles(repos.github))[overlay]).toBe('images: [deployed]\n');
  });

  it('makes no mutating call in a dry run', async () => {
    emulator.requests.clear();
    for (const template of ['gitops-github', 'gitops-azure', 'webhook']) {
      const steps = stepsOnEmulator((template === 'webhook' ? webhookExamples[0] : gitopsExamples[template === 'gitops-github' ? 0 : 1]).example, emulator);
      expect((await scaffolder.dryRun(steps)).status).toBe(200);
    }
    expect(emulator.requests.mutating()).toEqual([]);
  });

  // One test per host: each re-runs the template twice per write point and fault kind, so together they outlast one test's timeout on a busy machine.
  it.each([
    // GitHub: the repository, then the writes of the files' commit.
    ['GitHub', 'gitops-github', repos.github, 4],
    // Azure DevOps: the repository, its initial push, the push of the files.
    ['Azure DevOps', 'gitops-azure', repos.azure, 3],
  ])('converges after a failure of any one of its writes on %s', async (_host, template, path, expected) => {
    const counts = await expectConvergenceAfterEachFault({
      emulator,
      setup: async () => {
        recordProject(emulator, 'payments');
        await emulator.azure.api.createProject('luban', 'payments');
      },
      run: () => scaffolder.run(template),
      state: () => repoFiles(path),
    });
    expect(counts).toEqual({ points: expected, refused: expected, timedOut: expected, lost: expected });
  }, 300_000);

  it('proposes the files in a pull request when the GitOps branch is protected, and reuses it on a re-run', async () => {
    await emulator.github.api.createRepository('payments', 'payments-gitops', { files: { 'README.md': '# gitops\n' } });
    const protect = await fetch(`${emulator.github.apiBaseUrl}/repos/payments/payments-gitops/branches/main/protection`, {
      method: 'PUT',
      headers: { Authorization: `token ${emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      }),
    });
    expect(protect.status).toBe(200);
    const first = await scaffolder.run('gitops-github');
    expect(first.error).toBeUndefined();
    expect(first.output.gitops.pullRequestUrl).toMatch(/\/payments\/payments-gitops\/pull\/1$/);
    expect(Object.keys(await repoFiles(repos.github))).toEqual(['README.md']);
    const proposed = await emulator.git.listFiles(repos.github, 'luban/gitops/ledger-api');
    expect(proposed).toContain('apps/ledger-api/overlays/prd/kustomization.yaml');

    emulator.requests.clear();
    const second = await scaffolder.run('gitops-github');
    expect(second.output.gitops.pullRequestUrl).toBe(first.output.gitops.pullRequestUrl);
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('converges after its webhook registration fails', async () => {
    const hooks = async () =>
      (
        await (await fetch(`${emulator.github.apiBaseUrl}/repos/payments/ledger-api/hooks`, { headers: { Authorization: `token ${emulator.token}` } })).json()
      ).map((h: any) => [h.config.url, h.events, h.active]);
    const counts = await expectConvergenceAfterEachFault({
      emulator,
      setup: async () => {
        await emulator.github.api.createRepository('payments', 'ledger-api', { files: { 'README.md': '# ledger\n' } });
      },
      run: () => scaffolder.run('webhook'),
      state: hooks,
    });
    expect(counts).toEqual({ points: 1, refused: 1, timedOut: 1, lost: 1 });
  }, 60_000);

  it('registers one signed push and pull-request webhook that delivers pushes to Backstage', async () => {
    await emulator.github.api.createRepository('payments', 'ledger-api', { files: { 'README.md': '# ledger\n' } });
    const first = await scaffolder.run('webhook');
    expect(first.output.webhook).toMatchObject({ result: 'created', target: expect.stringMatching(/\/api\/events\/http\/luban-github$/) });
    // Pull-request events are what previews build and deploy from.
    const hooks = await (await fetch(`${emulator.github.apiBaseUrl}/repos/payments/ledger-api/hooks`, { headers: { Authorization: `token ${emulator.token}` } })).json();
    expect(hooks.map((h: any) => [...h.events].sort())).toEqual([['pull_request', 'push']]);
    expect((await scaffolder.run('webhook')).output.webhook.result).toBe('unchanged');
    expect(JSON.stringify(first)).not.toContain(secret);

    const head = await emulator.git.resolve('github/payments/ledger-api.git', 'main');
    await emulator.git.commit('github/payments/ledger-api.git', { branch: 'main', expectedSha: head, message: 'change', changes: [{ path: 'a', content: 'b' }] });
    await emulator.github.api.deliveriesSettled();
    const push = received.find(r => r.headers['x-github-event'] === 'push');
    expect(push?.path).toBe('/api/events/http/luban-github');
    expect(push?.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', secret).update(push!.body).digest('hex')}`);
  });
});
