import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishGithubAction } from '@backstage/plugin-scaffolder-backend-module-github';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { Octokit } from '@octokit/rest';
import { startEmulator, type RunningEmulator } from '../server';

/**
 * Backstage's own `publish:github` scaffolder action, run against the
 * emulator: the proof that a real GitHub client finds every call it makes.
 */
describe('publish:github against the emulated GitHub', () => {
  let emulator: RunningEmulator;
  let workspace: string;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    workspace = mkdtempSync(join(tmpdir(), 'luban-publish-github-'));
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  function publishAction() {
    const host = new URL(emulator.github.url).host;
    const integrations = ScmIntegrations.fromConfig(
      new ConfigReader({
        integrations: {
          github: [
            {
              host,
              apiBaseUrl: emulator.github.apiBaseUrl,
              token: emulator.token,
            },
          ],
        },
      }),
    );
    return {
      host,
      action: createPublishGithubAction({
        integrations,
        config: new ConfigReader({}),
      }),
    };
  }

  it('creates the repository, pushes the workspace to main and protects main', async () => {
    mkdirSync(join(workspace, 'src'));
    writeFileSync(
      join(workspace, 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
    );
    writeFileSync(join(workspace, 'src', 'index.ts'), 'export {};\n');
    const { host, action } = publishAction();
    const context = createMockActionContext({
      workspacePath: workspace,
      input: {
        repoUrl: `${host}?owner=acme&repo=demo`,
        description: 'Demo service',
        repoVisibility: 'private',
        topics: ['luban'],
      },
    });

    await action.handler(context as any);

    expect(context.output).toHaveBeenCalledWith(
      'remoteUrl',
      `${emulator.github.url}/acme/demo.git`,
    );
    expect(context.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `${emulator.github.url}/acme/demo/blob/main`,
    );
    const octokit = new Octokit({
      auth: emulator.token,
      baseUrl: emulator.github.apiBaseUrl,
    });
    const repo = await octokit.repos.get({ owner: 'acme', repo: 'demo' });
    expect(repo.data).toMatchObject({
      private: true,
      description: 'Demo service',
      default_branch: 'main',
      topics: ['luban'],
    });
    const file = await octokit.repos.getContent({
      owner: 'acme',
      repo: 'demo',
      path: 'catalog-info.yaml',
      ref: 'main',
    });
    expect(
      Buffer.from((file.data as any).content, 'base64').toString(),
    ).toContain('kind: Component');
    const commitHash = (context.output as jest.Mock).mock.calls.find(
      ([name]) => name === 'commitHash',
    )?.[1];
    expect(
      (
        await octokit.repos.getBranch({
          owner: 'acme',
          repo: 'demo',
          branch: 'main',
        })
      ).data,
    ).toMatchObject({
      protected: true,
      commit: { sha: commitHash },
    });

    const calls = emulator.requests
      .entries('github')
      .map(
        entry => `${entry.method} ${entry.path.split('?')[0]} ${entry.status}`,
      );
    expect(calls).toEqual(
      expect.arrayContaining([
        'GET /api/v3/users/acme 200',
        'POST /api/v3/orgs/acme/repos 201',
        'PUT /api/v3/repos/acme/demo/topics 200',
        'POST /acme/demo.git/git-receive-pack 200',
        'PUT /api/v3/repos/acme/demo/branches/main/protection 200',
      ]),
    );
    expect(
      calls.filter(
        call => / (4|5)\d\d$/.test(call) && !call.includes('info/refs'),
      ),
    ).toEqual([]);
  });

  it('fails as GitHub would when the repository already exists', async () => {
    await emulator.github.api.createRepository('acme', 'demo', {
      files: { 'README.md': 'x' },
    });
    writeFileSync(join(workspace, 'README.md'), '# demo\n');
    const { host, action } = publishAction();
    const context = createMockActionContext({
      workspacePath: workspace,
      input: { repoUrl: `${host}?owner=acme&repo=demo` },
    });
    await expect(action.handler(context as any)).rejects.toThrow(
      'Failed to create the Organization repository acme/demo, Repository creation failed.',
    );
  });
});
