import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebApi, getPersonalAccessTokenHandler } from 'azure-devops-node-api';
import type { IGitApi } from 'azure-devops-node-api/GitApi';
import type { IPolicyApi } from 'azure-devops-node-api/PolicyApi';
import {
  ItemContentType,
  PullRequestStatus,
  VersionControlChangeType,
  type GitPush,
} from 'azure-devops-node-api/interfaces/GitInterfaces';
import {
  startEmulator,
  trustEmulatorCertificate,
  ZERO_SHA,
  type RunningEmulator,
} from '../index';

const exec = promisify(execFile);

const TF402455 =
  'TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch.';

async function failureOf(
  call: Promise<unknown>,
): Promise<{ statusCode: number; result: any }> {
  try {
    await call;
  } catch (error: any) {
    return { statusCode: error.statusCode, result: error.result };
  }
  throw new Error('expected the call to fail');
}

function pushOf(ref: string, oldObjectId: string, path: string): GitPush {
  return {
    refUpdates: [{ name: ref, oldObjectId }],
    commits: [
      {
        comment: `Write ${path}`,
        changes: [
          {
            changeType: VersionControlChangeType.Add,
            item: { path },
            newContent: {
              content: 'x: 1\n',
              contentType: ItemContentType.RawText,
            },
          },
        ],
      },
    ],
  } as GitPush;
}

