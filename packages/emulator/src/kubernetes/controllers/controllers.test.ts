import { PassThrough } from 'node:stream';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Log,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startEmulator, type RunningEmulator } from '../../index';
import { BUILD_STEPS } from './KpackController';

const KPACK = { group: 'kpack.io', version: 'v1alpha2' };
const ARGO = { group: 'argoproj.io', version: 'v1alpha1' };
/** Everything jest can fake but Date: a test that moves the clock on keeps real timers. */
const REAL_TIMERS: Extract<Parameters<typeof jest.useFakeTimers>[0], { doNotFake?: unknown }>['doNotFake'] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('emulated kpack and Argo CD controllers', () => {
  let emulator: RunningEmulator;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let registry: string;
  const repo = 'github/acme/api.git';

  async function createHarborProject(name: string) {
    const response = await fetch(`${emulator.harbor.url}/api/v2.0/projects`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${emulator.harbor.username}:${emulator.harbor.password}`).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ project_name: name, metadata: { public: 'false' } }),
    });
    expect(response.status).toBe(201);
  }

  async function createImage(name = 'api', revision = 'main') {
    return custom.createNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name, labels: { 'luban.dev/project': 'acme' } },
        spec: {
          tag: `${registry}/acme/${name}:latest`,
          serviceAccountName: 'builder',
          builder: { kind: 'ClusterBuilder', name: 'luban-builder' },
          source: { git: { url: `${emulator.github.url}/acme/api.git`, revision } },
        },
      },
    });
  }

  const getBuild = (name: string) =>
    custom.getNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'builds', name });

  beforeAll(async () => {
    emulator = await startEmulator({ buildStepMs: 20 });
    kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    registry = new URL(emulator.harbor.url).host;
  });
  afterAll(() => emulator.stop());

  beforeEach(async () => {
    await emulator.reset();
    await emulator.git.create(repo);
    await emulator.git.commit(repo, {
      branch: 'main',
      message: 'Initial commit',
      changes: [{ path: 'pyproject.toml', content: '[project]\nname = "api"\n' }],
    });
    await core.createNamespace({ body: { metadata: { name: 'ci-acme' } } });
    await createHarborProject('acme');
  });

  it('runs a build whose step logs stream in order, then pushes the digest to Harbor', async () => {
    const commit = await emulator.git.resolve(repo, 'main');
    const podReady = new Promise<any>(resolve => {
      new Watch(kc).watch(
        '/api/v1/namespaces/ci-acme/pods',
        { labelSelector: 'image.kpack.io/image=api,image.kpack.io/buildNumber=1' },
        (type, pod) => {
          if (type === 'ADDED') resolve(pod);
        },
        () => {},
      );
    });
    await createImage();
    const pod = await podReady;
    expect(pod.metadata.name).toBe('api-build-1-build-pod');
    expect(pod.metadata.labels['kpack.io/build']).toBe('api-build-1');

    const cluster = emulator.kubernetes;
    /** Resolves once the build pod's step is no longer waiting (checked at every change in the store). */
    const stepStarted = (container: string) =>
      cluster.store.waitFor(() => {
        const current = cluster.list('pods', 'ci-acme').find(p => p.metadata.name === pod.metadata.name);
        const statuses: Array<{ name: string; state?: { waiting?: unknown } }> = [
          ...(current?.status?.initContainerStatuses ?? []),
          ...(current?.status?.containerStatuses ?? []),
        ];
        return !statuses.find(s => s.name === container)?.state?.waiting;
      });
    // As `kp build logs` does: each step in order, once it is no longer waiting.
    const lines: string[] = [];
    for (const container of [...BUILD_STEPS, 'completion']) {
      await stepStarted(container);
      const stream = new PassThrough();
      let text = '';
      stream.on('data', chunk => {
        text += chunk;
      });
      const ended = new Promise(resolve => stream.on('end', resolve));
      await new Log(kc).log('ci-acme', pod.metadata.name, container, stream, { follow: true });
      await ended;
      lines.push(...text.split('\n').filter(Boolean).map(line => `${container}: ${line}`));
    }
    expect(lines[0]).toBe('prepare: Build reason(s): CONFIG');
    expect(lines).toContain(`prepare: Cloning "${emulator.github.url}/acme/api.git" @ "${commit}"...`);
    const firstOf = (step: string) => lines.findIndex(l => l.startsWith(`${step}: `));
    const order = [...BUILD_STEPS, 'completion'].map(firstOf);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every(index => index >= 0)).toBe(true);
    expect(lines[lines.length - 2]).toBe('completion: Build successful');

    await emulator.settled();
    const build = await getBuild('api-build-1');
    expect(build.metadata.annotations['image.kpack.io/reason']).toBe('CONFIG');
    expect(build.spec.source.git.revision).toBe(commit);
    expect(build.spec.tags[0]).toBe(`${registry}/acme/api:latest`);
    // kpack pkg/apis/build/v1alpha2/image_builds.go generateTags: no `latest-` before `b<N>.<date>.<time>`.
    expect(build.spec.tags[1]).toMatch(new RegExp(`^${registry}/acme/api:b1\\.\\d{8}\\.\\d{6}$`));
    expect(build.status.conditions).toEqual([
      expect.objectContaining({ type: 'Succeeded', status: 'True', reason: 'Completed' }),
    ]);
    expect(build.status.stepsCompleted).toEqual([...BUILD_STEPS, 'completion']);
    expect(build.status.stepStates).toHaveLength(7);
    for (const state of build.status.stepStates) {
      expect(state.terminated).toEqual(expect.objectContaining({ exitCode: 0, startedAt: expect.any(String), finishedAt: expect.any(String) }));
    }
    const digest = build.status.latestImage.split('@')[1];
    expect(build.status.latestImage).toBe(`${registry}/acme/api@${digest}`);
    expect(emulator.harbor.api.hasArtifact('acme', 'api', digest)).toBe(true);
    expect(emulator.harbor.api.hasArtifact('acme', 'api', 'latest')).toBe(true);

    const image = await custom.getNamespacedCustomObject({ ...KPACK, namespace: 'ci-acme', plural: 'images', name: 'api' });
    expect(image.status).toMatchObject({
      latestBuildRef: 'api-build-1',
      latestImage: build.status.latestImage,
      buildCounter: 1,
      latestBuildReason: 'CONFIG',
    });
    expect(image.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True', reason: 'UpToDate' }));
  });

  it('builds again for a new commit (COMMIT) and for a trigger (TRIGGER), like kp image trigger', async () => {
    await createImage();
    await emulator.settled();
    const next = await emulator.git.commit(repo, {
      branch: 'main',
      message: 'Change',
      changes: [{ path: 'app.py', content: 'print(1)\n' }],
    });
    // kpack sees a push when its SourceResolver resolves again: on its one-minute poll, or at once when the resolver changes.
    await custom.patchNamespacedCustomObject(
      { ...KPACK, namespace: 'ci-acme', plural: 'sourceresolvers', name: 'api-source', body: { metadata: { annotations: { 'example.com/resolve': 'now' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await emulator.settled();
    const second = await getBuild('api-build-2');
    expect(second.metadata.annotations['image.kpack.io/reason']).toBe('COMMIT');
    expect(second.spec.source.git.revision).toBe(next.sha);

    await custom.patchNamespacedCustomObject(
      {
        ...KPACK,
        namespace: 'ci-acme',
        plural: 'builds',
        name: 'api-build-2',
        body: { metadata: { annotations: { 'image.kpack.io/additionalBuildNeeded': new Date().toISOString() } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await emulator.settled();
    const third = await getBuild('api-build-3');
    expect(third.metadata.annotations['image.kpack.io/reason']).toBe('TRIGGER');
    expect(third.status.latestImage).not.toBe(second.status.latestImage);
  });

  it('fails the build step of a repository containing FAIL_BUILD, and an export to a missing Harbor project', async () => {
    await emulator.git.commit(repo, { branch: 'main', message: 'break', changes: [{ path: 'FAIL_BUILD', content: '' }] });
    await createImage();
    await emulator.settled();
    const failed = await getBuild('api-build-1');
    expect(failed.status.conditions).toEqual([
      expect.objectContaining({ type: 'Succeeded', status: 'False', reason: 'Failed', message: 'Build failed: step "build" exited with code 1' }),
    ]);
    expect(failed.status.stepsCompleted).toEqual(['prepare', 'analyze', 'detect', 'restore']);
    expect(failed.status.latestImage).toBeUndefined();
    const log = await core.readNamespacedPodLog({ name: 'api-build-1-build-pod', namespace: 'ci-acme', container: 'build' });
    expect(log).toContain('ERROR: failed to build: exit status 1');

    const pod = await core.readNamespacedPod({ name: 'api-build-1-build-pod', namespace: 'ci-acme' });
    expect(pod.status?.phase).toBe('Failed');
    await expect(
      core.readNamespacedPodLog({ name: 'api-build-1-build-pod', namespace: 'ci-acme', container: 'export' }),
    ).rejects.toMatchObject({ code: 400 });

    await emulator.git.commit(repo, { branch: 'main', message: 'fix', changes: [{ path: 'FAIL_BUILD', content: null }] });
    await custom.createNamespacedCustomObject({
      ...KPACK,
      namespace: 'ci-acme',
      plural: 'images',
      body: {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Image',
        metadata: { name: 'orphan' },
        spec: { tag: `${registry}/nowhere/orphan:latest`, source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } } },
      },
    });
    await emulator.settled();
    const orphan = await getBuild('orphan-build-1');
    expect(orphan.status.conditions[0]).toMatchObject({ status: 'False', message: 'Build failed: step "export" exited with code 1' });
  });

  describe('Argo CD', () => {
    const gitops = 'github/acme/acme-gitops.git';

    async function writeOverlay(image: string) {
      const base = await emulator.git.resolve(gitops, 'main');
      await emulator.git.commit(gitops, {
        branch: 'main',
        expectedSha: base,
        message: `Deploy ${image}`,
        changes: [
          {
            path: 'apps/api/overlays/snd/kustomization.yaml',
            content: `resources:\n  - ../../base\nnamespace: snd-acme\nimages:\n  - name: api\n    newName: ${image.split('@')[0]}\n    digest: ${image.split('@')[1]}\n`,
          },
        ],
      });
    }

    beforeEach(async () => {
      await emulator.git.create(gitops);
      await emulator.git.commit(gitops, {
        branch: 'main',
        message: 'base',
        changes: [
          { path: 'apps/api/base/kustomization.yaml', content: 'resources:\n  - deployment.yaml\n' },
          {
            path: 'apps/api/base/deployment.yaml',
            content:
              'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: api\n',
          },
        ],
      });
      await core.createNamespace({ body: { metadata: { name: 'argocd' } } });
      // Argo CD syncs nothing of an Application whose project does not exist.
      await custom.createNamespacedCustomObject({
        ...ARGO,
        namespace: 'argocd',
        plural: 'appprojects',
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: 'acme' },
          spec: {
            sourceRepos: [`${emulator.github.url}/acme/*`],
            destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'snd-acme' }],
            clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          },
        },
      });
    });

    function application(name: string, automated: boolean) {
      return custom.createNamespacedCustomObject({
        ...ARGO,
        namespace: 'argocd',
        plural: 'applications',
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
          spec: {
            project: 'acme',
            source: { repoURL: `${emulator.github.url}/acme/acme-gitops.git`, path: 'apps/api/overlays/snd', targetRevision: 'main' },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'snd-acme' },
            syncPolicy: {
              ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
              syncOptions: ['CreateNamespace=true'],
            },
          },
        },
      });
    }
    const getApp = (name: string) => custom.getNamespacedCustomObject({ ...ARGO, namespace: 'argocd', plural: 'applications', name });

    it('syncs automatically, reports images and history, and turns Healthy once the image is in Harbor', async () => {
      await createImage();
      await emulator.settled();
      const built = (await getBuild('api-build-1')).status.latestImage;
      await writeOverlay(built);
      await application('snd-acme-api', true);
      await emulator.settled();

      const app = await getApp('snd-acme-api');
      const revision = await emulator.git.resolve(gitops, 'main');
      expect(app.status.sync).toMatchObject({ status: 'Synced', revision });
      expect(app.status.health).toEqual({ status: 'Healthy' });
      expect(app.status.summary.images).toEqual([built]);
      expect(app.status.history).toEqual([
        expect.objectContaining({ id: 0, revision, deployedAt: expect.any(String), initiatedBy: { automated: true } }),
      ]);
      expect(app.status.operationState).toMatchObject({ phase: 'Succeeded', syncResult: { revision } });
      const deployment = await kc
        .makeApiClient(CustomObjectsApi)
        .getNamespacedCustomObject({ group: 'apps', version: 'v1', namespace: 'snd-acme', plural: 'deployments', name: 'api' });
      expect(deployment.spec.template.spec.containers[0].image).toBe(built);
      expect(deployment.metadata.labels['app.kubernetes.io/instance']).toBe('snd-acme-api');
    });

    it('is Degraded when the deployed image is not in Harbor', async () => {
      const missing = `${registry}/acme/api@sha256:${'f'.repeat(64)}`;
      await writeOverlay(missing);
      await application('snd-acme-api', true);
      await emulator.settled();
      const app = await getApp('snd-acme-api');
      expect(app.status.sync.status).toBe('Synced');
      expect(app.status.health.status).toBe('Degraded');
      expect(app.status.health.message).toContain(missing);
    });

    it('keeps the time a rendering error began while it lasts, so that its own status write does not wake it again', async () => {
      await application('snd-acme-api', true);
      const patch = (body: object) =>
        custom.patchNamespacedCustomObject(
          { ...ARGO, namespace: 'argocd', plural: 'applications', name: 'snd-acme-api', body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      await patch({ spec: { source: { repoURL: `${emulator.github.url}/acme/missing.git` } } });
      await emulator.settled();
      const failed = await getApp('snd-acme-api');
      expect(failed.status.sync.status).toBe('Unknown');
      expect(failed.status.conditions).toEqual([
        expect.objectContaining({ type: 'ComparisonError', message: expect.stringContaining('repository not found') }),
      ]);

      // Reconciled again in a later second (conditions are timed to the second): the clock is moved on, not waited for.
      // Only Date is faked; the emulator's and the client's timers run as ever.
      jest.useFakeTimers({ doNotFake: REAL_TIMERS, now: Date.now() + 1_100 });
      try {
        await patch({ metadata: { labels: { touched: 'yes' } } });
        await emulator.settled();
      } finally {
        jest.useRealTimers();
      }

      const again = await getApp('snd-acme-api');
      expect(again.metadata.labels.touched).toBe('yes');
      expect(again.status.conditions[0].lastTransitionTime).toBe(failed.status.conditions[0].lastTransitionTime);
    });

    it('leaves a manual application OutOfSync until a sync operation is requested', async () => {
      await writeOverlay(`${registry}/acme/api@sha256:${'a'.repeat(64)}`);
      await application('prd-acme-api', false);
      await emulator.settled();
      expect((await getApp('prd-acme-api')).status.sync.status).toBe('OutOfSync');

      await custom.patchNamespacedCustomObject(
        {
          ...ARGO,
          namespace: 'argocd',
          plural: 'applications',
          name: 'prd-acme-api',
          body: { operation: { sync: { revision: 'main' }, initiatedBy: { username: 'alice' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await emulator.settled();
      const synced = await getApp('prd-acme-api');
      expect(synced.operation).toBeUndefined();
      expect(synced.status.sync.status).toBe('Synced');
      expect(synced.status.history[0].initiatedBy).toEqual({ username: 'alice' });
    });
  });
});
