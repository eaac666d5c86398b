import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Octokit } from '@octokit/rest';
import { startEmulator, type RunningEmulator } from '../server';
import { responseViolations } from './__testUtils__/openapi';

const run = promisify(execFile);
const ZERO = '0000000000000000000000000000000000000000';

/** A webhook receiver on a free loopback port that keeps every request. */
async function startReceiver(status = 200) {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/hooks/github`;
  return {
    url,
    received,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('GitHub git hosting and webhooks', () => {
  let emulator: RunningEmulator;
  let octokit: Octokit;
  let work: string;

  /** Runs the git CLI without prompts or user configuration. */
  const git = (args: string[], cwd = work) =>
    run(
      'git',
      [
        '-c',
        'user.name=Dev',
        '-c',
        'user.email=dev@example.com',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      {
        cwd,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          HOME: work,
        },
      },
    );

  const remote = (repo: string, credentials?: string) => {
    const url = new URL(`${emulator.github.url}/${repo}.git`);
    if (credentials) {
      url.username = credentials.split(':')[0];
      url.password = credentials.split(':')[1];
    }
    return url.toString();
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    octokit = new Octokit({
      auth: emulator.token,
      baseUrl: emulator.github.apiBaseUrl,
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    work = mkdtempSync(join(tmpdir(), 'luban-github-work-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('delivers a signed ping on creation and a signed push for a git push', async () => {
    const receiver = await startReceiver();
    try {
      await emulator.github.api.createRepository('acme', 'gitops', {
        files: { 'README.md': '# gitops\n' },
        private: true,
      });
      const hook = await octokit.repos.createWebhook({
        owner: 'acme',
        repo: 'gitops',
        config: { url: receiver.url, content_type: 'json', secret: 's3cret' },
        events: ['push'],
      });
      expect(hook.status).toBe(201);
      expect(hook.data.config).toEqual({
        url: receiver.url,
        content_type: 'json',
        insecure_ssl: '0',
        secret: '********',
      });
      expect(
        responseViolations(
          'POST',
          '/repos/{owner}/{repo}/hooks',
          201,
          hook.data,
        ),
      ).toEqual([]);
      const duplicate = await octokit.repos
        .createWebhook({
          owner: 'acme',
          repo: 'gitops',
          config: { url: receiver.url },
        })
        .catch(error => error);
      expect(duplicate.status).toBe(422);
      expect(duplicate.response.data.errors[0].message).toBe(
        'Hook already exists on this repository',
      );

      await emulator.github.api.deliveriesSettled();
      expect(receiver.received).toHaveLength(1);
      const ping = receiver.received[0];
      expect(ping.headers['x-github-event']).toBe('ping');
      expect(ping.headers['x-hub-signature-256']).toBe(
        sign('s3cret', ping.body),
      );
      expect(JSON.parse(ping.body)).toMatchObject({
        hook_id: hook.data.id,
        zen: expect.any(String),
        repository: { full_name: 'acme/gitops' },
      });

      const clone = join(work, 'clone');
      await git([
        'clone',
        '--quiet',
        remote('acme/gitops', `x-access-token:${emulator.token}`),
        clone,
      ]);
      writeFileSync(join(clone, 'app.yaml'), 'replicas: 2\n');
      await git(['add', 'app.yaml'], clone);
      await git(['commit', '--quiet', '-m', 'Scale the app'], clone);
      const before = (await git(['rev-parse', 'HEAD~1'], clone)).stdout.trim();
      const after = (await git(['rev-parse', 'HEAD'], clone)).stdout.trim();
      await git(['push', '--quiet', 'origin', 'main'], clone);

      await emulator.github.api.deliveriesSettled();
      const push = receiver.received[1];
      expect(push.headers).toMatchObject({
        'x-github-event': 'push',
        'x-github-hook-id': String(hook.data.id),
        'user-agent': 'GitHub-Hookshot/emulator',
        'content-type': 'application/json',
        'x-hub-signature-256': sign('s3cret', push.body),
        'x-hub-signature': `sha1=${createHmac('sha1', 's3cret')
          .update(push.body)
          .digest('hex')}`,
      });
      expect(push.headers['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
      const payload = JSON.parse(push.body);
      expect(payload).toMatchObject({
        ref: 'refs/heads/main',
        before,
        after,
        created: false,
        deleted: false,
        forced: false,
        base_ref: null,
        commits: [
          {
            id: after,
            message: 'Scale the app',
            added: ['app.yaml'],
            removed: [],
            modified: [],
            author: { name: 'Dev', email: 'dev@example.com' },
          },
        ],
        head_commit: { id: after },
        repository: {
          name: 'gitops',
          full_name: 'acme/gitops',
          clone_url: `${emulator.github.url}/acme/gitops.git`,
          default_branch: 'main',
          owner: { login: 'acme' },
        },
        pusher: { name: 'luban-bot' },
        sender: { login: 'luban-bot' },
      });
      expect(typeof payload.repository.pushed_at).toBe('number');

      // An API write is a push too, and deleting a branch sends deleted: true.
      await octokit.git.createRef({
        owner: 'acme',
        repo: 'gitops',
        ref: 'refs/heads/tmp',
        sha: after,
      });
      await octokit.git.deleteRef({
        owner: 'acme',
        repo: 'gitops',
        ref: 'heads/tmp',
      });
      await emulator.github.api.deliveriesSettled();
      const [created, removed] = receiver.received
        .slice(2)
        .map(request => JSON.parse(request.body));
      expect(created).toMatchObject({
        ref: 'refs/heads/tmp',
        before: ZERO,
        after,
        created: true,
        commits: [],
      });
      expect(removed).toMatchObject({
        ref: 'refs/heads/tmp',
        before: after,
        after: ZERO,
        deleted: true,
        head_commit: null,
      });

      const deliveries = await octokit.repos.listWebhookDeliveries({
        owner: 'acme',
        repo: 'gitops',
        hook_id: hook.data.id,
      });
      expect(
        deliveries.data.map(delivery => [delivery.event, delivery.status_code]),
      ).toEqual([
        ['push', 200],
        ['push', 200],
        ['push', 200],
        ['ping', 200],
      ]);
      expect(
        emulator.github.api
          .deliveries()
          .every(delivery => delivery.status === 'OK'),
      ).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('keeps working when a receiver is down, and records the failed delivery', async () => {
    const receiver = await startReceiver();
    await receiver.close(); // nothing listens there any more
    await emulator.github.api.createRepository('acme', 'gitops', {
      files: { a: 'a' },
    });
    const hook = await octokit.repos.createWebhook({
      owner: 'acme',
      repo: 'gitops',
      config: { url: receiver.url, content_type: 'json' },
      events: ['*'],
    });
    const write = await octokit.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'gitops',
      path: 'b',
      message: 'b',
      content: 'Yg==',
    });
    expect(write.status).toBe(201);
    await emulator.github.api.deliveriesSettled();
    const deliveries = emulator.github.api.deliveries();
    expect(
      deliveries.map(delivery => [delivery.event, delivery.statusCode]),
    ).toEqual([
      ['ping', 0],
      ['push', 0],
    ]);
    expect(deliveries[1].status).toMatch(/^failed to connect to host/);
    expect(
      (
        await octokit.repos.getWebhook({
          owner: 'acme',
          repo: 'gitops',
          hook_id: hook.data.id,
        })
      ).data.last_response.status,
    ).toBe('failed');
  });

  it('sends pull_request events and form-encoded payloads when asked', async () => {
    const receiver = await startReceiver();
    try {
      await emulator.github.api.createRepository('acme', 'gitops', {
        files: { a: 'a' },
      });
      await octokit.repos.createWebhook({
        owner: 'acme',
        repo: 'gitops',
        config: { url: receiver.url, secret: 'k' },
        events: ['pull_request'],
      });
      const main = (
        await octokit.git.getRef({
          owner: 'acme',
          repo: 'gitops',
          ref: 'heads/main',
        })
      ).data.object.sha;
      await octokit.git.createRef({
        owner: 'acme',
        repo: 'gitops',
        ref: 'refs/heads/feature',
        sha: main,
      });
      await octokit.repos.createOrUpdateFileContents({
        owner: 'acme',
        repo: 'gitops',
        branch: 'feature',
        path: 'b',
        message: 'b',
        content: 'Yg==',
      });
      await octokit.pulls.create({
        owner: 'acme',
        repo: 'gitops',
        title: 'Feature',
        head: 'feature',
        base: 'main',
      });
      await emulator.github.api.deliveriesSettled();
      const opened = receiver.received.find(
        request => request.headers['x-github-event'] === 'pull_request',
      )!;
      expect(opened.headers['content-type']).toBe(
        'application/x-www-form-urlencoded',
      );
      expect(opened.headers['x-hub-signature-256']).toBe(
        sign('k', opened.body),
      );
      const payload = JSON.parse(
        new URLSearchParams(opened.body).get('payload')!,
      );
      expect(payload).toMatchObject({
        action: 'opened',
        number: 1,
        pull_request: { head: { ref: 'feature' } },
      });
      // Pushes are not subscribed.
      expect(
        receiver.received.filter(
          request => request.headers['x-github-event'] === 'push',
        ),
      ).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('asks for credentials over smart HTTP as GitHub does', async () => {
    await emulator.github.api.createRepository('acme', 'private', {
      private: true,
      files: { a: 'a' },
    });
    await emulator.github.api.createRepository('acme', 'public', {
      files: { a: 'a' },
    });
    const infoRefs = (repo: string, service: string, authorization?: string) =>
      fetch(`${emulator.github.url}/${repo}/info/refs?service=${service}`, {
        headers: authorization ? { Authorization: authorization } : {},
      });
    const basic = (password: string) =>
      `Basic ${Buffer.from(`x-access-token:${password}`).toString('base64')}`;

    const anonymousPrivate = await infoRefs(
      'acme/private.git',
      'git-upload-pack',
    );
    expect(anonymousPrivate.status).toBe(401);
    expect(anonymousPrivate.headers.get('www-authenticate')).toBe(
      'Basic realm="GitHub"',
    );
    expect((await infoRefs('acme/public.git', 'git-upload-pack')).status).toBe(
      200,
    );
    expect((await infoRefs('acme/public', 'git-receive-pack')).status).toBe(
      401,
    );
    expect(
      (await infoRefs('acme/private.git', 'git-upload-pack', basic('wrong')))
        .status,
    ).toBe(401);
    const ok = await infoRefs(
      'acme/private.git',
      'git-receive-pack',
      basic(emulator.token),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe(
      'application/x-git-receive-pack-advertisement',
    );
    const missing = await infoRefs(
      'acme/nope.git',
      'git-upload-pack',
      basic(emulator.token),
    );
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Repository not found.\n');

    await git([
      'clone',
      '--quiet',
      remote('acme/public'),
      join(work, 'public'),
    ]);
    const refused = await git([
      'clone',
      '--quiet',
      remote('acme/private'),
      join(work, 'private'),
    ]).catch(error => error);
    expect(refused.code).toBe(128);
    expect(
      emulator.requests
        .entries('github')
        .some(
          entry =>
            entry.path.includes('/acme/private.git/info/refs') &&
            entry.status === 401,
        ),
    ).toBe(true);
  });

  it('rejects pushes to a protected branch with GH006 and makes the first pushed branch the default', async () => {
    await octokit.repos.createInOrg({ org: 'acme', name: 'fresh' });
    const clone = join(work, 'fresh');
    await git(['init', '--quiet', clone]);
    writeFileSync(join(clone, 'a.txt'), 'a\n');
    await git(['add', '.'], clone);
    await git(['commit', '--quiet', '-m', 'First'], clone);
    await git(
      [
        'push',
        '--quiet',
        remote('acme/fresh', `x:${emulator.token}`),
        'HEAD:refs/heads/trunk',
      ],
      clone,
    );
    await emulator.github.api.deliveriesSettled();
    expect(
      (await octokit.repos.get({ owner: 'acme', repo: 'fresh' })).data
        .default_branch,
    ).toBe('trunk');

    await octokit.repos.updateBranchProtection({
      owner: 'acme',
      repo: 'fresh',
      branch: 'trunk',
      required_status_checks: null,
      enforce_admins: true,
      required_pull_request_reviews: { required_approving_review_count: 1 },
      restrictions: null,
    });
    writeFileSync(join(clone, 'b.txt'), 'b\n');
    await git(['add', '.'], clone);
    await git(['commit', '--quiet', '-m', 'Second'], clone);
    const rejected = await git(
      [
        'push',
        remote('acme/fresh', `x:${emulator.token}`),
        'HEAD:refs/heads/trunk',
      ],
      clone,
    ).catch(error => error);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain(
      'GH006: Protected branch update failed for refs/heads/trunk.',
    );
    expect(rejected.stderr).toContain(
      'Changes must be made through a pull request.',
    );
    // Other branches still take pushes.
    await git(
      [
        'push',
        '--quiet',
        remote('acme/fresh', `x:${emulator.token}`),
        'HEAD:refs/heads/feature',
      ],
      clone,
    );
    expect(
      (
        await octokit.repos.getBranch({
          owner: 'acme',
          repo: 'fresh',
          branch: 'feature',
        })
      ).data.name,
    ).toBe('feature');
  });

  it('keeps the repositories of an earlier run with the same git root', async () => {
    const gitRoot = join(work, 'git-root');
    const first = await startEmulator({ gitRoot });
    await first.github.api.createRepository('acme', 'kept', {
      files: { 'a.txt': 'kept\n' },
    });
    await first.stop();
    const second = await startEmulator({ gitRoot, token: emulator.token });
    try {
      const client = new Octokit({
        auth: second.token,
        baseUrl: second.github.apiBaseUrl,
      });
      const repo = await client.repos.get({ owner: 'acme', repo: 'kept' });
      expect(repo.data).toMatchObject({
        private: true,
        default_branch: 'main',
      });
      const file = await client.repos.getContent({
        owner: 'acme',
        repo: 'kept',
        path: 'a.txt',
        mediaType: { format: 'raw' },
      });
      expect(file.data).toBe('kept\n');
    } finally {
      await second.stop();
    }
  });
});
