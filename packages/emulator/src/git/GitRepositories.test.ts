import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitRepositories, RefConflictError, ZERO_SHA, type RefUpdate } from './GitRepositories';

describe('GitRepositories', () => {
  let root: string;
  let work: string;
  let repos: GitRepositories;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'luban-git-'));
    work = mkdtempSync(join(tmpdir(), 'luban-work-'));
    repos = new GitRepositories(root);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('forgets what it knew of the commits of a removed repository', async () => {
    await repos.create('acme/gitops.git');
    const write = (content: string) =>
      repos.commit('acme/gitops.git', {
        branch: 'main',
        expectedSha: ZERO_SHA,
        message: 'Initial commit',
        changes: [{ path: 'a.yaml', content }],
      });
    const first = await write('first\n');
    const read = () => repos.readFile('acme/gitops.git', first.sha, 'a.yaml').then(file => file?.content.toString());
    expect(await read()).toBe('first\n');
    expect(await repos.log('acme/gitops.git', first.sha, { path: 'a.yaml' })).toHaveLength(1);

    // The same name again, with other content: the old commit is gone, and nothing kept says otherwise.
    await repos.remove('acme/gitops.git');
    await repos.create('acme/gitops.git');
    const second = await write('second\n');
    expect(second.sha).not.toBe(first.sha);
    expect(await read()).toBeUndefined();
    expect(await repos.commitInfo('acme/gitops.git', first.sha)).toBeUndefined();
    expect(await repos.log('acme/gitops.git', first.sha, { path: 'a.yaml' })).toEqual([]);
  });

  it('commits added, changed and deleted files together, bytes as given, and leaves no staging files behind', async () => {
    await repos.create('acme/gitops.git');
    const first = await repos.commit('acme/gitops.git', {
      branch: 'main',
      expectedSha: ZERO_SHA,
      message: 'Initial commit',
      changes: [
        { path: 'base/deployment.yaml', content: 'replicas: 1\n' },
        { path: 'base/old.yaml', content: 'gone soon\n' },
      ],
    });
    const binary = Buffer.from([0, 255, 13, 10, 1]);
    const second = await repos.commit('acme/gitops.git', {
      branch: 'main',
      expectedSha: first.sha,
      message: 'Change, add and delete',
      changes: [
        { path: 'base/old.yaml', content: null },
        { path: 'base/deployment.yaml', content: 'replicas: 2\r\n' },
        { path: 'overlays/snd/logo.png', content: binary },
        { path: '/overlays/prd/kustomization.yaml', content: 'resources: [../../base]\n' },
      ],
    });
    expect(await repos.listFiles('acme/gitops.git', second.sha)).toEqual([
      'base/deployment.yaml',
      'overlays/prd/kustomization.yaml',
      'overlays/snd/logo.png',
    ]);
    const read = async (path: string) => (await repos.readFile('acme/gitops.git', second.sha, path))?.content;
    expect((await read('base/deployment.yaml'))?.toString()).toBe('replicas: 2\r\n');
    expect(await read('overlays/snd/logo.png')).toEqual(binary);
    expect((await read('overlays/prd/kustomization.yaml'))?.toString()).toBe('resources: [../../base]\n');
    expect(readdirSync(repos.pathOf('acme/gitops.git')).filter(name => /^(blobs-|index-)/.test(name))).toEqual([]);
  });

  it('commits files with compare-and-set on the branch tip', async () => {
    await repos.create('acme/gitops.git');
    const updates: RefUpdate[] = [];
    repos.onRefUpdate(u => updates.push(u));

    const first = await repos.commit('acme/gitops.git', {
      branch: 'main',
      expectedSha: ZERO_SHA,
      message: 'Initial commit',
      changes: [{ path: 'apps/api/overlays/snd/kustomization.yaml', content: 'images: []\n' }],
    });
    const read = await repos.readFile('acme/gitops.git', 'main', 'apps/api/overlays/snd/kustomization.yaml');
    expect(read?.content.toString()).toBe('images: []\n');
    expect(read?.commitSha).toBe(first.sha);

    const second = await repos.commit('acme/gitops.git', {
      branch: 'main',
      expectedSha: first.sha,
      message: 'Set the image',
      changes: [{ path: 'apps/api/overlays/snd/kustomization.yaml', content: 'images: [x]\n' }],
    });
    expect(second.parents).toEqual([first.sha]);

    await expect(
      repos.commit('acme/gitops.git', {
        branch: 'main',
        expectedSha: first.sha, // stale
        message: 'Lost update',
        changes: [{ path: 'a', content: 'b' }],
      }),
    ).rejects.toBeInstanceOf(RefConflictError);

    expect(updates).toEqual([
      { repository: 'acme/gitops.git', ref: 'refs/heads/main', before: ZERO_SHA, after: first.sha },
      { repository: 'acme/gitops.git', ref: 'refs/heads/main', before: first.sha, after: second.sha },
    ]);
    const history = await repos.log('acme/gitops.git', 'main', { path: 'apps/api/overlays/snd/kustomization.yaml' });
    expect(history.map(c => c.message)).toEqual(['Set the image', 'Initial commit']);
  });

  it('serves clone and push over smart HTTP and reports pushed refs', async () => {
    await repos.create('acme/api.git');
    await repos.commit('acme/api.git', { branch: 'main', message: 'init', changes: [{ path: 'README.md', content: '# api\n' }] });
    const server: Server = createServer((req, res) => {
      const match = (req.url ?? '').split('?')[0].match(/^\/(.+?\.git)(\/.*)$/);
      repos.serveSmartHttp(req, res, match![1], match![2], 'tester');
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/api.git`;
    const updates: RefUpdate[] = [];
    repos.onRefUpdate(u => updates.push(u));
    try {
      // Asynchronous: the server answering git runs in this same process.
      const git = async (...args: string[]) =>
        (await promisify(execFile)('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: work })).stdout;
      await git('clone', '--quiet', url, 'api');
      expect(readFileSync(join(work, 'api', 'README.md'), 'utf8')).toBe('# api\n');
      writeFileSync(join(work, 'api', 'FAIL_BUILD'), '');
      await git('-C', 'api', 'add', '.');
      await git('-C', 'api', 'commit', '--quiet', '-m', 'break the build');
      await git('-C', 'api', 'push', '--quiet', 'origin', 'main');
      const head = (await git('-C', 'api', 'rev-parse', 'HEAD')).trim();
      expect(await repos.resolve('acme/api.git', 'main')).toBe(head);
      expect(updates).toEqual([
        { repository: 'acme/api.git', ref: 'refs/heads/main', before: expect.stringMatching(/^[0-9a-f]{40}$/), after: head },
      ]);
    } finally {
      server.close();
    }
  });
});
