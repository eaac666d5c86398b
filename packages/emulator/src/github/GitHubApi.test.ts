import { gunzipSync } from 'node:zlib';
import { Octokit } from '@octokit/rest';
import { startEmulator, type RunningEmulator } from '../server';
import { responseViolations, schemaViolations } from './__testUtils__/openapi';

/** Runs a call that must fail and returns GitHub's answer (status and error body). */
async function failure(call: Promise<unknown>): Promise<{
  status: number;
  data: any;
  headers: Record<string, string | undefined>;
}> {
  try {
    await call;
  } catch (error: any) {
    if (error.status === undefined) throw error;
    return {
      status: error.status,
      data: error.response?.data,
      headers: error.response?.headers ?? {},
    };
  }
  throw new Error('expected the call to fail');
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const DOCS = 'https://docs.github.com/enterprise-server@3.17/rest';

describe('GitHubApi', () => {
  let emulator: RunningEmulator;
  let octokit: Octokit;
  let anonymous: Octokit;

  beforeAll(async () => {
    emulator = await startEmulator();
    octokit = new Octokit({
      auth: emulator.token,
      baseUrl: emulator.github.apiBaseUrl,
    });
    anonymous = new Octokit({ baseUrl: emulator.github.apiBaseUrl });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  /** A repository of acme with one commit on main. */
  async function seeded(
    name = 'gitops',
    files: Record<string, string> = { 'README.md': '# gitops\n' },
  ) {
    await emulator.github.api.createRepository('acme', name, { files });
    return { owner: 'acme', repo: name };
  }

  describe('authentication and owners', () => {
    it('answers the token with luban-bot and GitHub headers', async () => {
      const { data, headers, status } = await octokit.users.getAuthenticated();
      expect(status).toBe(200);
      expect(data).toMatchObject({
        login: 'luban-bot',
        type: 'User',
        id: expect.any(Number),
      });
      expect(responseViolations('GET', '/user', 200, data)).toEqual([]);
      expect(headers['content-type']).toBe('application/json; charset=utf-8');
      expect(headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
      expect(headers['x-ratelimit-limit']).toBe('5000');
      expect(headers['x-ratelimit-resource']).toBe('core');
      expect(Number(headers['x-ratelimit-used'])).toBeGreaterThan(0);
      expect(Number(headers['x-ratelimit-reset'])).toBeGreaterThan(
        Date.now() / 1000,
      );
      expect(headers['cache-control']).toBe('private, max-age=60, s-maxage=60');
    });

    it('rejects unknown tokens with 401 Bad credentials and asks anonymous callers to authenticate', async () => {
      const bad = new Octokit({
        auth: 'not-a-token',
        baseUrl: emulator.github.apiBaseUrl,
      });
      const rejected = await failure(bad.users.getAuthenticated());
      expect(rejected.status).toBe(401);
      expect(rejected.data).toEqual({
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });

      const missing = await failure(anonymous.users.getAuthenticated());
      expect(missing.status).toBe(401);
      expect(missing.data.message).toBe('Requires authentication');
      expect(missing.headers['x-ratelimit-limit']).toBe('60');

      expect(
        (
          await failure(
            anonymous.repos.createForAuthenticatedUser({ name: 'x' }),
          )
        ).status,
      ).toBe(401);
    });

    it('hides private repositories from anonymous callers (404) but shows public ones', async () => {
      await emulator.github.api.createRepository('acme', 'secret', {
        private: true,
        files: { a: 'b' },
      });
      await emulator.github.api.createRepository('acme', 'open', {
        files: { a: 'b' },
      });
      const hidden = await failure(
        anonymous.repos.get({ owner: 'acme', repo: 'secret' }),
      );
      expect(hidden.status).toBe(404);
      expect(hidden.data).toEqual({
        message: 'Not Found',
        documentation_url: `${DOCS}/repos/repos#get-a-repository`,
        status: '404',
      });
      expect(
        (
          await failure(
            anonymous.repos.getContent({
              owner: 'acme',
              repo: 'secret',
              path: 'a',
            }),
          )
        ).status,
      ).toBe(404);
      const open = await anonymous.repos.get({ owner: 'acme', repo: 'open' });
      expect(open.data.permissions).toBeUndefined();
      expect(
        (await octokit.repos.get({ owner: 'acme', repo: 'secret' })).data
          .private,
      ).toBe(true);
    });

    it('treats every other owner as an organization', async () => {
      expect(
        (await octokit.users.getByUsername({ username: 'acme' })).data.type,
      ).toBe('Organization');
      expect(
        (await octokit.users.getByUsername({ username: 'luban-bot' })).data
          .type,
      ).toBe('User');
      const org = await octokit.orgs.get({ org: 'acme' });
      expect(responseViolations('GET', '/orgs/{org}', 200, org.data)).toEqual(
        [],
      );
      expect(
        (await failure(octokit.orgs.get({ org: 'luban-bot' }))).status,
      ).toBe(404);
      expect(
        (await failure(octokit.users.getByUsername({ username: '-bad-' })))
          .status,
      ).toBe(404);
    });
  });

  describe('repositories', () => {
    it('creates a repository (201) and refuses the same name again (422)', async () => {
      const created = await octokit.repos.createInOrg({
        org: 'acme',
        name: 'api',
        private: true,
        auto_init: true,
        description: 'The API',
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(
        `${emulator.github.apiBaseUrl}/repos/acme/api`,
      );
      expect(created.data).toMatchObject({
        name: 'api',
        full_name: 'acme/api',
        private: true,
        visibility: 'private',
        default_branch: 'main',
        html_url: `${emulator.github.url}/acme/api`,
        clone_url: `${emulator.github.url}/acme/api.git`,
        url: `${emulator.github.apiBaseUrl}/repos/acme/api`,
        owner: { login: 'acme', type: 'Organization' },
        permissions: { admin: true, push: true, pull: true },
      });
      expect(schemaViolations('full-repository', created.data)).toEqual([]);
      expect(
        responseViolations('POST', '/orgs/{org}/repos', 201, created.data),
      ).toEqual([]);
      const readme = await octokit.repos.getContent({
        owner: 'acme',
        repo: 'api',
        path: 'README.md',
      });
      expect(
        Buffer.from((readme.data as any).content, 'base64').toString(),
      ).toBe('# api\nThe API\n');

      const duplicate = await failure(
        octokit.repos.createInOrg({ org: 'acme', name: 'api' }),
      );
      expect(duplicate.status).toBe(422);
      expect(duplicate.data).toEqual({
        message: 'Repository creation failed.',
        errors: [
          {
            resource: 'Repository',
            code: 'custom',
            field: 'name',
            message: 'name already exists on this account',
          },
        ],
        documentation_url: `${DOCS}/repos/repos#create-an-organization-repository`,
        status: '422',
      });

      const mine = await octokit.repos.createForAuthenticatedUser({
        name: 'scratch',
      });
      expect(mine.data.owner.login).toBe('luban-bot');
      expect(mine.data.size).toBe(0);
      expect(
        (
          await failure(
            octokit.repos.createInOrg({ org: 'luban-bot', name: 'x' }),
          )
        ).status,
      ).toBe(404);
    });

    it('updates settings, topics and the default branch, and deletes', async () => {
      const repo = await seeded();
      const badBranch = await failure(
        octokit.repos.update({ ...repo, default_branch: 'nope' }),
      );
      expect(badBranch.status).toBe(422);
      expect(badBranch.data.errors).toEqual([
        { resource: 'Repository', code: 'invalid', field: 'default_branch' },
      ]);

      await octokit.git.createRef({
        ...repo,
        ref: 'refs/heads/develop',
        sha: (
          await octokit.git.getRef({ ...repo, ref: 'heads/main' })
        ).data.object.sha,
      });
      const updated = await octokit.repos.update({
        ...repo,
        default_branch: 'develop',
        description: 'GitOps',
        delete_branch_on_merge: true,
      });
      expect(updated.data).toMatchObject({
        default_branch: 'develop',
        description: 'GitOps',
        delete_branch_on_merge: true,
      });

      expect(
        (
          await octokit.repos.replaceAllTopics({
            ...repo,
            names: ['luban', 'gitops'],
          })
        ).data.names,
      ).toEqual(['luban', 'gitops']);
      expect(
        (
          await failure(
            octokit.repos.replaceAllTopics({ ...repo, names: ['Not Valid'] }),
          )
        ).status,
      ).toBe(422);
      expect((await octokit.repos.get(repo)).data.topics).toEqual([
        'luban',
        'gitops',
      ]);

      expect((await octokit.repos.delete(repo)).status).toBe(204);
      expect((await failure(octokit.repos.get(repo))).status).toBe(404);
    });

    it('accepts collaborators, teams and branch protection as publish:github sets them', async () => {
      const repo = await seeded();
      expect(
        (
          await octokit.repos.addCollaborator({
            ...repo,
            username: 'alice',
            permission: 'admin',
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await octokit.repos.addCollaborator({
            ...repo,
            username: 'alice',
            permission: 'push',
          })
        ).status,
      ).toBe(204);
      expect(
        (
          await octokit.teams.addOrUpdateRepoPermissionsInOrg({
            org: 'acme',
            team_slug: 'platform',
            ...repo,
            permission: 'admin',
          })
        ).status,
      ).toBe(204);
      expect(
        (await octokit.teams.getByName({ org: 'acme', team_slug: 'platform' }))
          .data.slug,
      ).toBe('platform');

      expect(
        (
          await failure(
            octokit.repos.getBranchProtection({ ...repo, branch: 'main' }),
          )
        ).data.message,
      ).toBe('Branch not protected');
      const missingBranch = await failure(
        octokit.repos.updateBranchProtection({
          ...repo,
          branch: 'nope',
          required_status_checks: null,
          enforce_admins: true,
          required_pull_request_reviews: null,
          restrictions: null,
        }),
      );
      expect(missingBranch).toMatchObject({
        status: 404,
        data: { message: 'Branch not found' },
      });
      const protectedBranch = await octokit.repos.updateBranchProtection({
        ...repo,
        branch: 'main',
        required_status_checks: { strict: true, contexts: [] },
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      });
      expect(protectedBranch.data).toMatchObject({
        enforce_admins: { enabled: true },
        required_pull_request_reviews: { required_approving_review_count: 1 },
      });
      expect(
        responseViolations(
          'PUT',
          '/repos/{owner}/{repo}/branches/{branch}/protection',
          200,
          protectedBranch.data,
        ),
      ).toEqual([]);
      const branch = await octokit.repos.getBranch({ ...repo, branch: 'main' });
      expect(branch.data.protected).toBe(true);
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/branches/{branch}',
          200,
          branch.data,
        ),
      ).toEqual([]);
      expect(
        (await octokit.repos.getBranchProtection({ ...repo, branch: 'main' }))
          .data.enforce_admins?.enabled,
      ).toBe(true);
    });
  });

  describe('contents', () => {
    it('says an empty repository is empty', async () => {
      await octokit.repos.createInOrg({ org: 'acme', name: 'empty' });
      const empty = await failure(
        octokit.repos.getContent({
          owner: 'acme',
          repo: 'empty',
          path: 'a.yaml',
        }),
      );
      expect(empty.status).toBe(404);
      expect(empty.data.message).toBe('This repository is empty.');
    });

    it('creates, reads, updates with compare-and-set, and deletes files', async () => {
      await octokit.repos.createInOrg({ org: 'acme', name: 'gitops' });
      const repo = { owner: 'acme', repo: 'gitops' };
      const path = 'apps/api/overlays/snd/kustomization.yaml';
      const created = await octokit.repos.createOrUpdateFileContents({
        ...repo,
        path,
        message: 'Add overlay',
        content: base64('images: []\n'),
      });
      expect(created.status).toBe(201);
      expect(
        responseViolations(
          'PUT',
          '/repos/{owner}/{repo}/contents/{path}',
          201,
          created.data,
        ),
      ).toEqual([]);
      const firstCommit = created.data.commit.sha!;
      const root = await octokit.repos.getCommit({ ...repo, ref: firstCommit });
      expect(root.data.parents).toEqual([]);
      expect(root.data.files).toEqual([
        expect.objectContaining({
          filename: path,
          status: 'added',
          additions: 1,
          patch: '@@ -0,0 +1 @@\n+images: []',
        }),
      ]);

      const read = await octokit.repos.getContent({ ...repo, path });
      const file = read.data as any;
      expect(schemaViolations('content-file', file)).toEqual([]);
      expect(file).toMatchObject({
        type: 'file',
        encoding: 'base64',
        name: 'kustomization.yaml',
        path,
        sha: created.data.content!.sha,
        size: 11,
      });
      expect(Buffer.from(file.content, 'base64').toString()).toBe(
        'images: []\n',
      );
      expect(file.html_url).toBe(
        `${emulator.github.url}/acme/gitops/blob/main/${path}`,
      );

      const long = 'x'.repeat(100);
      const longFile = await octokit.repos.createOrUpdateFileContents({
        ...repo,
        path: 'long.txt',
        message: 'Long',
        content: base64(long),
      });
      const longRead = (
        await octokit.repos.getContent({ ...repo, path: 'long.txt' })
      ).data as any;
      expect(
        longRead.content.split('\n').map((line: string) => line.length),
      ).toEqual([60, 60, 16, 0]);
      expect(longFile.status).toBe(201);

      const withoutSha = await failure(
        octokit.repos.createOrUpdateFileContents({
          ...repo,
          path,
          message: 'Overwrite',
          content: base64('images: [x]\n'),
        }),
      );
      expect(withoutSha.status).toBe(422);
      expect(withoutSha.data.message).toBe(
        'Invalid request.\n\n"sha" wasn\'t supplied.',
      );

      const stale = '0123456789012345678901234567890123456789';
      const conflict = await failure(
        octokit.repos.createOrUpdateFileContents({
          ...repo,
          path,
          message: 'Lost update',
          content: base64('images: [y]\n'),
          sha: stale,
        }),
      );
      expect(conflict.status).toBe(409);
      expect(conflict.data.message).toBe(`${path} does not match ${stale}`);
      const unchanged = (await octokit.repos.getContent({ ...repo, path }))
        .data as any;
      expect(Buffer.from(unchanged.content, 'base64').toString()).toBe(
        'images: []\n',
      );

      const updated = await octokit.repos.createOrUpdateFileContents({
        ...repo,
        path,
        message: 'Set image',
        content: base64('images: [x]\n'),
        sha: file.sha,
      });
      expect(updated.status).toBe(200);
      expect(updated.data.commit.message).toBe('Set image');

      const old = (
        await octokit.repos.getContent({ ...repo, path, ref: firstCommit })
      ).data as any;
      expect(Buffer.from(old.content, 'base64').toString()).toBe(
        'images: []\n',
      );
      const raw = await octokit.repos.getContent({
        ...repo,
        path,
        mediaType: { format: 'raw' },
      });
      expect(raw.data).toBe('images: [x]\n');
      const unknownRef = await failure(
        octokit.repos.getContent({ ...repo, path, ref: 'nope' }),
      );
      expect(unknownRef).toMatchObject({
        status: 404,
        data: { message: 'No commit found for the ref nope' },
      });

      const folder = await octokit.repos.getContent({
        ...repo,
        path: 'apps/api',
      });
      expect(folder.data).toEqual([
        expect.objectContaining({
          type: 'dir',
          name: 'overlays',
          path: 'apps/api/overlays',
          download_url: null,
        }),
      ]);
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/contents/{path}',
          200,
          folder.data,
        ),
      ).toEqual([]);
      expect(
        (
          await failure(
            octokit.repos.getContent({ ...repo, path: 'missing.yaml' }),
          )
        ).status,
      ).toBe(404);

      const missingBranch = await failure(
        octokit.repos.createOrUpdateFileContents({
          ...repo,
          path,
          branch: 'nope',
          message: 'x',
          content: base64('x'),
        }),
      );
      expect(missingBranch).toMatchObject({
        status: 404,
        data: { message: 'Branch nope not found' },
      });

      const deleted = await octokit.repos.deleteFile({
        ...repo,
        path,
        message: 'Remove overlay',
        sha: updated.data.content!.sha!,
      });
      expect(deleted.data.content).toBeNull();
      expect(
        (await failure(octokit.repos.getContent({ ...repo, path }))).status,
      ).toBe(404);
    });

    it('refuses direct writes to a branch protected for pull requests', async () => {
      const repo = await seeded();
      await octokit.repos.updateBranchProtection({
        ...repo,
        branch: 'main',
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      });
      const refused = await failure(
        octokit.repos.createOrUpdateFileContents({
          ...repo,
          path: 'new.txt',
          message: 'x',
          content: base64('x'),
        }),
      );
      expect(refused.status).toBe(409);
      expect(refused.data.message).toBe(
        'Could not update file: At least 1 approving review is required by reviewers with write access. Changes must be made through a pull request.',
      );
      // Other branches stay writable.
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      await octokit.git.createRef({
        ...repo,
        ref: 'refs/heads/work',
        sha: main,
      });
      expect(
        (
          await octokit.repos.createOrUpdateFileContents({
            ...repo,
            branch: 'work',
            path: 'new.txt',
            message: 'x',
            content: base64('x'),
          })
        ).status,
      ).toBe(201);
    });
  });

  describe('conditional requests', () => {
    it('answers a matching If-None-Match with 304 at no rate-limit cost', async () => {
      const repo = await seeded();
      const first = await octokit.repos.getContent({
        ...repo,
        path: 'README.md',
      });
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      const remaining = Number(first.headers['x-ratelimit-remaining']);

      const notModified = await failure(
        octokit.repos.getContent({
          ...repo,
          path: 'README.md',
          headers: { 'if-none-match': etag },
        }),
      );
      expect(notModified.status).toBe(304);
      expect(Number(notModified.headers['x-ratelimit-remaining'])).toBe(
        remaining,
      );

      const next = await octokit.repos.getContent({
        ...repo,
        path: 'README.md',
      });
      expect(next.headers.etag).toBe(etag);
      expect(Number(next.headers['x-ratelimit-remaining'])).toBe(remaining - 1);

      await octokit.repos.createOrUpdateFileContents({
        ...repo,
        path: 'README.md',
        message: 'x',
        content: base64('changed'),
        sha: (first.data as any).sha,
      });
      const changed = await octokit.repos.getContent({
        ...repo,
        path: 'README.md',
        headers: { 'if-none-match': etag },
      });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
    });

    it('answers 403 once the rate limit is used up', async () => {
      emulator.github.api.setRateLimitRemaining(0);
      const limited = await failure(octokit.users.getAuthenticated());
      expect(limited.status).toBe(403);
      expect(limited.data.message).toBe(
        'API rate limit exceeded for user ID 1.',
      );
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(
        (await octokit.rateLimit.get()).data.resources.core.remaining,
      ).toBe(0);
    });
  });

  describe('Git Database', () => {
    it('answers 409 on a repository without commits', async () => {
      await octokit.repos.createInOrg({ org: 'acme', name: 'empty' });
      const repo = { owner: 'acme', repo: 'empty' };
      const calls = [
        () => octokit.git.createBlob({ ...repo, content: 'x' }),
        () =>
          octokit.git.createTree({
            ...repo,
            tree: [{ path: 'a', mode: '100644', type: 'blob', content: 'x' }],
          }),
        () =>
          octokit.git.createCommit({
            ...repo,
            message: 'x',
            tree: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
          }),
        () => octokit.git.getRef({ ...repo, ref: 'heads/main' }),
      ];
      for (const call of calls) {
        expect(await failure(call())).toMatchObject({
          status: 409,
          data: { message: 'Git Repository is empty.', status: '409' },
        });
      }
    });

    it('builds a commit from blobs and trees and moves refs with fast-forward checks', async () => {
      const repo = await seeded('gitops', {
        'README.md': '# gitops\n',
        'apps/keep.yaml': 'keep\n',
      });
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data;
      expect(main).toMatchObject({
        ref: 'refs/heads/main',
        object: { type: 'commit' },
      });
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/git/ref/{ref}',
          200,
          main,
        ),
      ).toEqual([]);
      const parent = await octokit.git.getCommit({
        ...repo,
        commit_sha: main.object.sha,
      });

      const blob = await octokit.git.createBlob({
        ...repo,
        content: base64('replicas: 2\n'),
        encoding: 'base64',
      });
      expect(blob.status).toBe(201);
      const tree = await octokit.git.createTree({
        ...repo,
        base_tree: parent.data.tree.sha,
        tree: [
          {
            path: 'apps/api/values.yaml',
            mode: '100644',
            type: 'blob',
            sha: blob.data.sha,
          },
          {
            path: 'NOTES.md',
            mode: '100644',
            type: 'blob',
            content: 'notes\n',
          },
          { path: 'README.md', mode: '100644', type: 'blob', sha: null },
        ],
      });
      expect(tree.status).toBe(201);
      expect(
        responseViolations(
          'POST',
          '/repos/{owner}/{repo}/git/trees',
          201,
          tree.data,
        ),
      ).toEqual([]);
      const commit = await octokit.git.createCommit({
        ...repo,
        message: 'Scale the API',
        tree: tree.data.sha,
        parents: [main.object.sha],
        author: {
          name: 'Dev',
          email: 'dev@example.com',
          date: '2024-05-01T10:00:00Z',
        },
      });
      expect(commit.status).toBe(201);
      expect(commit.data).toMatchObject({
        message: 'Scale the API',
        author: { name: 'Dev', date: '2024-05-01T10:00:00Z' },
        parents: [{ sha: main.object.sha }],
      });
      expect(
        responseViolations(
          'POST',
          '/repos/{owner}/{repo}/git/commits',
          201,
          commit.data,
        ),
      ).toEqual([]);

      const moved = await octokit.git.updateRef({
        ...repo,
        ref: 'heads/main',
        sha: commit.data.sha,
      });
      expect(moved.data.object.sha).toBe(commit.data.sha);
      const listing = await octokit.git.getTree({
        ...repo,
        tree_sha: commit.data.sha,
        recursive: '1',
      });
      expect(listing.data.tree.map(entry => entry.path).sort()).toEqual([
        'NOTES.md',
        'apps',
        'apps/api',
        'apps/api/values.yaml',
        'apps/keep.yaml',
      ]);

      const back = await failure(
        octokit.git.updateRef({
          ...repo,
          ref: 'heads/main',
          sha: main.object.sha,
        }),
      );
      expect(back).toMatchObject({
        status: 422,
        data: { message: 'Update is not a fast forward' },
      });
      expect(
        (
          await octokit.git.updateRef({
            ...repo,
            ref: 'heads/main',
            sha: main.object.sha,
            force: true,
          })
        ).data.object.sha,
      ).toBe(main.object.sha);

      const created = await octokit.git.createRef({
        ...repo,
        ref: 'refs/heads/feature',
        sha: commit.data.sha,
      });
      expect(created.status).toBe(201);
      expect(
        (
          await failure(
            octokit.git.createRef({
              ...repo,
              ref: 'refs/heads/feature',
              sha: commit.data.sha,
            }),
          )
        ).data.message,
      ).toBe('Reference already exists');
      expect(
        (
          await failure(
            octokit.git.createRef({
              ...repo,
              ref: 'refs/heads/x',
              sha: '1'.repeat(40),
            }),
          )
        ).data.message,
      ).toBe('Object does not exist');
      const matching = await octokit.git.listMatchingRefs({
        ...repo,
        ref: 'heads/f',
      });
      expect(matching.data.map(ref => ref.ref)).toEqual(['refs/heads/feature']);
      expect(
        (await octokit.git.deleteRef({ ...repo, ref: 'heads/feature' })).status,
      ).toBe(204);
      expect(
        (await failure(octokit.git.getRef({ ...repo, ref: 'heads/feature' })))
          .status,
      ).toBe(404);
      expect(
        (
          await failure(
            octokit.git.deleteRef({ ...repo, ref: 'heads/feature' }),
          )
        ).data.message,
      ).toBe('Reference does not exist');
    });
  });

  describe('branches, commits and compare', () => {
    it('pages branch lists with GitHub Link headers', async () => {
      const repo = await seeded();
      const sha = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      for (let i = 0; i < 35; i++) {
        await octokit.git.createRef({
          ...repo,
          ref: `refs/heads/b${String(i).padStart(2, '0')}`,
          sha,
        });
      }
      const url = `${emulator.github.apiBaseUrl}/repos/acme/gitops/branches`;
      const first = await octokit.repos.listBranches({ ...repo, per_page: 10 });
      expect(first.data).toHaveLength(10);
      expect(first.data[0]).toMatchObject({
        name: 'b00',
        protected: false,
        commit: { sha },
      });
      expect(first.headers.link).toBe(
        `<${url}?per_page=10&page=2>; rel="next", <${url}?per_page=10&page=4>; rel="last"`,
      );
      const last = await octokit.repos.listBranches({
        ...repo,
        per_page: 10,
        page: 4,
      });
      expect(last.data.map(branch => branch.name)).toEqual([
        'b30',
        'b31',
        'b32',
        'b33',
        'b34',
        'main',
      ]);
      expect(last.headers.link).toBe(
        `<${url}?per_page=10&page=3>; rel="prev", <${url}?per_page=10&page=1>; rel="first"`,
      );
      const middle = await octokit.repos.listBranches({
        ...repo,
        per_page: 10,
        page: 2,
      });
      expect(middle.headers.link).toBe(
        `<${url}?per_page=10&page=1>; rel="prev", <${url}?per_page=10&page=3>; rel="next", <${url}?per_page=10&page=4>; rel="last", <${url}?per_page=10&page=1>; rel="first"`,
      );
      expect(
        await octokit.paginate(octokit.repos.listBranches, {
          ...repo,
          per_page: 100,
        }),
      ).toHaveLength(36);
      expect((await octokit.repos.listBranches({ ...repo })).data).toHaveLength(
        30,
      );
      expect(
        (await failure(octokit.repos.getBranch({ ...repo, branch: 'nope' })))
          .data.message,
      ).toBe('Branch not found');
    });

    it('lists the history of a path newest first, as rollback reads an overlay', async () => {
      const repo = await seeded('gitops', { 'README.md': 'x' });
      const overlay = 'apps/api/overlays/prd/kustomization.yaml';
      const shas: string[] = [];
      let sha: string | undefined;
      for (const tag of ['v1', 'v2', 'v3']) {
        const put = await octokit.repos.createOrUpdateFileContents({
          ...repo,
          path: overlay,
          message: `Deploy ${tag}`,
          content: base64(`tag: ${tag}\n`),
          sha,
        });
        sha = put.data.content!.sha!;
        shas.unshift(put.data.commit.sha!);
        await octokit.repos.createOrUpdateFileContents({
          ...repo,
          path: `other-${tag}.txt`,
          message: 'Unrelated',
          content: base64(tag),
        });
      }
      const history = await octokit.repos.listCommits({
        ...repo,
        path: overlay,
      });
      expect(history.data.map(commit => commit.sha)).toEqual(shas);
      expect(history.data[0].commit.message).toBe('Deploy v3');
      expect(history.data[0].author?.login).toBe('luban-bot');
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/commits',
          200,
          history.data,
        ),
      ).toEqual([]);
      const paged = await octokit.repos.listCommits({
        ...repo,
        path: overlay,
        per_page: 1,
        page: 2,
      });
      expect(paged.data.map(commit => commit.sha)).toEqual([shas[1]]);
      expect(paged.headers.link).toContain('rel="next"');
      expect((await octokit.repos.listCommits({ ...repo })).data).toHaveLength(
        7,
      );

      const single = await octokit.repos.getCommit({ ...repo, ref: shas[0] });
      expect(single.data.files).toEqual([
        expect.objectContaining({
          filename: overlay,
          status: 'modified',
          additions: 1,
          deletions: 1,
        }),
      ]);
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/commits/{ref}',
          200,
          single.data,
        ),
      ).toEqual([]);
      expect(
        (await failure(octokit.repos.getCommit({ ...repo, ref: 'nope' })))
          .status,
      ).toBe(422);
      expect(
        (await failure(octokit.repos.listCommits({ ...repo, sha: 'nope' })))
          .status,
      ).toBe(404);
    });

    it('compares branches: ahead, behind, diverged, identical', async () => {
      const repo = await seeded();
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      await octokit.git.createRef({
        ...repo,
        ref: 'refs/heads/feature',
        sha: main,
      });
      expect(
        (
          await octokit.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: 'main...feature',
          })
        ).data,
      ).toMatchObject({ status: 'identical', ahead_by: 0, behind_by: 0 });
      await octokit.repos.createOrUpdateFileContents({
        ...repo,
        branch: 'feature',
        path: 'f.txt',
        message: 'Feature',
        content: base64('f\n'),
      });
      const ahead = await octokit.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: 'main...feature',
      });
      expect(ahead.data).toMatchObject({
        status: 'ahead',
        ahead_by: 1,
        behind_by: 0,
        total_commits: 1,
        files: [{ filename: 'f.txt', status: 'added', additions: 1 }],
      });
      expect(ahead.data.commits.map(commit => commit.commit.message)).toEqual([
        'Feature',
      ]);
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/compare/{basehead}',
          200,
          ahead.data,
        ),
      ).toEqual([]);
      expect(
        (
          await octokit.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: 'acme:feature...acme:main',
          })
        ).data,
      ).toMatchObject({ status: 'behind', behind_by: 1 });
      await octokit.repos.createOrUpdateFileContents({
        ...repo,
        path: 'm.txt',
        message: 'Main',
        content: base64('m\n'),
      });
      expect(
        (
          await octokit.repos.compareCommitsWithBasehead({
            ...repo,
            basehead: 'main...feature',
          })
        ).data,
      ).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
      expect(
        (
          await failure(
            octokit.repos.compareCommitsWithBasehead({
              ...repo,
              basehead: 'main...nope',
            }),
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('pull requests', () => {
    async function featureBranch(
      repo: { owner: string; repo: string },
      branch = 'feature',
      file = 'f.txt',
    ) {
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      await octokit.git.createRef({
        ...repo,
        ref: `refs/heads/${branch}`,
        sha: main,
      });
      await octokit.repos.createOrUpdateFileContents({
        ...repo,
        branch,
        path: file,
        message: `Change ${file}`,
        content: base64(`${branch}\n`),
      });
    }

    it('opens, refuses duplicates and empty ones, lists by head and merges', async () => {
      const repo = await seeded();
      await featureBranch(repo);
      const created = await octokit.pulls.create({
        ...repo,
        title: 'Promote api',
        head: 'acme:feature',
        base: 'main',
        body: 'Tag v2',
      });
      expect(created.status).toBe(201);
      expect(created.data).toMatchObject({
        number: 1,
        state: 'open',
        title: 'Promote api',
        body: 'Tag v2',
        html_url: `${emulator.github.url}/acme/gitops/pull/1`,
        head: { ref: 'feature', label: 'acme:feature' },
        base: { ref: 'main', label: 'acme:main' },
        merged: false,
        mergeable: true,
        draft: false,
        user: { login: 'luban-bot' },
      });
      expect(schemaViolations('pull-request', created.data)).toEqual([]);
      expect(
        responseViolations(
          'POST',
          '/repos/{owner}/{repo}/pulls',
          201,
          created.data,
        ),
      ).toEqual([]);

      const duplicate = await failure(
        octokit.pulls.create({
          ...repo,
          title: 'Again',
          head: 'feature',
          base: 'main',
        }),
      );
      expect(duplicate.status).toBe(422);
      expect(duplicate.data).toEqual({
        message: 'Validation Failed',
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: 'A pull request already exists for acme:feature.',
          },
        ],
        documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
        status: '422',
      });
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      await octokit.git.createRef({
        ...repo,
        ref: 'refs/heads/same',
        sha: main,
      });
      const empty = await failure(
        octokit.pulls.create({
          ...repo,
          title: 'Nothing',
          head: 'same',
          base: 'main',
        }),
      );
      expect(empty.data.errors).toEqual([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'No commits between main and same',
        },
      ]);
      const missing = await failure(
        octokit.pulls.create({
          ...repo,
          title: 'Nothing',
          head: 'nope',
          base: 'main',
        }),
      );
      expect(missing.data.errors).toEqual([
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]);

      await featureBranch(repo, 'other', 'o.txt');
      await octokit.pulls.create({
        ...repo,
        title: 'Other',
        head: 'other',
        base: 'main',
      });
      expect(
        (await octokit.pulls.list({ ...repo, head: 'acme:feature' })).data.map(
          pull => pull.number,
        ),
      ).toEqual([1]);
      expect(
        (await octokit.pulls.list({ ...repo, head: 'acme:nope' })).data,
      ).toEqual([]);
      // Without `owner:` GitHub ignores the head filter.
      expect(
        (await octokit.pulls.list({ ...repo, head: 'feature' })).data.map(
          pull => pull.number,
        ),
      ).toEqual([2, 1]);
      expect(
        responseViolations(
          'GET',
          '/repos/{owner}/{repo}/pulls',
          200,
          (await octokit.pulls.list(repo)).data,
        ),
      ).toEqual([]);

      expect(
        (await octokit.pulls.listFiles({ ...repo, pull_number: 1 })).data.map(
          file => file.filename,
        ),
      ).toEqual(['f.txt']);
      expect(
        (await octokit.pulls.listCommits({ ...repo, pull_number: 1 })).data.map(
          commit => commit.commit.message,
        ),
      ).toEqual(['Change f.txt']);

      const merged = await octokit.pulls.merge({ ...repo, pull_number: 1 });
      expect(merged.data).toEqual({
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        merged: true,
        message: 'Pull Request successfully merged',
      });
      const readBack = await octokit.pulls.get({ ...repo, pull_number: 1 });
      expect(readBack.data).toMatchObject({
        state: 'closed',
        merged: true,
        merge_commit_sha: merged.data.sha,
        merged_by: { login: 'luban-bot' },
        commits: 1,
        changed_files: 1,
      });
      const mainCommit = await octokit.repos.getCommit({
        ...repo,
        ref: 'main',
      });
      expect(mainCommit.data.commit.message).toBe(
        'Merge pull request #1 from acme/feature\n\nPromote api',
      );
      expect(mainCommit.data.parents).toHaveLength(2);
      expect(
        await failure(octokit.pulls.merge({ ...repo, pull_number: 1 })),
      ).toMatchObject({
        status: 405,
        data: { message: 'Pull Request is not mergeable' },
      });
      expect(
        (await octokit.pulls.checkIfMerged({ ...repo, pull_number: 1 })).status,
      ).toBe(204);

      const closed = await octokit.pulls.update({
        ...repo,
        pull_number: 2,
        state: 'closed',
      });
      expect(closed.data).toMatchObject({ state: 'closed', merged: false });
      expect(
        (await octokit.pulls.list({ ...repo, state: 'all' })).data,
      ).toHaveLength(2);
      expect((await octokit.pulls.list(repo)).data).toHaveLength(0);
      expect(
        (await failure(octokit.pulls.get({ ...repo, pull_number: 9 }))).status,
      ).toBe(404);
    });

    it('squash-merges and reports conflicts as not mergeable', async () => {
      const repo = await seeded();
      await featureBranch(repo, 'one', 'same.txt');
      await featureBranch(repo, 'two', 'same.txt');
      await octokit.pulls.create({
        ...repo,
        title: 'One',
        head: 'one',
        base: 'main',
      });
      await octokit.pulls.create({
        ...repo,
        title: 'Two',
        head: 'two',
        base: 'main',
      });
      const squashed = await octokit.pulls.merge({
        ...repo,
        pull_number: 1,
        merge_method: 'squash',
      });
      const commit = await octokit.repos.getCommit({
        ...repo,
        ref: squashed.data.sha,
      });
      expect(commit.data.parents).toHaveLength(1);
      expect(commit.data.commit.message).toBe('Change same.txt');
      const two = await octokit.pulls.get({ ...repo, pull_number: 2 });
      expect(two.data).toMatchObject({
        mergeable: false,
        mergeable_state: 'dirty',
      });
      expect(
        (await failure(octokit.pulls.merge({ ...repo, pull_number: 2 })))
          .status,
      ).toBe(405);
    });

    it('holds merges into a protected branch until an approving review', async () => {
      const repo = await seeded();
      await featureBranch(repo);
      await octokit.repos.updateBranchProtection({
        ...repo,
        branch: 'main',
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: { required_approving_review_count: 1 },
        restrictions: null,
      });
      const pull = await octokit.pulls.create({
        ...repo,
        title: 'Needs review',
        head: 'feature',
        base: 'main',
      });
      expect(
        (await octokit.pulls.get({ ...repo, pull_number: pull.data.number }))
          .data.mergeable_state,
      ).toBe('blocked');
      const own = await failure(
        octokit.pulls.createReview({
          ...repo,
          pull_number: pull.data.number,
          event: 'APPROVE',
        }),
      );
      expect(own.status).toBe(422);
      const held = await failure(
        octokit.pulls.merge({ ...repo, pull_number: pull.data.number }),
      );
      expect(held).toMatchObject({
        status: 405,
        data: {
          message:
            'At least 1 approving review is required by reviewers with write access.',
        },
      });
      emulator.github.api.approvePullRequest(
        'acme',
        'gitops',
        pull.data.number,
        'alice',
      );
      expect(
        (await octokit.pulls.merge({ ...repo, pull_number: pull.data.number }))
          .data.merged,
      ).toBe(true);
    });

    // docs.github.com rest/branches/branch-protection#update-branch-protection
    // (bypass_pull_request_allowances) and "About protected branches": a
    // bypass actor pushes without a pull request; everyone else needs the
    // approvals, the latest verdict of each reviewer counting.
    it('lets a bypass actor push while other users need approvals, the latest verdict of each reviewer counting', async () => {
      const repo = await seeded();
      await featureBranch(repo);
      const put = await octokit.repos.updateBranchProtection({
        ...repo,
        branch: 'main',
        required_status_checks: null,
        enforce_admins: true,
        required_pull_request_reviews: {
          required_approving_review_count: 1,
          bypass_pull_request_allowances: { users: ['luban-bot'] },
        },
        restrictions: null,
      });
      expect(
        put.data.required_pull_request_reviews?.bypass_pull_request_allowances
          ?.users,
      ).toEqual([
        expect.objectContaining({ login: 'luban-bot', type: 'User' }),
      ]);
      const main = await octokit.repos.getBranch({ ...repo, branch: 'main' });
      const commit = await octokit.git.createCommit({
        ...repo,
        message: 'Direct, as the bypass actor',
        tree: main.data.commit.commit.tree.sha,
        parents: [main.data.commit.sha],
      });
      await octokit.git.updateRef({
        ...repo,
        ref: 'heads/main',
        sha: commit.data.sha,
      });

      const alice = new Octokit({
        auth: emulator.github.api.userToken('alice'),
        baseUrl: emulator.github.apiBaseUrl,
      });
      const bob = new Octokit({
        auth: emulator.github.api.userToken('bob'),
        baseUrl: emulator.github.apiBaseUrl,
      });
      const refused = await failure(
        alice.git.updateRef({
          ...repo,
          ref: 'heads/main',
          sha: main.data.commit.sha,
          force: true,
        }),
      );
      expect(refused.status).toBe(422);
      const pull = await octokit.pulls.create({
        ...repo,
        title: 'Reviewed',
        head: 'feature',
        base: 'main',
      });
      const number = pull.data.number;
      const merge = () => alice.pulls.merge({ ...repo, pull_number: number });
      expect((await failure(merge())).data.message).toBe(
        'At least 1 approving review is required by reviewers with write access.',
      );
      await bob.pulls.createReview({
        ...repo,
        pull_number: number,
        event: 'APPROVE',
      });
      await bob.pulls.createReview({
        ...repo,
        pull_number: number,
        event: 'REQUEST_CHANGES',
        body: 'Not yet',
      });
      expect((await failure(merge())).status).toBe(405);
      await bob.pulls.createReview({
        ...repo,
        pull_number: number,
        event: 'COMMENT',
        body: 'Fine now',
      });
      expect((await failure(merge())).status).toBe(405);
      await bob.pulls.createReview({
        ...repo,
        pull_number: number,
        event: 'APPROVE',
      });
      const reviews = await octokit.pulls.listReviews({
        ...repo,
        pull_number: number,
      });
      expect(
        reviews.data.map(review => [review.user?.login, review.state]),
      ).toEqual([
        ['bob', 'APPROVED'],
        ['bob', 'CHANGES_REQUESTED'],
        ['bob', 'COMMENTED'],
        ['bob', 'APPROVED'],
      ]);
      expect((await merge()).data.merged).toBe(true);
    });
  });

  describe("what Backstage's GitHub URL reader fetches", () => {
    it('serves raw files with ETags, commit status with the repository, archives and trees', async () => {
      const repo = await seeded('catalog', {
        'catalog-info.yaml': 'kind: Component\n',
        'docs/index.md': '# Docs\n',
      });
      const headers = { Authorization: `token ${emulator.token}` };
      const api = `${emulator.github.apiBaseUrl}/repos/acme/catalog`;

      const raw = await fetch(`${api}/contents/catalog-info.yaml?ref=main`, {
        headers: { ...headers, Accept: 'application/vnd.github.v3.raw' },
      });
      expect(raw.status).toBe(200);
      expect(await raw.text()).toBe('kind: Component\n');
      const again = await fetch(`${api}/contents/catalog-info.yaml?ref=main`, {
        headers: {
          ...headers,
          Accept: 'application/vnd.github.v3.raw',
          'If-None-Match': raw.headers.get('etag')!,
        },
      });
      expect(again.status).toBe(304);

      const status = await (
        await fetch(`${api}/commits/main/status?per_page=0`, { headers })
      ).json();
      const main = (await octokit.git.getRef({ ...repo, ref: 'heads/main' }))
        .data.object.sha;
      expect(status.sha).toBe(main);
      expect(status.repository.archive_url).toBe(
        `${api}/{archive_format}{/ref}`,
      );

      const archive = await fetch(
        status.repository.archive_url
          .replace('{archive_format}', 'tarball')
          .replace('{/ref}', `/${main}`),
        { headers },
      );
      expect(archive.status).toBe(200);
      expect(archive.headers.get('content-type')).toBe('application/x-gzip');
      const tar = gunzipSync(Buffer.from(await archive.arrayBuffer())).toString(
        'latin1',
      );
      expect(tar).toContain(`acme-catalog-${main.slice(0, 7)}/docs/index.md`);

      const tree = await (
        await fetch(
          `${status.repository.trees_url.replace(
            '{/sha}',
            `/${main}`,
          )}?recursive=true`,
          { headers },
        )
      ).json();
      expect(tree.tree.map((entry: { path: string }) => entry.path)).toEqual([
        'catalog-info.yaml',
        'docs',
        'docs/index.md',
      ]);
    });
  });
});
