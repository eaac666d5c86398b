import { createHmac, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConfigReader } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  serializeError,
} from '@backstage/errors';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { Octokit } from '@octokit/rest';
import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import { PullRequestStatus } from 'azure-devops-node-api/interfaces/GitInterfaces';
import { BranchProtectedError, StaleBranchError, type GitProvider } from './GitProvider';
import { GitProviders } from './GitProviders';
import type { RepoLocation } from './repoLocation';
import { editFiles } from '../gitops/editFiles';

/** The credential configured for both systems: it must never show up in an error. */
const CANARY = `canary${randomBytes(12).toString('hex')}`;
/** A wrong credential, just as secret. */
const WRONG = `wrongcanary${randomBytes(12).toString('hex')}`;

let emulator: RunningEmulator;

function configWith(token: string, githubApiBaseUrl = emulator.github.apiBaseUrl) {
  return new ConfigReader({
    luban: { requestTimeoutSeconds: 10 },
    integrations: {
      github: [{ host: new URL(emulator.github.url).host, apiBaseUrl: githubApiBaseUrl, token }],
      azure: [{ host: new URL(emulator.azure.url).host, credentials: [{ personalAccessToken: token }] }],
    },
  });
}

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on a free local port. */
async function startReceiver() {
  const received: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gitops`,
    received,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

/**
 * A proxy to the GitHub emulator that forwards one pull request creation at
 * a time. GitHub refuses a second open pull request for the same branches
 * atomically; the emulator checks, awaits git, then stores, so two creations
 * in flight at once can both succeed there.
 */
async function startSerializingProxy(target: string) {
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    const forward = () =>
      new Promise<void>(done => {
        const upstream = httpRequest(
          new URL(req.url!, target),
          { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
          answer => {
            res.writeHead(answer.statusCode!, answer.headers);
            answer.pipe(res);
            answer.on('end', done);
          },
        );
        upstream.on('error', () => {
          res.destroy();
          done();
        });
        req.pipe(upstream);
      });
    if (req.method === 'POST' && /\/pulls$/.test(new URL(req.url!, target).pathname)) queue = queue.then(forward);
    else void forward();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}${new URL(emulator.github.apiBaseUrl).pathname}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What differs per provider in the tests: where repositories are, how the emulator merges and delivers. */
interface Harness {
  system: 'github' | 'azure';
  location(providers: GitProviders, name: string): RepoLocation;
  /** Merges a pull request through the emulator's API, as a reviewer would. */
  merge(name: string, number: number): Promise<void>;
  deliveriesSettled(): Promise<void>;
  /** Other backend instances (nothing shared in memory), and what to close afterwards. */
  otherBackends(count: number): Promise<{ backends: GitProviders[]; close(): Promise<void> }>;
  /** The web pages of `apps/api/kustomization.yaml` at main, `a.yaml` at the commit and pull request 7. */
  /** The web pages of files, a pull request, and the comparison of `sha` with the commit `b…b`. */
  webUrls(webUrl: string, sha: string): { file: string; fileAtCommit: string; pullRequest: string; compare: string };
  /** The commit a push delivery announces, when it is an authentic push. */
  pushedSha(delivery: Delivery, secret: string): string | undefined;
  /** A reviewer's verdict, cast as that user in the emulator. */
  review(name: string, number: number, reviewer: string, verdict: 'approve' | 'reject'): Promise<void>;
  /** Reports a failed check on a commit, and the checks luban should then read (Azure DevOps: none, statuses are not read). */
  failCheck(name: string, sha: string): Promise<{ state: string; total: number } | undefined>;
  /** The approvals `main` requires, read back from the host. */
  requiredApprovals(name: string): Promise<number | undefined>;
  /**
   * Whether luban's own commits still reach a protected `main`: GitHub lets
   * a bypass actor push; Azure DevOps only an identity granted "Bypass
   * policies when pushing", which the emulator does not model.
   */
  commitsToProtectedMain: 'allowed' | 'refused';
}

const github: Harness = {
  system: 'github',
  location: (providers, name) => providers.parse(`${new URL(emulator.github.url).host}?owner=acme&repo=${name}`),
  async merge(name, number) {
    const octokit = new Octokit({ auth: emulator.token, baseUrl: emulator.github.apiBaseUrl });
    await octokit.pulls.merge({ owner: 'acme', repo: name, pull_number: number });
  },
  deliveriesSettled: () => emulator.github.api.deliveriesSettled(),
  webUrls: (webUrl, sha) => ({
    file: `${webUrl}/blob/main/apps/api/kustomization.yaml`,
    fileAtCommit: `${webUrl}/blob/${sha}/a.yaml`,
    pullRequest: `${webUrl}/pull/7`,
    compare: `${webUrl}/compare/${sha}...${'b'.repeat(40)}`,
  }),
  async otherBackends(count) {
    // One proxy for all of them: it serializes their creations.
    const proxy = await startSerializingProxy(emulator.github.url);
    const backends = Array.from({ length: count }, () => GitProviders.fromConfig(configWith(CANARY, proxy.apiBaseUrl)));
    return { backends, close: proxy.close };
  },
  pushedSha(delivery, secret) {
    if (delivery.headers['x-github-event'] !== 'push') return undefined;
    const signature = `sha256=${createHmac('sha256', secret).update(delivery.body).digest('hex')}`;
    if (delivery.headers['x-hub-signature-256'] !== signature) return undefined;
    return JSON.parse(delivery.body).after;
  },
  async review(name, number, reviewer, verdict) {
    const octokit = new Octokit({ auth: emulator.github.api.userToken(reviewer), baseUrl: emulator.github.apiBaseUrl });
    await octokit.pulls.createReview({ owner: 'acme', repo: name, pull_number: number, event: verdict === 'approve' ? 'APPROVE' : 'REQUEST_CHANGES' });
  },
  async failCheck(name, sha) {
    const octokit = new Octokit({ auth: emulator.token, baseUrl: emulator.github.apiBaseUrl });
    await octokit.repos.createCommitStatus({ owner: 'acme', repo: name, sha, state: 'failure', context: 'ci/lint' });
    return { state: 'failure', total: 1 };
  },
  async requiredApprovals(name) {
    const octokit = new Octokit({ auth: emulator.token, baseUrl: emulator.github.apiBaseUrl });
    const { data } = await octokit.repos.getBranchProtection({ owner: 'acme', repo: name, branch: 'main' });
    return data.required_pull_request_reviews?.required_approving_review_count;
  },
  commitsToProtectedMain: 'allowed',
};

const azure: Harness = {
  system: 'azure',
  location: (providers, name) =>
    providers.parse(`${new URL(emulator.azure.url).host}?organization=luban&project=platform&repo=${name}`),
  async merge(name, number) {
    const git = await new WebApi(emulator.azure.organizationUrl, getPersonalAccessTokenHandler(emulator.token)).getGitApi();
    const pull = await git.getPullRequest(name, number, 'platform');
    await git.updatePullRequest(
      { status: PullRequestStatus.Completed, lastMergeSourceCommit: pull.lastMergeSourceCommit },
      name,
      number,
      'platform',
    );
  },
  deliveriesSettled: () => emulator.azure.api.deliveriesSettled(),
  webUrls: (webUrl, sha) => ({
    file: `${webUrl}?path=%2Fapps%2Fapi%2Fkustomization.yaml&version=GBmain`,
    fileAtCommit: `${webUrl}?path=%2Fa.yaml&version=GC${sha}`,
    pullRequest: `${webUrl}/pullrequest/7`,
    compare: `${webUrl}/branchCompare?baseVersion=GC${sha}&targetVersion=GC${'b'.repeat(40)}`,
  }),
  otherBackends: async count => ({
    backends: Array.from({ length: count }, () => GitProviders.fromConfig(configWith(CANARY))),
    close: async () => {},
  }),
  pushedSha(delivery, secret) {
    if (delivery.headers.authorization !== `Bearer ${secret}`) return undefined;
    const body = JSON.parse(delivery.body);
    return body.eventType === 'git.push' ? body.resource.refUpdates[0].newObjectId : undefined;
  },
  async review(name, number, reviewer, verdict) {
    await emulator.azure.api.votePullRequest('luban', 'platform', name, number, reviewer, verdict === 'approve' ? 10 : -10);
  },
  failCheck: async () => undefined,
  async requiredApprovals(name) {
    const connection = new WebApi(emulator.azure.organizationUrl, getPersonalAccessTokenHandler(emulator.token));
    const { id } = await (await connection.getGitApi()).getRepository(name, 'platform');
    const policies = await (await connection.getPolicyApi()).getPolicyConfigurations('platform');
    // One blocking policy of the repository, the author's vote not counting.
    const scoped = policies.filter(
      p => p.settings?.scope?.some((s: { repositoryId?: string }) => s.repositoryId === id) && p.isBlocking && p.isEnabled,
    );
    if (scoped.length !== 1 || scoped[0].settings.creatorVoteCounts !== false) return undefined;
    return scoped[0].settings.minimumApproverCount;
  },
  commitsToProtectedMain: 'refused',
};

/** Everything a thrown error shows: message, stack, enumerable fields (deeply), serialized forms. */
function everythingIn(error: unknown): string {
  return [
    String(error),
    (error as Error).stack,
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
    JSON.stringify(serializeError(error as Error, { includeStack: true })),
    JSON.stringify(Object.entries(error as object)),
  ].join('\n');
}

async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  emulator = await startEmulator({ token: CANARY });
  // Azure DevOps is served over HTTPS with the emulator's own certificate.
  trustEmulatorCertificate(emulator.kubernetes.caCert);
});
afterAll(() => emulator.stop());

describe.each([
  ['GitHub', github],
  ['Azure DevOps', azure],
])('GitProvider on %s', (_name, harness) => {
  let providers: GitProviders;
  let seq = 0;
  const names = () => `gitops-${harness.system}-${++seq}`;

  beforeAll(() => {
    providers = GitProviders.fromConfig(configWith(CANARY));
  });
  afterEach(() => emulator.faults.reset());

  /** A new repository, created through the provider itself. */
  async function repository(): Promise<{ repo: RepoLocation; provider: GitProvider; main: string; name: string }> {
    const name = names();
    const repo = harness.location(providers, name);
    const provider = providers.forRepository(repo);
    await provider.ensureRepository(repo, { description: 'Deployments' });
    return { repo, provider, name, main: (await provider.getBranch(repo, 'main'))! };
  }

  const mutating = () => emulator.requests.mutating(harness.system);

  it('creates a repository with its default branch once, and only reads in a dry run', async () => {
    const name = names();
    const repo = harness.location(providers, name);
    const provider = providers.forRepository(repo);

    emulator.requests.clear();
    expect(await provider.ensureRepository(repo, { dryRun: true })).toMatchObject({ result: 'created', defaultBranch: 'main' });
    expect(mutating()).toEqual([]);

    const created = await provider.ensureRepository(repo, { description: 'Deployments', private: true });
    expect(created).toEqual({
      result: 'created',
      webUrl: repo.webUrl,
      cloneUrl: repo.cloneUrl,
      defaultBranch: 'main',
    });
    expect(await provider.getBranch(repo, 'main')).toMatch(/^[0-9a-f]{40}$/);
    expect((await provider.readFile(repo, 'README.md', 'main'))?.content).toContain(`# ${name}`);

    emulator.requests.clear();
    expect(await provider.ensureRepository(repo)).toEqual({ ...created, result: 'unchanged' });
    expect(mutating()).toEqual([]);

    const trunk = harness.location(providers, names());
    expect(await provider.ensureRepository(trunk, { defaultBranch: 'trunk' })).toMatchObject({ defaultBranch: 'trunk' });
    expect(await provider.getBranch(trunk, 'trunk')).toMatch(/^[0-9a-f]{40}$/);
    expect(await provider.getBranch(trunk, 'main')).toBeUndefined();
  });

  it('reads files, and a warm read costs one request (GitHub: a conditional one answered 304; Azure DevOps: the branch head)', async () => {
    const { repo, provider, main } = await repository();
    const { commitSha } = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: main,
      message: 'Add the api overlay',
      files: [{ path: 'apps/api/overlays/snd/kustomization.yaml', content: 'images: []\n' }],
    });

    const cold = await provider.readFile(repo, 'apps/api/overlays/snd/kustomization.yaml', 'main');
    expect(cold).toEqual({ content: 'images: []\n', version: expect.stringMatching(/^[0-9a-f]{40}$/), commitSha });

    emulator.requests.clear();
    expect(await provider.readFile(repo, '/apps/api/overlays/snd/kustomization.yaml', 'main')).toEqual(cold);
    // Azure DevOps: the branch's head, then nothing (the file at that commit is known); its items ETag is not relied on.
    expect(emulator.requests.entries(harness.system).map(r => r.status)).toEqual([harness.system === 'github' ? 304 : 200]);

    // Someone else moves the branch: the next read sees it.
    const { commitSha: next } = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: commitSha,
      message: 'Pin the api',
      files: [{ path: 'apps/api/overlays/snd/kustomization.yaml', content: 'images: [api]\n' }],
    });
    expect(await provider.readFile(repo, 'apps/api/overlays/snd/kustomization.yaml', 'main')).toMatchObject({
      content: 'images: [api]\n',
      commitSha: next,
    });
    expect(await provider.readFile(repo, 'apps/api/overlays/snd/kustomization.yaml', commitSha)).toMatchObject({
      content: 'images: []\n',
    });
    expect(await provider.readFile(repo, 'apps/missing.yaml', 'main')).toBeUndefined();
    await expect(provider.readFile(repo, 'README.md', 'no-such-branch')).rejects.toThrow(NotFoundError);
    await expect(provider.readFile(repo, '../etc/passwd', 'main')).rejects.toThrow('is not a valid file path');
  });

  it('commits with compare-and-set: a stale head throws StaleBranchError and writes nothing', async () => {
    const { repo, provider, main } = await repository();
    const first = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: main,
      message: 'Add two files',
      files: [
        { path: 'a.yaml', content: 'a: 1\n' },
        { path: 'b.yaml', content: 'b: 1\n' },
      ],
    });

    emulator.requests.clear();
    const stale = await failure(
      provider.commitFiles(repo, {
        branch: 'main',
        expectedHeadSha: main,
        message: 'Overwrite a',
        files: [{ path: 'a.yaml', content: 'a: 2\n' }],
      }),
    );
    expect(stale).toBeInstanceOf(StaleBranchError);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ branch: 'main', expectedHeadSha: main, actualHeadSha: first.commitSha });
    expect(mutating()).toEqual([]);
    expect(await provider.getBranch(repo, 'main')).toBe(first.commitSha);
    expect((await provider.readFile(repo, 'a.yaml', 'main'))?.content).toBe('a: 1\n');

    // Deletes and edits in one commit; a commit that changes nothing is not made.
    const second = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: first.commitSha,
      message: 'Replace b by c',
      files: [
        { path: 'b.yaml', content: null },
        { path: 'c.yaml', content: 'c: 1\n' },
      ],
    });
    expect(await provider.readFile(repo, 'b.yaml', 'main')).toBeUndefined();
    expect((await provider.readFile(repo, 'c.yaml', 'main'))?.content).toBe('c: 1\n');
    const same = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: second.commitSha,
      message: 'Nothing',
      files: [{ path: 'c.yaml', content: 'c: 1\n' }],
    });
    expect(same.commitSha).toBe(second.commitSha);
  });

  it('edits under contention without losing a change', async () => {
    const { repo, provider, main } = await repository();
    await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: main,
      message: 'Start a log',
      files: [{ path: 'log.txt', content: 'start\n' }],
    });

    // A concurrent commit lands between our read and our write.
    let interleaved = false;
    const seen: Array<string | undefined> = [];
    const racing = {
      getBranch: provider.getBranch.bind(provider),
      readFile: provider.readFile.bind(provider),
      commitFiles: async (r: RepoLocation, options: Parameters<GitProvider['commitFiles']>[1]) => {
        if (!interleaved) {
          interleaved = true;
          const theirs = await provider.readFile(r, 'log.txt', options.expectedHeadSha);
          await provider.commitFiles(r, {
            ...options,
            message: 'Their line',
            files: [{ path: 'log.txt', content: `${theirs!.content}theirs\n` }],
          });
        }
        return provider.commitFiles(r, options);
      },
    };
    const result = await editFiles(racing, repo, {
      branch: 'main',
      message: 'Our line',
      edits: {
        'log.txt': current => {
          seen.push(current);
          return `${current}ours\n`;
        },
      },
    });
    expect(result).toEqual({ changed: true, commitSha: await provider.getBranch(repo, 'main') });
    expect(seen).toEqual(['start\n', 'start\ntheirs\n']);
    expect((await provider.readFile(repo, 'log.txt', 'main'))?.content).toBe('start\ntheirs\nours\n');

    // Three editors at once, each appending a line.
    const results = await Promise.all(
      ['one', 'two', 'three'].map(line =>
        editFiles(provider, repo, {
          branch: 'main',
          message: `Append ${line}`,
          edits: { 'log.txt': current => `${current ?? ''}${line}\n` },
        }),
      ),
    );
    expect(results.every(r => r.changed)).toBe(true);
    const lines = (await provider.readFile(repo, 'log.txt', 'main'))!.content.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['start', 'theirs', 'ours']);
    expect(lines.slice(3).sort()).toEqual(['one', 'three', 'two']);

    // Nothing to change: no commit.
    emulator.requests.clear();
    expect(
      await editFiles(provider, repo, { branch: 'main', message: 'Same', edits: { 'log.txt': current => current } }),
    ).toEqual({ changed: false });
    expect(await editFiles(provider, repo, { branch: 'main', message: 'None', edits: { 'log.txt': () => undefined } })).toEqual({
      changed: false,
    });
    expect(mutating()).toEqual([]);

    // A branch that keeps moving ends in a clear conflict.
    const restless = {
      ...racing,
      commitFiles: async (): Promise<{ commitSha: string }> => {
        throw new StaleBranchError('moved', 'main', 'x');
      },
    };
    await expect(
      editFiles(restless, repo, { branch: 'main', message: 'x', edits: { 'log.txt': c => `${c}x` }, maxAttempts: 2 }),
    ).rejects.toThrow(/the branch moved under each of 2 attempts/);
  });

  it('opens one pull request per head and base, also when asked concurrently, and sees it merged', async () => {
    const { repo, provider, main, name } = await repository();
    expect(await provider.ensureBranch(repo, 'promote/api-v2', main)).toBe('created');
    expect(await provider.ensureBranch(repo, 'promote/api-v2', main)).toBe('unchanged');
    const { commitSha } = await provider.commitFiles(repo, {
      branch: 'promote/api-v2',
      expectedHeadSha: main,
      message: 'Promote api v2',
      files: [{ path: 'apps/api/overlays/prd/kustomization.yaml', content: 'tag: v2\n' }],
    });
    expect(await provider.readFile(repo, 'apps/api/overlays/prd/kustomization.yaml', 'promote/api-v2')).toMatchObject({
      content: 'tag: v2\n',
      commitSha,
    });
    await expect(provider.readFile(repo, 'apps', 'promote/api-v2')).rejects.toThrow(/not a file/);
    const request = { head: 'promote/api-v2', base: 'main', title: 'Promote api to prd', body: 'Tag v2' };

    const opened = await provider.openOrReusePullRequest(repo, request);
    expect(opened).toMatchObject({ state: 'open', reused: false, webUrl: provider.webUrlOfPullRequest(repo, opened.number) });
    expect(opened.url).toMatch(/^https?:\/\//);
    expect(await provider.openOrReusePullRequest(repo, request)).toEqual({ ...opened, reused: true });

    // Ten at once on another branch: one pull request.
    await provider.ensureBranch(repo, 'promote/web', main);
    await provider.commitFiles(repo, {
      branch: 'promote/web',
      expectedHeadSha: main,
      message: 'Promote web',
      files: [{ path: 'web.yaml', content: 'tag: v1\n' }],
    });
    const concurrent = await Promise.all(
      Array.from({ length: 10 }, () =>
        provider.openOrReusePullRequest(repo, { ...request, head: 'promote/web', title: 'Promote web' }),
      ),
    );
    expect(new Set(concurrent.map(p => p.number)).size).toBe(1);
    expect(concurrent.filter(p => !p.reused)).toHaveLength(1);
    expect(concurrent[0].number).not.toBe(opened.number);

    // Two backends at once (nothing shared in memory): the loser's create answers "already exists" and it looks the winner up.
    await provider.ensureBranch(repo, 'promote/worker', main);
    await provider.commitFiles(repo, {
      branch: 'promote/worker',
      expectedHeadSha: main,
      message: 'Promote worker',
      files: [{ path: 'worker.yaml', content: 'tag: v1\n' }],
    });
    const others = await harness.otherBackends(2);
    try {
      const racing = await Promise.all(
        others.backends.map(backend =>
          backend.forRepository(repo).openOrReusePullRequest(repo, { ...request, head: 'promote/worker' }),
        ),
      );
      expect(new Set(racing.map(p => p.number)).size).toBe(1);
      expect(racing.map(p => p.reused).sort()).toEqual([false, true]);
    } finally {
      await others.close();
    }

    expect(await provider.getPullRequest(repo, opened.number)).toEqual({
      number: opened.number,
      state: 'open',
      title: 'Promote api to prd',
      webUrl: opened.webUrl,
    });
    await harness.merge(name, opened.number);
    const merged = await provider.getPullRequest(repo, opened.number);
    expect(merged).toMatchObject({ state: 'merged' });
    expect((await provider.readFile(repo, 'apps/api/overlays/prd/kustomization.yaml', 'main'))?.content).toBe('tag: v2\n');
    expect(commitSha).toMatch(/^[0-9a-f]{40}$/);
    await expect(provider.getPullRequest(repo, 999)).rejects.toThrow(NotFoundError);
  });

  it('requires approvals on a branch once, never lowers them, and reads the reviewers\' latest verdicts', async () => {
    const { repo, provider, main, name } = await repository();
    emulator.requests.clear();
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 1, dryRun: true })).toBe('created');
    expect(mutating()).toEqual([]);
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 1 })).toBe('created');
    emulator.requests.clear();
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 1 })).toBe('unchanged');
    expect(mutating()).toEqual([]);
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 2, dryRun: true })).toBe('updated');
    expect(await harness.requiredApprovals(name)).toBe(1);
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 2 })).toBe('updated');
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 1 })).toBe('unchanged');
    expect(await provider.protectBranch(repo, 'main', { requiredApprovals: 0 })).toBe('unchanged');
    expect(await harness.requiredApprovals(name)).toBe(2);

    const direct = provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: main,
      message: 'Deploy api v2 to snd',
      files: [{ path: 'apps/api/overlays/snd/kustomization.yaml', content: 'tag: v2\n' }],
    });
    const outcome = await direct.then(
      () => 'allowed',
      (error: unknown) => (error instanceof BranchProtectedError ? 'refused' : error),
    );
    expect(outcome).toBe(harness.commitsToProtectedMain);

    const head = 'luban/promote/api/prd';
    await provider.ensureBranch(repo, head, main);
    const { commitSha: headSha } = await provider.commitFiles(repo, {
      branch: head,
      expectedHeadSha: main,
      message: 'Promote',
      files: [{ path: 'prd.yaml', content: 'tag: v2\n' }],
    });
    const pull = await provider.openOrReusePullRequest(repo, { head, base: 'main', title: 'Promote api to prd', body: '' });
    expect(await provider.pullRequestReviews(repo, pull.number, head)).toEqual({ approvedBy: [], changesRequestedBy: [] });
    await harness.review(name, pull.number, 'alice', 'reject');
    await harness.review(name, pull.number, 'bob', 'approve');
    expect(await provider.pullRequestReviews(repo, pull.number, head)).toEqual({ approvedBy: ['bob'], changesRequestedBy: ['alice'] });
    // A view repeated while nothing changed: GitHub answers both reads 304; Azure DevOps has one read, unconditional.
    emulator.requests.clear();
    expect(await provider.pullRequestReviews(repo, pull.number, head)).toEqual({ approvedBy: ['bob'], changesRequestedBy: ['alice'] });
    expect(emulator.requests.entries(harness.system).map(r => r.status)).toEqual(harness.system === 'github' ? [304, 304] : [200]);
    // GitHub's combined status of the head branch.
    const checks = await harness.failCheck(name, headSha);
    expect((await provider.pullRequestReviews(repo, pull.number, head)).checks).toEqual(checks);
    // A later verdict replaces an earlier one.
    await harness.review(name, pull.number, 'alice', 'approve');
    expect(await provider.pullRequestReviews(repo, pull.number, head)).toMatchObject({ approvedBy: ['alice', 'bob'], changesRequestedBy: [] });
  });

  it('lists the open pull requests of branches with a prefix, newest first, and closes one with its reason in one write', async () => {
    const { repo, provider, main } = await repository();
    const open = async (head: string, title: string) => {
      await provider.ensureBranch(repo, head, main);
      await provider.commitFiles(repo, { branch: head, expectedHeadSha: main, message: title, files: [{ path: `${head}.yaml`, content: 'x: 1\n' }] });
      return provider.openOrReusePullRequest(repo, { head, base: 'main', title, body: `Body of ${title}` });
    };
    const older = await open('luban/promote/api/prd/aaaaaaaaaaaa', 'Older');
    const newer = await open('luban/promote/api/prd/bbbbbbbbbbbb', 'Newer');
    await open('feature/unrelated', 'Not luban');

    const listed = await provider.listOpenPullRequests(repo, { headPrefix: 'luban/', base: 'main' });

    expect(listed).toEqual([
      { number: newer.number, title: 'Newer', body: 'Body of Newer', head: 'luban/promote/api/prd/bbbbbbbbbbbb', base: 'main', webUrl: newer.webUrl, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      expect.objectContaining({ number: older.number, head: 'luban/promote/api/prd/aaaaaaaaaaaa', webUrl: older.webUrl }),
    ]);
    expect(await provider.listOpenPullRequests(repo, { headPrefix: 'luban/', base: 'other' })).toEqual([]);
    // A repeated list is one request (on GitHub a conditional one, answered 304 and not counted against the rate limit).
    emulator.requests.clear();
    await provider.listOpenPullRequests(repo, { headPrefix: 'luban/', base: 'main' });
    expect(emulator.requests.entries(harness.system).map(r => r.status)).toEqual([harness.system === 'github' ? 304 : 200]);

    emulator.requests.clear();
    expect(await provider.closePullRequest(repo, older.number, { description: `Superseded by ${newer.webUrl}` })).toBe('closed');

    expect(mutating()).toHaveLength(1);
    expect(await provider.getPullRequest(repo, older.number)).toMatchObject({ state: 'closed' });
    expect((await provider.listOpenPullRequests(repo, { headPrefix: 'luban/', base: 'main' })).map(p => p.number)).toEqual([newer.number]);
    expect(await provider.closePullRequest(repo, older.number, { description: 'again' })).toBe('unchanged');
    expect(mutating()).toHaveLength(1);
  });

  it('registers a push webhook once, and it fires on a push', async () => {
    const { repo, provider, main } = await repository();
    const receiver = await startReceiver();
    const secret = `hook${randomBytes(8).toString('hex')}`;
    try {
      const hook = { url: receiver.url, secret, events: ['push' as const] };
      expect(await provider.registerWebhook(repo, hook)).toBe('created');
      expect(await provider.registerWebhook(repo, hook)).toBe('unchanged');

      const { commitSha } = await provider.commitFiles(repo, {
        branch: 'main',
        expectedHeadSha: main,
        message: 'Deploy',
        files: [{ path: 'deploy.yaml', content: 'tag: v1\n' }],
      });
      await harness.deliveriesSettled();
      const pushes = receiver.received.map(d => harness.pushedSha(d, secret)).filter(Boolean);
      expect(pushes).toEqual([commitSha]);
    } finally {
      await receiver.close();
    }
  });

  // Pull-request previews need pull-request events: GitHub's `pull_request`, Azure DevOps'
  // git.pullrequest.created/updated/merged (learn.microsoft.com/azure/devops/service-hooks/events).
  it('adds pull-request events to a push webhook without duplicating it, and a new pull request is delivered', async () => {
    const { repo, provider, main } = await repository();
    const receiver = await startReceiver();
    const secret = `hook${randomBytes(8).toString('hex')}`;
    try {
      expect(await provider.registerWebhook(repo, { url: receiver.url, secret, events: ['push'] })).toBe('created');
      const hook = { url: receiver.url, secret, events: ['push' as const, 'pull_request' as const] };
      emulator.requests.clear();
      expect(await provider.registerWebhook(repo, hook)).toBe('updated');
      // GitHub: the one hook's events are edited; Azure DevOps: one subscription per pull-request event type.
      expect(mutating()).toHaveLength(harness.system === 'github' ? 1 : 3);
      emulator.requests.clear();
      expect(await provider.registerWebhook(repo, hook)).toBe('unchanged');
      expect(mutating()).toHaveLength(0);

      await provider.ensureBranch(repo, 'feature', main);
      await provider.commitFiles(repo, { branch: 'feature', expectedHeadSha: main, message: 'Change', files: [{ path: 'a.txt', content: 'a\n' }] });
      await provider.openOrReusePullRequest(repo, { head: 'feature', base: 'main', title: 'Change', body: '' });
      await harness.deliveriesSettled();
      const pullRequestEvents = receiver.received.filter(d =>
        harness.system === 'github' ? d.headers['x-github-event'] === 'pull_request' : JSON.parse(d.body).eventType === 'git.pullrequest.created',
      );
      expect(pullRequestEvents).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('lists the history of a file newest first', async () => {
    const { repo, provider, main } = await repository();
    let head = main;
    const deploys: string[] = [];
    for (const tag of ['v1', 'v2', 'v3']) {
      head = (
        await provider.commitFiles(repo, {
          branch: 'main',
          expectedHeadSha: head,
          message: `Deploy ${tag}`,
          files: [{ path: 'apps/api/overlays/prd/kustomization.yaml', content: `tag: ${tag}\n` }],
        })
      ).commitSha;
      deploys.unshift(head);
      head = (
        await provider.commitFiles(repo, {
          branch: 'main',
          expectedHeadSha: head,
          message: `Unrelated ${tag}`,
          files: [{ path: `other-${tag}.txt`, content: tag }],
        })
      ).commitSha;
    }
    const history = await provider.fileHistory(repo, 'apps/api/overlays/prd/kustomization.yaml', 'main', 10);
    expect(history.map(c => c.sha)).toEqual(deploys);
    expect(history.map(c => c.message)).toEqual(['Deploy v3', 'Deploy v2', 'Deploy v1']);
    expect(history[0]).toEqual({
      sha: deploys[0],
      message: 'Deploy v3',
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      author: expect.any(String),
    });
    expect((await provider.fileHistory(repo, 'apps/api/overlays/prd/kustomization.yaml', 'main', 2)).map(c => c.sha)).toEqual(
      deploys.slice(0, 2),
    );
  });

  it('fails with clear typed errors that never carry a credential', async () => {
    const { repo, provider, name } = await repository();
    const errors: Error[] = [];

    const wrong = GitProviders.fromConfig(configWith(WRONG));
    const unauthorized = await failure(wrong.forRepository(repo).readFile(repo, 'README.md', 'main'));
    expect(unauthorized).toBeInstanceOf(AuthenticationError);
    expect(unauthorized.message).toMatch(
      new RegExp(`^${harness.system === 'github' ? 'GitHub' : 'Azure DevOps'} at 127\\.0\\.0\\.1:\\d+ could not read 'README.md' in .*${name}@main \\(401\\).*Check the credentials configured for it\\.$`),
    );
    errors.push(unauthorized);

    const missingRepo = harness.location(providers, 'does-not-exist');
    const missing = await failure(provider.readFile(missingRepo, 'README.md', 'main'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toContain('does-not-exist@main (404)');
    expect(missing.message).toMatch(/Check that it exists/);
    errors.push(missing);
    errors.push(await failure(provider.commitFiles(missingRepo, { branch: 'main', expectedHeadSha: 'x', message: 'x', files: [] })));

    emulator.faults.fail({ system: harness.system, method: 'GET', path: new RegExp(name), status: 503 });
    const unavailable = await failure(provider.readFile(repo, 'README.md', 'main'));
    expect(unavailable).toBeInstanceOf(ServiceUnavailableError);
    expect(unavailable.message).toMatch(/\(503\): injected failure \(503\)\. The service failed or is unavailable; try again later\.$/);
    errors.push(unavailable);

    // The client's own timeout, against a host that never answers: long enough
    // that the warm-up read (which primes the client) answers in time on a
    // loaded machine, short enough that the test waits it out once.
    const impatient = GitProviders.fromConfig(configWith(CANARY), { requestTimeoutMs: 2000 });
    await impatient.forRepository(repo).getBranch(repo, 'main');
    emulator.faults.fail({ system: harness.system, method: 'GET', path: new RegExp(name), status: 'timeout' });
    const timedOut = await failure(impatient.forRepository(repo).getBranch(repo, 'main'));
    expect(timedOut).toBeInstanceOf(ServiceUnavailableError);
    expect(timedOut.message).toMatch(/could not read branch 'main' of .* \(no response\)/);
    errors.push(timedOut);

    for (const error of errors) {
      const shown = everythingIn(error);
      expect(shown).not.toContain(CANARY);
      expect(shown).not.toContain(WRONG);
      expect(shown).not.toContain(Buffer.from(`:${CANARY}`).toString('base64'));
    }
  });

  it('builds web URLs of files, commits, comparisons and pull requests', () => {
    const repo = harness.location(providers, 'gitops');
    const provider = providers.forRepository(repo);
    const sha = 'a'.repeat(40);
    const expected = harness.webUrls(repo.webUrl, sha);
    expect(provider.webUrlOfFile(repo, 'apps/api/kustomization.yaml', 'main')).toBe(expected.file);
    expect(provider.webUrlOfFile(repo, '/a.yaml', sha)).toBe(expected.fileAtCommit);
    expect(provider.webUrlOfPullRequest(repo, 7)).toBe(expected.pullRequest);
    expect(provider.webUrlOfCommit(repo, sha)).toBe(`${repo.webUrl}/commit/${sha}`);
    expect(provider.webUrlOfCompare(repo, sha, 'b'.repeat(40))).toBe(expected.compare);
  });
});

describe('GitHubProvider in a busy GitOps repository', () => {
  const OVERLAYS = ['apps/a/overlays/snd/kustomization.yaml', 'apps/b/overlays/snd/kustomization.yaml', 'apps/c/overlays/snd/kustomization.yaml'];

  async function busyRepository() {
    const providers = GitProviders.fromConfig(configWith(CANARY));
    const repo = github.location(providers, `gitops-busy-${Date.now()}`);
    const provider = providers.forRepository(repo);
    await provider.ensureRepository(repo, {});
    const head = await provider.commitFiles(repo, {
      branch: 'main',
      expectedHeadSha: (await provider.getBranch(repo, 'main'))!,
      message: 'Three apps',
      files: OVERLAYS.map(path => ({ path, content: `images: [${path.split('/')[1]}]\n` })),
    });
    const readAll = () => Promise.all(OVERLAYS.map(path => provider.readFile(repo, path, 'main')));
    const commit = async (files: Array<{ path: string; content: string }>) => {
      const expectedHeadSha = (await provider.getBranch(repo, 'main'))!;
      return (await provider.commitFiles(repo, { branch: 'main', expectedHeadSha, message: 'Deploy', files })).commitSha;
    };
    return { providers, repo, provider, head: head.commitSha, readAll, commit };
  }

  /** GitHub's requests, without the API prefix and the repository: `GET /commits/main 304`. */
  const requests = () =>
    emulator.requests
      .entries('github')
      .map(r => `${r.method} ${decodeURIComponent(r.path.split('?')[0]).replace(/^\/api\/v3\/repos\/acme\/[^/]+/, '')} ${r.status}`);

  it('asks once whether the branch moved for reads of several files at once', async () => {
    const { readAll } = await busyRepository();
    await readAll();

    emulator.requests.clear();
    await readAll();

    expect(requests()).toEqual(['GET /commits/main 304']);
  });

  it('after the branch moved, reads again only the files a commit since touched', async () => {
    const { readAll, commit } = await busyRepository();
    await readAll();
    const next = await commit([{ path: OVERLAYS[0], content: 'images: [a, new]\n' }]);

    emulator.requests.clear();
    const [a, b, c] = await readAll();

    expect([a?.content, b?.content, c?.content]).toEqual(['images: [a, new]\n', 'images: [b]\n', 'images: [c]\n']);
    expect([a?.commitSha, b?.commitSha, c?.commitSha]).toEqual([next, next, next]);
    expect(requests()).toEqual(['GET /commits/main 200', expect.stringMatching(/^GET \/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40} 200$/), `GET /contents/${OVERLAYS[0]} 200`]);
  });

  it('reads again a file that was changed and changed back between two reads', async () => {
    const { readAll, commit } = await busyRepository();
    const [before] = await readAll();
    await commit([{ path: OVERLAYS[0], content: 'images: [a, new]\n' }]);
    await commit([{ path: OVERLAYS[0], content: before!.content }]);

    emulator.requests.clear();
    const [a, b] = await readAll();

    expect([a?.content, b?.content]).toEqual([before!.content, 'images: [b]\n']);
    // The comparison's net diff is empty; each commit's own files name the overlay.
    expect(requests().filter(r => r.startsWith('GET /contents/'))).toEqual([`GET /contents/${OVERLAYS[0]} 200`]);
    expect(requests().filter(r => /^GET \/commits\/[0-9a-f]{40} 200$/.test(r))).toHaveLength(2);
  });

  it('while a webhook watches the repository, asks nothing until a delivery or a write of its own says it changed', async () => {
    const { providers, repo, readAll, commit } = await busyRepository();
    await readAll();
    providers.watch.delivered(repo);
    // The delivery said it changed: asked once more, then trusted.
    await readAll();
    emulator.requests.clear();
    await readAll();
    expect(requests()).toEqual([]);

    // luban's own write through the API changes the repository: the next read asks whether the branch moved.
    await commit([{ path: OVERLAYS[1], content: 'images: [b, new]\n' }]);
    emulator.requests.clear();
    const [, b] = await readAll();
    expect(b?.content).toBe('images: [b, new]\n');
    expect(requests()).toEqual(['GET /commits/main 200', expect.stringMatching(/^GET \/compare\/[0-9a-f]{40}\.\.\.[0-9a-f]{40} 200$/), `GET /contents/${OVERLAYS[1]} 200`]);

    // A push by someone else, told by its delivery, too.
    const pushed = (
      await new Octokit({ auth: CANARY, baseUrl: emulator.github.apiBaseUrl }).repos.createOrUpdateFileContents({
        owner: repo.owner!,
        repo: repo.repo,
        path: OVERLAYS[2],
        message: 'By hand',
        content: Buffer.from('images: [c, by-hand]\n').toString('base64'),
        sha: (await providers.forRepository(repo).readFile(repo, OVERLAYS[2], 'main'))!.version,
        branch: 'main',
      })
    ).data.commit.sha;
    emulator.requests.clear();
    expect((await readAll())[2]?.commitSha).not.toBe(pushed);
    expect(requests()).toEqual([]);
    providers.watch.delivered(repo);
    const [, , c] = await readAll();
    expect([c?.content, c?.commitSha]).toEqual(['images: [c, by-hand]\n', pushed]);
  });
});
