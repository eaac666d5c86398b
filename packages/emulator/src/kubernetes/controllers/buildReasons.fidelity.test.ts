import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type RunningEmulator } from '../../index';

const KPACK = { group: 'kpack.io', version: 'v1alpha2', namespace: 'ci-acme', plural: 'images', name: 'api' };
const REPO = 'github/acme/api.git';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Which Image changes start a CONFIG build: kpack pkg/reconciler/image/build_required.go (configChange)
 * and pkg/buildchange/config_change.go compare the build env, resources, services and source (its
 * revision aside) with the latest Build's; any other spec change (history limits, tags of others) builds nothing.
 */
describe('emulated kpack CONFIG builds', () => {
  let emulator: RunningEmulator;
  let custom: CustomObjectsApi;

  beforeEach(async () => {
    emulator = await startEmulator({ buildStepMs: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    await emulator.git.create(REPO);
    await emulator.git.commit(REPO, { branch: 'main', message: 'Initial commit', changes: [{ path: 'app.py', content: 'print(1)\n' }] });
    emulator.kubernetes.create('namespaces', { metadata: { name: 'ci-acme' } });
    emulator.harbor.api.createProject('acme', {});
    const { name: _name, plural: _plural, ...collection } = KPACK;
    await custom.createNamespacedCustomObject({
      ...collection,
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name: 'api' },
        spec: { tag: `${new URL(emulator.harbor.url).host}/acme/api`, source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } } },
      },
    });
    await emulator.settled();
  });
  afterEach(() => emulator.stop());

  const reasons = () =>
    emulator.kubernetes
      .list('builds', 'ci-acme')
      .sort((a, b) => Number(a.metadata.labels?.['image.kpack.io/buildNumber']) - Number(b.metadata.labels?.['image.kpack.io/buildNumber']))
      .map(b => b.metadata.annotations?.['image.kpack.io/reason']);
  const patchImage = async (spec: Record<string, unknown>) => {
    await custom.patchNamespacedCustomObject({ ...KPACK, body: { spec } }, MERGE_PATCH);
    await emulator.settled();
  };

  it('builds nothing for a change of the history limits alone', async () => {
    expect(reasons()).toEqual(['CONFIG']);
    await patchImage({ successBuildHistoryLimit: 3, failedBuildHistoryLimit: 2 });
    expect(reasons()).toEqual(['CONFIG']);
  });

  it('builds again for a new build env', async () => {
    await patchImage({ build: { env: [{ name: 'BP_LOG_LEVEL', value: 'DEBUG' }] } });
    expect(reasons()).toEqual(['CONFIG', 'CONFIG']);
    // The same env again is no change.
    await patchImage({ build: { env: [{ name: 'BP_LOG_LEVEL', value: 'DEBUG' }] }, successBuildHistoryLimit: 5 });
    expect(reasons()).toEqual(['CONFIG', 'CONFIG']);
  });
});
