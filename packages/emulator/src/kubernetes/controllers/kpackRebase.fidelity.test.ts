import { PassThrough } from 'node:stream';
import { CoreV1Api, CustomObjectsApi, KubeConfig, Log } from '@kubernetes/client-node';
import { startEmulator, type KubeObject, type RunningEmulator } from '../../index';
import { findResourceType } from '../resources';
import { publishRunImage as publishRunImageNow } from './kpackRebase';

const KPACK = { group: 'kpack.io', version: 'v1alpha2' };
const REPO = 'github/acme/api.git';
const BUILDS = findResourceType('kpack.io', 'v1alpha2', 'builds')!;

/**
 * kpack rebuilds an app whose stack got a new run image by rebasing it, in a
 * pod of its own; each behaviour below names the upstream file it follows.
 */
describe('emulated kpack rebase (STACK) builds', () => {
  let emulator: RunningEmulator;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let registry: string;

  const build = (name: string) => emulator.kubernetes.list('builds', 'ci-acme').find(b => b.metadata.name === name)!;
  const pod = (name: string) => emulator.kubernetes.list('pods', 'ci-acme').find(p => p.metadata.name === name)!;
  const publishRunImage = async (body?: unknown) => {
    const response = await fetch(`${emulator.harbor.url}/_emulator/kpack/stack`, {
      method: 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  async function readLog(podName: string, container: string): Promise<string> {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', chunk => {
      text += chunk;
    });
    const ended = new Promise(resolve => stream.on('end', resolve));
    await new Log(kc).log('ci-acme', podName, container, stream, { follow: false });
    await ended;
    return text;
  }

  beforeEach(async () => {
    emulator = await startEmulator({ buildStepMs: 0 });
    kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    registry = new URL(emulator.harbor.url).host;
    await emulator.github.api.createRepository('acme', 'api', { files: { 'app.py': 'print(1)\n' } });
    await core.createNamespace({ body: { metadata: { name: 'ci-acme' } } });
    emulator.harbor.api.createProject('acme', {});
    emulator.kubernetes.create('clusterbuilders', {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'ClusterBuilder',
      metadata: { name: 'luban-builder' },
      spec: { tag: `${registry}/luban/builder` },
    });
    await custom.createNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name: 'api' },
        spec: {
          tag: `${registry}/acme/api:latest`,
          builder: { kind: 'ClusterBuilder', name: 'luban-builder' },
          source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } },
        },
      },
    });
    await emulator.settled();
  });
  afterEach(() => emulator.stop());

  // kpack pkg/reconciler/build/build.go `stepsCompleted`: every step container that exited 0, `completion` included.
  it('lists completion among the steps completed of a build', () => {
    expect(build('api-build-1').status.stepsCompleted).toEqual(['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'completion']);
    // kpack pkg/reconciler/build/build.go `createContainerStateForBuild`: a state with no message names its container.
    expect(build('api-build-1').status.stepStates[0].terminated.message).toBe('Container prepare terminated successfully');
  });

  // kpack pkg/reconciler/image/build_required.go `stackChange`, pkg/buildchange/stack_change.go (run images compared by digest).
  it('schedules a STACK build when the builder gets a new run image, from the control', async () => {
    const before = build('api-build-1');
    const published = await publishRunImage();
    expect(published.status).toBe(200);
    const [{ runImage }] = published.body.items;
    expect(runImage).toMatch(new RegExp(`^${registry}/luban/builder-run-image@sha256:[0-9a-f]{64}$`));
    await emulator.settled();

    const rebase = build('api-build-2');
    expect(rebase.metadata.annotations!['image.kpack.io/reason']).toBe('STACK');
    expect(JSON.parse(rebase.metadata.annotations!['image.kpack.io/buildChanges'])).toEqual([
      { reason: 'STACK', old: before.status.stack.runImage.split('@')[1], new: runImage.split('@')[1] },
    ]);
    // kpack pkg/apis/build/v1alpha2/image_builds.go `Build`: the builder's run image, the last build's image and stack.
    expect(rebase.spec.runImage).toEqual({ image: runImage });
    expect(rebase.spec.lastBuild).toEqual({ image: before.status.latestImage, stackId: before.status.stack.id });
    expect(rebase.spec.source).toEqual(before.spec.source);
    expect(rebase.status.stack.runImage).toBe(runImage);
    expect(rebase.status.latestImage).toMatch(new RegExp(`^${registry}/acme/api@sha256:[0-9a-f]{64}$`));
    expect(rebase.status.latestImage).not.toBe(before.status.latestImage);
    expect(emulator.harbor.api.hasArtifact('acme', 'api', rebase.status.latestImage.split('@')[1])).toBe(true);
  });

  // kpack pkg/apis/build/v1alpha2/build_pod.go `rebasePod` and pkg/reconciler/build/build.go `stepStates`/`stepsCompleted`.
  it('runs a STACK build as the rebase pod: init container rebase, then completion, with their own logs', async () => {
    await publishRunImage({ builder: 'luban-builder' });
    await emulator.settled();
    const rebase = build('api-build-2');
    expect(rebase.status.podName).toBe('api-build-2-build-pod');
    const rebasePod = pod('api-build-2-build-pod');
    expect(rebasePod.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['rebase']);
    expect(rebasePod.spec.containers.map((c: { name: string }) => c.name)).toEqual(['completion']);
    expect(rebase.status.stepsCompleted).toEqual(['rebase', 'completion']);
    expect(rebase.status.stepStates.map((s: any) => s.terminated?.message)).toEqual([
      'Container rebase terminated successfully',
      'Container completion terminated successfully',
    ]);

    const log = await readLog('api-build-2-build-pod', 'rebase');
    expect(log).toContain('Build reason(s): STACK');
    expect(log).toContain(`*** Digest: ${rebase.status.latestImage.split('@')[1]}`);
    expect(await readLog('api-build-2-build-pod', 'completion')).toContain('Build successful');
    // The containers of a full build are not in a rebase pod: the API server refuses to read them.
    await expect(readLog('api-build-2-build-pod', 'prepare')).rejects.toThrow(/400|container prepare is not valid/);
  });

  // kpack pkg/reconciler/image/build_required.go: stackChange only compares a latest build that succeeded.
  it('schedules no STACK build while the latest build failed', async () => {
    await emulator.git.commit(REPO, { branch: 'main', message: 'Fail', changes: [{ path: 'FAIL_BUILD', content: '' }] });
    await custom.patchNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'sourceresolvers',
      name: 'api-source',
      body: [{ op: 'add', path: '/metadata/annotations', value: { resolve: 'now' } }],
    });
    await emulator.settled();
    expect(build('api-build-2').status.conditions[0].status).toBe('False');
    await publishRunImage();
    await emulator.settled();
    expect(emulator.kubernetes.list('builds', 'ci-acme').map((b: KubeObject) => b.metadata.name).sort()).toEqual([
      'api-build-1',
      'api-build-2',
    ]);
  });

  // kpack pkg/apis/build/v1alpha2/build.go `rebasable`: only a build whose sole reason is STACK is rebased.
  it('builds in full when the stack changes together with another reason', async () => {
    // Both changes in one tick, so that kpack's next reconcile of the Image sees them together.
    const first = build('api-build-1');
    const annotations = { ...first.metadata.annotations, 'image.kpack.io/additionalBuildNeeded': 'now' };
    emulator.kubernetes.store.update(BUILDS, 'ci-acme', 'api-build-1', { ...first, metadata: { ...first.metadata, annotations } });
    publishRunImageNow(emulator.kubernetes.store);
    await emulator.settled();
    const full = build('api-build-2');
    expect(full.metadata.annotations!['image.kpack.io/reason']).toBe('TRIGGER,STACK');
    expect(pod('api-build-2-build-pod').spec.initContainers.map((c: { name: string }) => c.name)).toEqual([
      'prepare',
      'analyze',
      'detect',
      'restore',
      'build',
      'export',
    ]);
    expect(full.status.stepsCompleted).toEqual(['prepare', 'analyze', 'detect', 'restore', 'build', 'export', 'completion']);
  });

  it('answers 404 for a builder that does not exist', async () => {
    expect(await publishRunImage({ builder: 'nope' })).toEqual({ status: 404, body: { message: "no ClusterBuilder 'nope'" } });
  });
});
