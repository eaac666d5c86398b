import { ConfigReader } from '@backstage/config';
import { startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { GitProviders } from '../GitProviders';

const OVERLAY = 'apps/api/overlays/snd/kustomization.yaml';

/**
 * The items API's ETag is not documented (learn.microsoft.com "Items - Get", Git REST 7.1: no ETag,
 * no If-None-Match): luban reads a branch's head, then the file at that commit, so a change shows at once
 * whatever ETag the service sends.
 */
describe('AzureDevOpsProvider file reads, whatever ETag the items API sends', () => {
  let emulator: RunningEmulator;
  let providers: GitProviders;
  let seq = 0;

  beforeAll(async () => {
    emulator = await startEmulator();
    trustEmulatorCertificate(emulator.kubernetes.caCert);
    providers = GitProviders.fromConfig(
      new ConfigReader({
        integrations: { azure: [{ host: new URL(emulator.azure.url).host, credentials: [{ personalAccessToken: emulator.token }] }] },
      }),
    );
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.azure.api.setItemEtags('content'));

  /** A repository with the overlay on main, and a way for someone else to change it. */
  async function repository() {
    const name = `gitops-etags-${++seq}`;
    await emulator.azure.api.createRepository('luban', 'platform', name, { files: { [OVERLAY]: 'images: [a]\n' } });
    const repo = providers.parse(`${new URL(emulator.azure.url).host}?organization=luban&project=platform&repo=${name}`);
    const path = await emulator.azure.api.repositoryPath('luban', 'platform', name);
    const change = async (content: string) =>
      (await emulator.git.commit(path, { branch: 'main', message: 'Change the overlay', changes: [{ path: OVERLAY, content }] })).sha;
    return { repo, provider: providers.forRepository(repo), change };
  }

  it.each(['constant', 'none', 'content'] as const)('sees a change of the branch at once when the ETag is %s', async mode => {
    emulator.azure.api.setItemEtags(mode);
    const { repo, provider, change } = await repository();
    expect((await provider.readFile(repo, OVERLAY, 'main'))?.content).toBe('images: [a]\n');

    const sha = await change('images: [b]\n');

    expect(await provider.readFile(repo, OVERLAY, 'main')).toMatchObject({ content: 'images: [b]\n', commitSha: sha });
  });

  it('reads a file again only when the branch moved: one question for the head of concurrent reads', async () => {
    const { repo, provider } = await repository();
    await provider.readFile(repo, OVERLAY, 'main');

    emulator.requests.clear();
    await Promise.all([provider.readFile(repo, OVERLAY, 'main'), provider.readFile(repo, OVERLAY, 'main')]);

    const asked = emulator.requests.entries('azure').map(r => `${r.method} ${r.path.split('?')[0].split('/').pop()} ${r.status}`);
    expect(asked).toEqual(['GET refs 200']);
  });
});
