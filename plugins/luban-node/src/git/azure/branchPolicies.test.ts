import { ConfigReader } from '@backstage/config';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { BranchProtectedError } from '../GitProvider';
import { GitProviders } from '../GitProviders';
import type { RepoLocation } from '../repoLocation';
import { GitOpsWriter } from '../../gitops/GitOpsWriter';

// A branch with a required policy takes no pushes: Azure DevOps answers 403
// GitRefUpdateRejectedByPolicyException, TF402455 (learn.microsoft.com/azure/devops/repos/git/branch-policies;
// the Git server's GitPushUtil.cs and GitApiController.cs).
describe('AzureDevOpsProvider on a branch with a required policy', () => {
  let emulator: RunningEmulator;
  let providers: GitProviders;
  let seq = 0;

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    providers = GitProviders.fromConfig(
      new ConfigReader({
        luban: { requestTimeoutSeconds: 10 },
        integrations: {
          azure: [{ host: new URL(emulator.azure.url).host, credentials: [{ personalAccessToken: emulator.token }] }],
        },
      }),
    );
  });
  afterAll(() => emulator.stop());

  /** A repository whose main holds `apps/api.yaml` and requires pull requests. */
  async function protectedRepository() {
    const name = `policies-${++seq}`;
    await emulator.azure.api.createRepository('luban', 'platform', name, { files: { 'apps/api.yaml': 'tag: v1\n' } });
    await emulator.azure.api.requirePullRequests('luban', 'platform', name, 'main');
    const repo: RepoLocation = providers.parse(`${new URL(emulator.azure.url).host}?organization=luban&project=platform&repo=${name}`);
    const provider = providers.forRepository(repo);
    return { repo, provider, main: (await provider.getBranch(repo, 'main'))! };
  }

  it('refuses a direct commit with a BranchProtectedError naming the branch and its policy', async () => {
    const { repo, provider, main } = await protectedRepository();

    const error = await provider
      .commitFiles(repo, { branch: 'main', expectedHeadSha: main, message: 'Deploy v2', files: [{ path: 'apps/api.yaml', content: 'tag: v2\n' }] })
      .then(() => undefined, (e: unknown) => e);

    expect(error).toBeInstanceOf(BranchProtectedError);
    expect(error).toMatchObject({ branch: 'main' });
    expect((error as Error).message).toMatch(
      /branch 'main' takes changes through pull requests only \(required branch policy: Minimum number of reviewers; TF402455: /,
    );
    expect(await provider.getBranch(repo, 'main')).toBe(main);
  });

  it('commitOrPropose opens a pull request instead, and nothing reaches main', async () => {
    const { repo, provider, main } = await protectedRepository();
    const writer = new GitOpsWriter(providers);

    const result = await writer.commitOrPropose(repo, {
      branch: 'main',
      message: 'Deploy api v2',
      edits: { 'apps/api.yaml': () => 'tag: v2\n' },
      proposal: { branch: 'luban/api-v2', title: 'Deploy api v2', body: 'Promotes api to v2.' },
    });

    expect(result.pullRequest).toMatchObject({ state: 'open', reused: false });
    expect(await provider.getPullRequest(repo, result.pullRequest!.number)).toMatchObject({ title: 'Deploy api v2', state: 'open' });
    expect(await provider.getBranch(repo, 'main')).toBe(main);
    expect((await provider.readFile(repo, 'apps/api.yaml', 'luban/api-v2'))?.content).toBe('tag: v2\n');
    expect((await provider.readFile(repo, 'apps/api.yaml', 'main'))?.content).toBe('tag: v1\n');
  });
});
