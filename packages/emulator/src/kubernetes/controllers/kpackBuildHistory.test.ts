import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type RunningEmulator } from '../../index';
import { FAIL_BUILD_FILE } from './KpackController';

const KPACK = { group: 'kpack.io', version: 'v1alpha2' };
const REPO = 'github/acme/api.git';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * kpack deletes an Image's oldest finished Builds beyond its history limits:
 * kpack pkg/reconciler/image/image.go (deleteOldBuilds), pkg/reconciler/image/build_list.go (failed and
 * successful counted apart, oldest first), pkg/apis/build/v1alpha2/image_validation.go (both limits default to 10).
 */
describe('emulated kpack build history limits', () => {
  let emulator: RunningEmulator;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  beforeEach(async () => {
    emulator = await startEmulator({ buildStepMs: 0 });
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    await emulator.git.create(REPO);
    await emulator.git.commit(REPO, { branch: 'main', message: 'Initial commit', changes: [{ path: 'app.py', content: 'print(1)\n' }] });
    await core.createNamespace({ body: { metadata: { name: 'ci-acme' } } });
    emulator.harbor.api.createProject('acme', {});
  });
  afterEach(() => emulator.stop());

  async function createImage(spec: Record<string, unknown> = {}, tag = 'latest') {
    await custom.createNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name: 'api' },
        spec: { tag: `${new URL(emulator.harbor.url).host}/acme/api:${tag}`, source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } }, ...spec },
      },
    });
    await emulator.settled();
  }

  /** The Builds as `kubectl get builds` lists them: name and outcome, by build number. */
  async function listBuilds() {
    const { items } = (await custom.listNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'builds' })) as { items: any[] };
    return items
      .sort((a, b) => Number(a.metadata.labels['image.kpack.io/buildNumber']) - Number(b.metadata.labels['image.kpack.io/buildNumber']))
      .map(b => `${b.metadata.name} ${b.status.conditions.find((c: any) => c.type === 'Succeeded').status}`);
  }

  /** `kp image trigger`: the newest Build asks for another of the commit last resolved. */
  async function trigger() {
    const [newest] = (await listBuilds()).slice(-1);
    const name = newest.split(' ')[0];
    const body = { metadata: { annotations: { 'image.kpack.io/additionalBuildNeeded': `${Date.now()}-${name}` } } };
    await custom.patchNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'builds', name, body }, MERGE_PATCH);
    await emulator.settled();
  }

  /** A push the resolver sees at once (an update of the SourceResolver re-resolves it). */
  async function pushAndResolve(changes: Array<{ path: string; content: string | null }>) {
    await emulator.git.commit(REPO, { branch: 'main', message: 'Change', changes });
    const body = { metadata: { annotations: { 'example.com/resolve': String(Date.now()) } } };
    await custom.patchNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'sourceresolvers', name: 'api-source', body }, MERGE_PATCH);
    await emulator.settled();
  }

  it('keeps the Image’s failedBuildHistoryLimit failed and successBuildHistoryLimit successful Builds, deleting the oldest with their pods', async () => {
    await createImage({ successBuildHistoryLimit: 2, failedBuildHistoryLimit: 1 });
    await trigger();
    await trigger();
    expect(await listBuilds()).toEqual(['api-build-2 True', 'api-build-3 True']);

    await pushAndResolve([{ path: FAIL_BUILD_FILE, content: 'fail\n' }]);
    await trigger();
    expect(await listBuilds()).toEqual(['api-build-2 True', 'api-build-3 True', 'api-build-5 False']);

    // Numbers go on from the Image's buildCounter: a pruned number is never given again.
    await pushAndResolve([{ path: FAIL_BUILD_FILE, content: null }]);
    expect(await listBuilds()).toEqual(['api-build-3 True', 'api-build-5 False', 'api-build-6 True']);
    const pods = (await core.listNamespacedPod({ namespace: 'ci-acme' })).items.map(pod => pod.metadata!.name).sort();
    expect(pods).toEqual(['api-build-3-build-pod', 'api-build-5-build-pod', 'api-build-6-build-pod']);
  });

  it('keeps 10 successful Builds when the Image sets no limit', async () => {
    await createImage();
    for (let i = 0; i < 10; i++) await trigger();

    const names = (await listBuilds()).map(line => line.split(' ')[0]);
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `api-build-${i + 2}`));
  });

  // kpack pkg/apis/build/v1alpha2/image_builds.go generateTags: `<tag>-b<N>.<yyyymmdd>.<hhmmss>`, with no `latest-`.
  it('tags each Build b<N>.<date>.<time> after a tag other than latest', async () => {
    await createImage({}, 'main');
    const build = await custom.getNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'builds', name: 'api-build-1' });
    const repository = `${new URL(emulator.harbor.url).host}/acme/api`;

    expect(build.spec.tags).toEqual([`${repository}:main`, expect.stringMatching(new RegExp(`^${repository}:main-b1\\.\\d{8}\\.\\d{6}$`))]);
  });
});