// Follows learn.microsoft.com/rest/api/azure/devops/policy/configurations/create (7.1),
// learn.microsoft.com/azure/devops/repos/git/branch-policies ("A branch with required
// policies ... requires pull requests (PRs) for all changes") and the Git server's
// Policy/DefaultGitRefUpdateValidator.cs, GitPushUtil.cs, GitApiController.cs
// (mjwrona/decompiled, Azure DevOps Server 2022): a refused update is
// GitRefUpdateRejectedByPolicyException, answered 403 with TF402455. The rest of the
// 403 body (eventId, errorCode) was not seen in a captured response: only status,
// typeKey and message are asserted.
describe('emulated Azure DevOps branch policies', () => {
  let emulator: RunningEmulator;
  let git: IGitApi;
  let policy: IPolicyApi;

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    const connection = new WebApi(
      emulator.azure.organizationUrl,
      getPersonalAccessTokenHandler(emulator.token),
    );
    git = await connection.getGitApi();
    policy = await connection.getPolicyApi();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  async function repository(name = 'gitops') {
    const { id } = await git.createRepository({ name }, 'platform');
    const pushed = await git.createPush(
      pushOf('refs/heads/main', ZERO_SHA, '/a.yaml'),
      id!,
      'platform',
    );
    return { id: id!, main: pushed.refUpdates![0].newObjectId! };
  }

  const headOf = async (id: string, branch: string) =>
    (await git.getRefs(id, 'platform', `heads/${branch}`)).find(
      r => r.name === `refs/heads/${branch}`,
    )?.objectId;

  it('creates and lists policy configurations through the Policy API', async () => {
    const { id } = await repository();
    const created = await policy.createPolicyConfiguration(
      {
        isEnabled: true,
        isBlocking: true,
        type: { id: 'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd' },
        settings: {
          minimumApproverCount: 2,
          creatorVoteCounts: false,
          scope: [
            {
              repositoryId: id,
              refName: 'refs/heads/main',
              matchKind: 'exact',
            },
          ],
        },
      },
      'platform',
    );
    expect(created).toMatchObject({
      id: 1,
      revision: 1,
      isEnabled: true,
      isBlocking: true,
      isDeleted: false,
      type: {
        id: 'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd',
        displayName: 'Minimum number of reviewers',
      },
      settings: { minimumApproverCount: 2 },
    });
    expect(
      (await policy.getPolicyConfigurations('platform')).map(p => p.id),
    ).toEqual([1]);
    expect(
      (await policy.getPolicyConfiguration('platform', 1)).settings,
    ).toEqual(created.settings);
    // policy/configurations/update: the same id, a new revision.
    const updated = await policy.updatePolicyConfiguration(
      {
        ...created,
        settings: { ...created.settings, minimumApproverCount: 3 },
      },
      'platform',
      1,
    );
    expect(updated).toMatchObject({
      id: 1,
      revision: 2,
      settings: { minimumApproverCount: 3 },
    });
  });

  it('refuses pushes to a branch with a required policy with TF402455, and lets an approved pull request complete into it', async () => {
    const { id, main } = await repository();
    await emulator.azure.api.requirePullRequests(
      'luban',
      'platform',
      'gitops',
      'main',
    );

    const refused = await failureOf(
      git.createPush(
        pushOf('refs/heads/main', main, '/b.yaml'),
        id,
        'platform',
      ),
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.result).toMatchObject({
      typeKey: 'GitRefUpdateRejectedByPolicyException',
      message: TF402455,
    });
    expect(await headOf(id, 'main')).toBe(main);

    // The refs API answers per ref: rejectedByPolicy (13) with the same message.
    const [refUpdate] = await git.updateRefs(
      [{ name: 'refs/heads/main', oldObjectId: main, newObjectId: ZERO_SHA }],
      id,
      'platform',
    );
    expect(refUpdate).toMatchObject({
      success: false,
      updateStatus: 13,
      customMessage: TF402455,
    });
    expect(await headOf(id, 'main')).toBe(main);

    // Other branches take pushes, and a pull request completes into main.
    const feature = await git.createPush(
      pushOf('refs/heads/feature', main, '/b.yaml'),
      id,
      'platform',
    );
    const pull = await git.createPullRequest(
      {
        sourceRefName: 'refs/heads/feature',
        targetRefName: 'refs/heads/main',
        title: 'b',
      },
      id,
      'platform',
    );
    const complete = () =>
      git.updatePullRequest(
        {
          status: PullRequestStatus.Completed,
          lastMergeSourceCommit: pull.lastMergeSourceCommit,
        },
        id,
        pull.pullRequestId!,
        'platform',
      );
    // "Require a minimum number of reviewers": completion waits for the
    // approvals, the author's own not counting; the answer is the pull
    // request, still active, and main does not move.
    const held = await complete();
    expect(held.status).toBe(PullRequestStatus.Active);
    expect(held.completionQueueTime).toBeDefined();
    expect(await headOf(id, 'main')).toBe(main);
    await emulator.azure.api.votePullRequest(
      'luban',
      'platform',
      'gitops',
      pull.pullRequestId!,
      'Alice Reviewer',
      -10,
    );
    expect((await complete()).status).toBe(PullRequestStatus.Active);
    await emulator.azure.api.votePullRequest(
      'luban',
      'platform',
      'gitops',
      pull.pullRequestId!,
      'Alice Reviewer',
      10,
    );
    expect(
      (await git.getPullRequestById(pull.pullRequestId!, 'platform')).reviewers,
    ).toEqual([
      expect.objectContaining({ displayName: 'Alice Reviewer', vote: 10 }),
    ]);
    const completed = await complete();
    expect(completed.status).toBe(PullRequestStatus.Completed);
    const merged = await headOf(id, 'main');
    expect(merged).not.toBe(main);
    expect((await git.getCommit(merged!, id, 'platform')).parents).toEqual([
      main,
      feature.refUpdates![0].newObjectId,
    ]);
  });

  it('refuses only for enabled, blocking pull request policies whose scope covers the branch', async () => {
    const { id, main } = await repository();
    const api = emulator.azure.api;
    await api.requirePullRequests('luban', 'platform', 'gitops', 'main', {
      isEnabled: false,
    });
    await api.requirePullRequests('luban', 'platform', 'gitops', 'main', {
      isBlocking: false,
    });
    // A push policy checks content, not who may update the branch.
    await api.requirePullRequests('luban', 'platform', 'gitops', 'main', {
      typeId: '2e26e725-8201-4edd-8bf5-978563c34a80',
      settings: { maximumGitBlobSizeInBytes: 1000000 },
    });
    await api.requirePullRequests('luban', 'platform', 'gitops', 'release/', {
      matchKind: 'Prefix',
    });
    const pushed = await git.createPush(
      pushOf('refs/heads/main', main, '/b.yaml'),
      id,
      'platform',
    );
    expect(pushed.refUpdates![0].newObjectId).toBe(await headOf(id, 'main'));

    // Creating a covered branch is not checked; updating it is.
    const created = await git.createPush(
      pushOf('refs/heads/release/1', ZERO_SHA, '/r.yaml'),
      id,
      'platform',
    );
    const release = created.refUpdates![0].newObjectId!;
    const refused = await failureOf(
      git.createPush(
        pushOf('refs/heads/release/1', release, '/s.yaml'),
        id,
        'platform',
      ),
    );
    expect(refused.statusCode).toBe(403);
    expect(await headOf(id, 'release/1')).toBe(release);
  });
  it('refuses git pushes to a guarded branch per ref, as git shows a TF402455 rejection', async () => {
    const { id, main } = await repository();
    const api = emulator.azure.api;
    await api.requirePullRequests('luban', 'platform', 'gitops', 'main');
    await api.requirePullRequests('luban', 'platform', 'gitops', 'rel', {
      matchKind: 'Prefix',
    });
    const work = mkdtempSync(join(tmpdir(), 'luban-azure-policies-'));
    try {
      const caFile = join(work, 'ca.pem');
      writeFileSync(caFile, emulator.kubernetes.caCert);
      const run = (args: string[], cwd = work) =>
        exec(
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
      const host = new URL(emulator.azure.url).host;
      const clone = join(work, 'gitops');
      await run([
        'clone',
        '--quiet',
        `https://dev:${emulator.token}@${host}/luban/platform/_git/gitops`,
        clone,
      ]);
      writeFileSync(join(clone, 'b.yaml'), 'b: 1\n');
      await run(['add', '.'], clone);
      await run(['commit', '--quiet', '-m', 'b'], clone);

      const refused = await run(['push', 'origin', 'HEAD:main'], clone).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
      expect(refused).toContain(
        `! [remote rejected] HEAD -> main (${TF402455})`,
      );
      expect(await headOf(id, 'main')).toBe(main);

      // Creating branches is not checked, updating a guarded one is; the others move
      // (a prefix that ends inside a folder hands git's hook the whole folder).
      await run(
        ['push', '--quiet', 'origin', 'HEAD:feature', 'HEAD:release/1'],
        clone,
      );
      writeFileSync(join(clone, 'c.yaml'), 'c: 1\n');
      await run(['add', '.'], clone);
      await run(['commit', '--quiet', '-m', 'c'], clone);
      const both = await run(
        ['push', 'origin', 'HEAD:feature', 'HEAD:release/1'],
        clone,
      ).then(
        () => '',
        (error: { stderr: string }) => error.stderr,
      );
      expect(both).toContain(
        `! [remote rejected] HEAD -> release/1 (${TF402455})`,
      );
      const head = (await run(['rev-parse', 'HEAD'], clone)).stdout.trim();
      expect(await headOf(id, 'feature')).toBe(head);
      expect(await headOf(id, 'release/1')).not.toBe(head);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
