import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type KubeObject, type RunningEmulator } from '../../index';

const KPACK = { group: 'kpack.io', version: 'v1alpha2' };
const REPO = 'github/acme/api.git';

/**
 * kpack resolves an Image's branch through a SourceResolver, not on every push:
 * kpack pkg/reconciler/sourceresolver/sourceresolver.go (resolve on any update, re-queue when PollingReady),
 * pkg/reconciler/sourceresolver/enqueuer.go and cmd/controller/main.go (one-minute SourcePollingFrequency),
 * pkg/reconciler/image/image.go (the Image owns `<image>-source`), pkg/reconciler/image/build_required.go (COMMIT, TRIGGER).
 */
describe('emulated kpack source polling', () => {
  async function start(options: { sourcePollMs?: number } = {}) {
    const emulator = await startEmulator({ buildStepMs: 0, ...options });
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    await emulator.git.create(REPO);
    const first = await emulator.git.commit(REPO, { branch: 'main', message: 'Initial commit', changes: [{ path: 'app.py', content: 'print(1)\n' }] });
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'ci-acme' } } });
    emulator.harbor.api.createProject('acme', {});
    return { emulator, custom: kc.makeApiClient(CustomObjectsApi), first: first.sha };
  }

  function createImage(emulator: RunningEmulator, custom: CustomObjectsApi, url = `${emulator.github.url}/acme/api.git`, revision = 'main') {
    return custom.createNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name: 'api', labels: { 'luban.dev/project': 'acme' } },
        spec: { tag: `${new URL(emulator.harbor.url).host}/acme/api:latest`, source: { git: { url, revision } } },
      },
    });
  }

  const builds = (emulator: RunningEmulator) =>
    emulator.kubernetes
      .list('builds', 'ci-acme')
      .map(b => ({ name: b.metadata.name, reason: b.metadata.annotations?.['image.kpack.io/reason'], revision: b.spec.source.git.revision }))
      .sort((a, b) => a.name.localeCompare(b.name));
  const resolver = (emulator: RunningEmulator) => emulator.kubernetes.list('sourceresolvers', 'ci-acme').find(r => r.metadata.name === 'api-source');
  const push = async (emulator: RunningEmulator, content: string) =>
    (await emulator.git.commit(REPO, { branch: 'main', message: 'Change', changes: [{ path: 'app.py', content }] })).sha;

  describe('at kpack’s own cadence (one minute)', () => {
    let emulator: RunningEmulator;
    let custom: CustomObjectsApi;
    let first: string;
    beforeEach(async () => {
      ({ emulator, custom, first } = await start());
      await createImage(emulator, custom);
      await emulator.settled();
    });
    afterEach(() => emulator.stop());

    it('creates the Image’s SourceResolver, resolves the branch to its commit and builds that commit (CONFIG)', () => {
      const owned = resolver(emulator)!;
      expect(owned.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Image', name: 'api', controller: true })]);
      expect(owned.spec.source.git).toEqual({ url: `${emulator.github.url}/acme/api.git`, revision: 'main' });
      expect(owned.status.source.git).toEqual({ url: `${emulator.github.url}/acme/api.git`, revision: first, type: 'Branch' });
      expect(owned.status.conditions).toEqual([
        { type: 'Ready', status: 'True' },
        { type: 'ActivePolling', status: 'True' },
      ]);
      expect(builds(emulator)).toEqual([{ name: 'api-build-1', reason: 'CONFIG', revision: first }]);
    });

    it('builds nothing for a push before the resolver polls again', async () => {
      await push(emulator, 'print(2)\n');
      await emulator.settled();

      expect(builds(emulator)).toEqual([{ name: 'api-build-1', reason: 'CONFIG', revision: first }]);
      expect(resolver(emulator)!.status.source.git.revision).toBe(first);
    });

    it('rebuilds the commit it last resolved for a trigger (TRIGGER), not the newer one pushed since', async () => {
      await push(emulator, 'print(2)\n');
      await custom.patchNamespacedCustomObject(
        { ...KPACK, namespace: 'ci-acme', plural: 'builds', name: 'api-build-1', body: { metadata: { annotations: { 'image.kpack.io/additionalBuildNeeded': new Date().toISOString() } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await emulator.settled();

      expect(builds(emulator)).toEqual([
        { name: 'api-build-1', reason: 'CONFIG', revision: first },
        { name: 'api-build-2', reason: 'TRIGGER', revision: first },
      ]);
    });

    it('re-resolves at once when the SourceResolver is updated (an annotation is enough), and builds the new commit (COMMIT)', async () => {
      const pushed = await push(emulator, 'print(2)\n');
      await custom.patchNamespacedCustomObject(
        { ...KPACK, namespace: 'ci-acme', plural: 'sourceresolvers', name: 'api-source', body: { metadata: { annotations: { 'example.com/resolve': '1' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await emulator.settled();

      expect(builds(emulator)).toEqual([
        { name: 'api-build-1', reason: 'CONFIG', revision: first },
        { name: 'api-build-2', reason: 'COMMIT', revision: pushed },
      ]);
    });
  });

  it('builds a pushed commit once the resolver polls again (a short sourcePollMs here; the cadence is the option)', async () => {
    const { emulator, custom, first } = await start({ sourcePollMs: 500 });
    try {
      await createImage(emulator, custom);
      await emulator.settled();
      const pushed = await push(emulator, 'print(2)\n');

      await emulator.kubernetes.store.waitFor(() => builds(emulator).length === 2);
      await emulator.settled();

      expect(builds(emulator)).toEqual([
        { name: 'api-build-1', reason: 'CONFIG', revision: first },
        { name: 'api-build-2', reason: 'COMMIT', revision: pushed },
      ]);
    } finally {
      await emulator.stop();
    }
  });

  it('reports ResolverNotReady until the resolver has resolved, and for an unreachable repository builds what kpack builds: a Build that fails to fetch', async () => {
    const { emulator, custom } = await start();
    try {
      const imageConditions: string[] = [];
      emulator.kubernetes.store.subscribe(event => {
        const ready = (event.object as KubeObject).status?.conditions?.find((c: { type: string }) => c.type === 'Ready');
        if (event.resourceType.plural === 'images' && ready) imageConditions.push(`${ready.status} ${ready.reason ?? ''}`.trim());
      });
      await createImage(emulator, custom, `${emulator.github.url}/acme/missing.git`);
      await emulator.settled();

      // kpack pkg/reconciler/image/reconcile_build.go noScheduledBuild; pkg/git/remote_git_resolver.go answers Unknown when the remote cannot be listed.
      expect(imageConditions[0]).toBe('Unknown ResolverNotReady');
      expect(resolver(emulator)!.status).toMatchObject({
        source: { git: { revision: 'main', type: 'Unknown' } },
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'ActivePolling', status: 'False' }],
      });
      const [build] = emulator.kubernetes.list('builds', 'ci-acme');
      expect(build.status.conditions[0]).toMatchObject({ status: 'False', reason: 'Failed', message: 'Build failed: step "prepare" exited with code 1' });
      const log = await fetchPodLog(emulator, build.status.podName, 'prepare');
      expect(log).toContain('unable to fetch references for repository: repository not found');
    } finally {
      await emulator.stop();
    }
  });

  async function fetchPodLog(emulator: RunningEmulator, pod: string, container: string): Promise<string> {
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    return kc.makeApiClient(CoreV1Api).readNamespacedPodLog({ name: pod, namespace: 'ci-acme', container });
  }
});
