import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { createPublishAzureAction } from '@backstage/plugin-scaffolder-backend-module-azure';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import type { IGitApi } from 'azure-devops-node-api/GitApi';
import { GitVersionType } from 'azure-devops-node-api/interfaces/GitInterfaces';
import {
  startEmulator,
  trustEmulatorCertificate,
  ZERO_SHA,
  type RunningEmulator,
} from '../index';

const exec = promisify(execFile);

/** A webhook receiver on 127.0.0.1 that records what it gets. */
async function startReceiver() {
  const received: Array<{ headers: IncomingHttpHeaders; body: any }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/hooks/azure`,
    server,
  };
}

describe('emulated Azure DevOps git hosting', () => {
  let emulator: RunningEmulator;
  let git: IGitApi;
  let work: string;
  let caFile: string;
  let host: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    git = await new WebApi(
      emulator.azure.organizationUrl,
      getPersonalAccessTokenHandler(emulator.token),
    ).getGitApi();
    host = new URL(emulator.azure.url).host;
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    work = mkdtempSync(join(tmpdir(), 'luban-azure-work-'));
    caFile = join(work, 'ca.pem');
    writeFileSync(caFile, emulator.kubernetes.caCert);
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  /** Runs git with the emulator's certificate trusted and no prompts. */
  function runGit(args: string[], cwd = work) {
    return exec(
      'git',
      [
        '-c',
        `http.sslCAInfo=${caFile}`,
        '-c',
        'user.name=Dev',
        '-c',
        'user.email=dev@example.com',
        ...args,
      ],
      {
        cwd,
        env: {
          ...process.env,
          GIT_SSL_CAINFO: caFile,
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          HOME: work,
        },
      },
    );
  }

  const remote = (repository: string, credentials = `dev:${emulator.token}`) =>
    `https://${credentials}@${host}/luban/platform/_git/${repository}`;

  const authHeaders = () => ({
    Authorization: `Basic ${Buffer.from(`:${emulator.token}`).toString(
      'base64',
    )}`,
    'Content-Type': 'application/json',
  });

  it('delivers git.push service hooks with the configured basic auth and headers', async () => {
    const receiver = await startReceiver();
    try {
      const repository = await emulator.azure.api.createRepository(
        'luban',
        'platform',
        'svc',
        {
          files: { 'README.md': '# svc\n' },
        },
      );
      const subscription = {
        publisherId: 'tfs',
        eventType: 'git.push',
        resourceVersion: '1.0',
        consumerId: 'webHooks',
        consumerActionId: 'httpRequest',
        publisherInputs: {
          projectId: repository.project.id,
          repository: repository.id,
          branch: 'main',
        },
        consumerInputs: {
          url: receiver.url,
          basicAuthUsername: 'hook',
          basicAuthPassword: 's3cret',
          httpHeaders: 'X-Luban-Source: azure\nX-Luban-Team: platform',
        },
      };
      const created = await fetch(
        `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions?api-version=7.1`,
        {
          method: 'POST',
          headers: authHeaders(),
          body: JSON.stringify(subscription),
        },
      );
      expect(created.status).toBe(200);
      const stored = await created.json();
      expect(stored).toMatchObject({
        status: 'enabled',
        eventType: 'git.push',
        consumerInputs: { basicAuthPassword: '********' },
      });
      const listed = await fetch(
        `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions?api-version=7.1`,
        {
          headers: authHeaders(),
        },
      );
      expect(
        (await listed.json()).value.map((s: { id: string }) => s.id),
      ).toEqual([stored.id]);

      const invalid = await fetch(
        `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions?api-version=7.1`,
        {
          method: 'POST',
          headers: authHeaders(),
          body: JSON.stringify({ ...subscription, consumerInputs: {} }),
        },
      );
      expect(invalid.status).toBe(400);

      const clone = join(work, 'svc');
      await runGit(['clone', remote('svc'), clone]);
      writeFileSync(join(clone, 'README.md'), '# svc\n\nNow with docs.\n');
      await runGit(['commit', '-am', 'Document svc'], clone);
      await runGit(['push', 'origin', 'main'], clone);
      const { stdout: head } = await runGit(['rev-parse', 'HEAD'], clone);
      // A push to another branch does not match the subscription's branch filter.
      await runGit(['push', 'origin', 'HEAD:refs/heads/feature'], clone);
      await emulator.azure.api.deliveriesSettled();

      expect(receiver.received).toHaveLength(1);
      const [delivery] = receiver.received;
      expect(delivery.headers.authorization).toBe(
        `Basic ${Buffer.from('hook:s3cret').toString('base64')}`,
      );
      expect(delivery.headers['x-luban-source']).toBe('azure');
      expect(delivery.headers['x-luban-team']).toBe('platform');
      expect(delivery.headers['content-type']).toBe(
        'application/json; charset=utf-8',
      );
      expect(delivery.body).toMatchObject({
        subscriptionId: stored.id,
        eventType: 'git.push',
        publisherId: 'tfs',
        resourceVersion: '1.0',
        message: { text: 'Luban Emulator pushed updates to svc:main.' },
        resource: {
          refUpdates: [{ name: 'refs/heads/main', newObjectId: head.trim() }],
          commits: [
            {
              commitId: head.trim(),
              comment: 'Document svc',
              author: { name: 'Dev', email: 'dev@example.com' },
            },
          ],
          repository: {
            id: repository.id,
            name: 'svc',
            defaultBranch: 'refs/heads/main',
            remoteUrl: `https://luban@${host}/luban/platform/_git/svc`,
            project: { id: repository.project.id, name: 'platform' },
          },
          pushedBy: { displayName: 'Luban Emulator' },
          pushId: 2,
        },
        resourceContainers: { project: { id: repository.project.id } },
      });
      expect(delivery.body.resource.refUpdates[0].oldObjectId).not.toBe(
        ZERO_SHA,
      );
      expect(emulator.azure.api.deliveries()).toEqual([
        expect.objectContaining({
          subscriptionId: stored.id,
          status: 200,
          url: receiver.url,
        }),
      ]);

      const deleted = await fetch(
        `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions/${stored.id}?api-version=7.1`,
        { method: 'DELETE', headers: authHeaders() },
      );
      expect(deleted.status).toBe(204);
      const gone = await fetch(
        `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions/${stored.id}?api-version=7.1`,
        {
          headers: authHeaders(),
        },
      );
      expect(gone.status).toBe(404);
    } finally {
      receiver.server.close();
    }
  });

  it('records a failed delivery without failing the push', async () => {
    const repository = await emulator.azure.api.createRepository(
      'luban',
      'platform',
      'svc',
      { files: { a: 'a' } },
    );
    await fetch(
      `${emulator.azure.organizationUrl}/_apis/hooks/subscriptions?api-version=7.1`,
      {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify({
          publisherId: 'tfs',
          eventType: 'git.push',
          consumerId: 'webHooks',
          consumerActionId: 'httpRequest',
          publisherInputs: { projectId: repository.project.id },
          consumerInputs: { url: 'http://127.0.0.1:9/unreachable' },
        }),
      },
    );
    const [{ objectId }] = await git.getRefs(
      repository.id,
      'platform',
      'heads/main',
    );
    const pushed = await git.createPush(
      {
        refUpdates: [{ name: 'refs/heads/main', oldObjectId: objectId }],
        commits: [
          {
            comment: 'b',
            changes: [
              {
                changeType: 1,
                item: { path: '/b' },
                newContent: { content: 'b', contentType: 0 },
              },
            ],
          },
        ],
      } as any,
      repository.id,
      'platform',
    );
    expect(pushed.pushId).toBe(2);
    await emulator.azure.api.deliveriesSettled();
    const [delivery] = emulator.azure.api.deliveries();
    expect(delivery.status).toBeUndefined();
    expect(delivery.error).toContain('ECONNREFUSED');
    expect(delivery.payload.eventType).toBe('git.push');
  });

  it('serves git over smart HTTP behind PAT basic auth and sets the default branch on the first push', async () => {
    await git.createRepository({ name: 'fresh' }, 'platform');
    await expect(
      runGit(['ls-remote', `https://${host}/luban/platform/_git/fresh`]),
    ).rejects.toThrow(/401|Authentication|could not read Username/);
    await expect(
      runGit(['ls-remote', remote('fresh', 'dev:wrong')]),
    ).rejects.toThrow();
    await expect(runGit(['ls-remote', remote('missing')])).rejects.toThrow();

    const local = join(work, 'fresh');
    mkdirSync(local);
    await runGit(['init', '--quiet', '--initial-branch=trunk'], local);
    writeFileSync(join(local, 'app.yaml'), 'name: fresh\n');
    await runGit(['add', '.'], local);
    await runGit(['commit', '-m', 'First'], local);
    await runGit(['push', remote('fresh'), 'trunk'], local);
    // The API sees the push as soon as git returns.
    expect((await git.getRepository('fresh', 'platform')).defaultBranch).toBe(
      'refs/heads/trunk',
    );

    const cloned = join(work, 'cloned');
    await runGit(['clone', remote('fresh'), cloned]);
    const { stdout } = await runGit(
      ['rev-parse', '--abbrev-ref', 'HEAD'],
      cloned,
    );
    expect(stdout.trim()).toBe('trunk');
    expect(
      emulator.requests
        .entries('azure')
        .some(
          r =>
            r.path.includes('/_git/fresh/git-receive-pack') && r.status === 200,
        ),
    ).toBe(true);
  });

  it('keeps the repositories of a persistent git root across restarts', async () => {
    const gitRoot = join(work, 'git');
    const first = await startEmulator({ gitRoot });
    let id: string;
    try {
      ({ id } = await first.azure.api.createRepository(
        'luban',
        'platform',
        'kept',
        {
          files: { 'a.yaml': 'a: 1\n' },
        },
      ));
    } finally {
      await first.stop();
    }
    const second = await startEmulator({ gitRoot, token: emulator.token });
    trustEmulatorCertificate(second.kubernetes.caCert);
    try {
      const api = await new WebApi(
        second.azure.organizationUrl,
        getPersonalAccessTokenHandler(emulator.token),
      ).getGitApi();
      const kept = await api.getRepository('kept', 'platform');
      expect(kept).toMatchObject({ id, defaultBranch: 'refs/heads/main' });
      expect((await api.getRefs(id, 'platform', 'heads/main')).length).toBe(1);
    } finally {
      await second.stop();
    }
  });

  it("runs Backstage's publish:azure against the emulator", async () => {
    const action = createPublishAzureAction({
      integrations: ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            azure: [
              { host, credentials: [{ personalAccessToken: emulator.token }] },
            ],
          },
        }),
      ),
      config: new ConfigReader({}),
    });
    const workspacePath = join(work, 'workspace');
    mkdirSync(join(workspacePath, 'src'), { recursive: true });
    writeFileSync(
      join(workspacePath, 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
    );
    writeFileSync(
      join(workspacePath, 'src', 'index.js'),
      'console.log("demo");\n',
    );
    const ctx = createMockActionContext({
      input: {
        repoUrl: `${host}?organization=luban&project=platform&repo=demo`,
      },
      workspacePath,
    });

    await action.handler(ctx as any);

    const repository = await git.getRepository('demo', 'platform');
    expect(repository.defaultBranch).toBe('refs/heads/master');
    expect(ctx.output).toHaveBeenCalledWith(
      'remoteUrl',
      `https://luban@${host}/luban/platform/_git/demo`,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `${emulator.azure.url}/luban/platform/_git/demo`,
    );
    expect(ctx.output).toHaveBeenCalledWith('repositoryId', repository.id);
    const [{ objectId }] = await git.getRefs(
      repository.id!,
      'platform',
      'heads/master',
    );
    expect(ctx.output).toHaveBeenCalledWith('commitHash', objectId);
    const catalogInfo = await git.getItem(
      repository.id!,
      '/catalog-info.yaml',
      'platform',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      { version: 'master', versionType: GitVersionType.Branch },
      true,
    );
    expect(catalogInfo.content).toBe(
      'apiVersion: backstage.io/v1alpha1\nkind: Component\n',
    );
    const files = await git.getItems(repository.id!, 'platform', '/', 120);
    expect(files.map(f => f.path)).toEqual([
      '/',
      '/catalog-info.yaml',
      '/src',
      '/src/index.js',
    ]);
  });
});
