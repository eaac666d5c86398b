import { seedDemo, startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { PassThrough } from 'node:stream';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubernetesGateway } from './KubernetesGateway';
import { ResourceInformer } from './ResourceInformer';

/** Resolves once `condition` holds over the informer's cache: checked now and at every change it sees. */
function informerReaches(informer: ResourceInformer<KubernetesObject>, condition: () => boolean): Promise<void> {
  let unsubscribe = () => {};
  return new Promise(resolve => {
    const check = () => {
      if (!condition()) return;
      unsubscribe();
      resolve();
    };
    unsubscribe = informer.onChange(check);
    check();
  });
}

describe('kpack builds and the resource informer', () => {
  let emulator: RunningEmulator;
  let gateway: KubernetesGateway;

  const connect = (e: RunningEmulator) =>
    new KubernetesGateway({
      name: 'emulated',
      url: e.kubernetes.url,
      serviceAccountToken: e.token,
      caData: Buffer.from(e.kubernetes.caCert).toString('base64'),
      skipTLSVerify: false,
    });

  async function imageWithBuild(e: RunningEmulator) {
    e.kubernetes.create('namespaces', { metadata: { name: 'ci-acme' } });
    e.harbor.api.createProject('acme');
    await e.git.create('github/acme/api.git');
    await e.git.commit('github/acme/api.git', { branch: 'main', message: 'init', changes: [{ path: 'a', content: 'b' }] });
    e.kubernetes.create('images', {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Image',
      metadata: { name: 'api', namespace: 'ci-acme' },
      spec: { tag: `${new URL(e.harbor.url).host}/acme/api:latest`, source: { git: { url: `${e.github.url}/acme/api.git`, revision: 'main' } } },
    });
    await e.settled();
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    gateway = connect(emulator);
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    await imageWithBuild(emulator);
  });

  it('reads an Image’s builds, newest first, and triggers one more as kp image trigger does', async () => {
    const [first] = await gateway.listBuilds('ci-acme', 'api');
    expect(first).toMatchObject({
      name: 'api-build-1',
      number: 1,
      reasons: ['CONFIG'],
      status: 'succeeded',
      revision: await emulator.git.resolve('github/acme/api.git', 'main'),
      latestImage: expect.stringMatching(/\/acme\/api@sha256:[0-9a-f]{64}$/),
      podName: 'api-build-1-build-pod',
    });
    expect(first.steps.map(s => `${s.name}:${s.state}`)).toEqual([
      'prepare:succeeded', 'analyze:succeeded', 'detect:succeeded', 'restore:succeeded', 'build:succeeded', 'export:succeeded', 'completion:succeeded',
    ]);

    expect(await gateway.triggerBuild('ci-acme', 'api')).toEqual({ triggeredFrom: 'api-build-1' });
    await emulator.settled();
    const builds = await gateway.listBuilds('ci-acme', 'api');
    expect(builds.map(b => [b.name, b.reasons])).toEqual([
      ['api-build-2', ['TRIGGER']],
      ['api-build-1', ['CONFIG']],
    ]);
    await expect(gateway.triggerBuild('ci-acme', 'nothing')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('asks kpack once when a trigger is asked for again before its build is done, as after a lost answer', async () => {
    // Builds long enough that the second ask comes while the first one's build runs.
    emulator.setBuildStepMs(300);
    try {
      expect(await gateway.triggerBuild('ci-acme', 'api')).toEqual({ triggeredFrom: 'api-build-1' });
      emulator.requests.clear();
      // kpack has yet to act on the annotation, or runs api-build-2 for it: either way that is the rebuild asked for.
      expect(await gateway.triggerBuild('ci-acme', 'api')).toEqual({ triggeredFrom: 'api-build-1' });
      expect(emulator.requests.mutating()).toEqual([]);
      await emulator.settled();
    } finally {
      emulator.setBuildStepMs(0);
    }
    expect((await gateway.listBuilds('ci-acme', 'api')).map(b => [b.name, b.reasons, b.status])).toEqual([
      ['api-build-2', ['TRIGGER'], 'succeeded'],
      ['api-build-1', ['CONFIG'], 'succeeded'],
    ]);
    // Once it is done, a trigger asks for another.
    expect(await gateway.triggerBuild('ci-acme', 'api')).toEqual({ triggeredFrom: 'api-build-2' });
  });

  // kpack pkg/reconciler/sourceresolver/sourceresolver.go: any change of the resolver makes kpack resolve the branch again.
  it('has kpack build a pushed commit at once by annotating the Image’s SourceResolver (a trigger would rebuild the commit resolved before)', async () => {
    const pushed = await emulator.git.commit('github/acme/api.git', { branch: 'main', message: 'change', changes: [{ path: 'a', content: 'c' }] });

    expect(await gateway.resolveSourceNow('ci-acme', 'api')).toEqual({ sourceResolver: 'api-source' });
    await emulator.settled();

    const builds = await gateway.listBuilds('ci-acme', 'api');
    expect(builds.map(b => [b.name, b.reasons, b.revision])).toEqual([
      ['api-build-2', ['COMMIT'], pushed.sha],
      ['api-build-1', ['CONFIG'], expect.not.stringMatching(pushed.sha)],
    ]);
    await expect(gateway.resolveSourceNow('ci-acme', 'nothing')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('reads the demo’s Argo CD applications: sync, health, images and history', async () => {
    const demo = await startEmulator();
    try {
      await seedDemo(demo);
      const snd = await connect(demo).getApplication('argocd', 'snd-payments-ledger-api');
      expect(snd).toMatchObject({
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        automated: true,
        images: [expect.stringMatching(/\/payments\/ledger-api@sha256:/)],
        history: [expect.objectContaining({ id: 0, initiatedBy: { automated: true } })],
        lastSyncedAt: expect.any(String),
      });
      const prd = await connect(demo).getApplication('argocd', 'prd-payments-ledger-api');
      expect(prd).toMatchObject({ automated: false, history: [expect.objectContaining({ initiatedBy: { username: 'guest' } })] });
      expect(prd!.images).not.toEqual(snd!.images);
      expect(await connect(demo).getApplication('argocd', 'nothing')).toBeUndefined();
    } finally {
      await demo.stop();
    }
  });

  it('streams a build step’s log', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', chunk => {
      text += chunk;
    });
    const ended = new Promise(resolve => output.on('end', resolve));
    await gateway.streamPodLog('ci-acme', 'api-build-1-build-pod', 'prepare', output, { follow: true });
    await ended;
    expect(text.split('\n')[0]).toBe('Build reason(s): CONFIG');
    expect(text).toContain(`Cloning "${emulator.github.url}/acme/api.git"`);
  });

  it('lists once, then follows changes; a dropped watch resumes without listing again', async () => {
    const informer = new ResourceInformer<KubernetesObject>(gateway, {
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Build',
      path: '/apis/kpack.io/v1alpha2/builds',
      retryDelayMs: 10,
    });
    emulator.requests.clear();
    await informer.start();
    expect(informer.list().map(b => b.metadata?.name)).toEqual(['api-build-1']);
    await informer.whenWatching();

    emulator.kubernetes.dropWatches();
    await gateway.triggerBuild('ci-acme', 'api');
    await emulator.settled();
    const secondSucceeded = () =>
      (informer.list().find(b => b.metadata?.name === 'api-build-2') as { status?: { conditions?: Array<{ status: string }> } } | undefined)?.status?.conditions?.some(
        c => c.status === 'True',
      ) ?? false;
    await informerReaches(informer, secondSucceeded);
    expect(informer.list().map(b => b.metadata?.name).sort()).toEqual(['api-build-1', 'api-build-2']);
    expect(informer.list().find(b => b.metadata?.name === 'api-build-2')).toMatchObject({ status: { conditions: [{ status: 'True' }] } });
    const lists = emulator.requests.entries('kubernetes').filter(r => r.path.startsWith('/apis/kpack.io/v1alpha2/builds') && !r.path.includes('watch'));
    expect(lists).toHaveLength(1);
    const watches = emulator.requests.entries('kubernetes').filter(r => r.path.includes('watch'));
    expect(watches.length).toBeGreaterThanOrEqual(2);
    informer.stop();
  });

  it('lists again when its resourceVersion has expired (410)', async () => {
    const small = await startEmulator({ watchHistory: 3 });
    try {
      await imageWithBuild(small);
      // The test says when the retry delay has passed: reconnecting only after the changes below are done makes the 410 certain.
      // From then on, retries run at once.
      const held: Array<() => void> = [];
      let holding = true;
      let retryAsked = () => {};
      const retryScheduled = new Promise<void>(resolve => {
        retryAsked = resolve;
      });
      const informer = new ResourceInformer<KubernetesObject>(connect(small), {
        apiVersion: 'kpack.io/v1alpha2',
        kind: 'Build',
        path: '/apis/kpack.io/v1alpha2/builds',
        scheduleRetry: retry => {
          if (holding) held.push(retry);
          else setImmediate(retry);
          retryAsked();
          return () => {};
        },
      });
      try {
        await informer.whenWatching();
        const seen: string[] = [];
        informer.onChange(event => seen.push(`${event.type} ${event.object.metadata?.name}`));
        small.kubernetes.dropWatches();
        await retryScheduled;
        // More changes than the server keeps while the informer is away.
        await connect(small).triggerBuild('ci-acme', 'api');
        await small.settled();
        holding = false;
        for (const retry of held.splice(0)) retry();
        await informerReaches(informer, () => informer.list().some(b => b.metadata?.name === 'api-build-2'));
        expect(informer.list().map(b => b.metadata?.name).sort()).toEqual(['api-build-1', 'api-build-2']);
        const lists = small.requests.entries('kubernetes').filter(r => r.path.startsWith('/apis/kpack.io/v1alpha2/builds') && !r.path.includes('watch'));
        expect(lists.length).toBe(2);
        expect(seen).toContain('ADDED api-build-2');
      } finally {
        informer.stop();
      }
    } finally {
      await small.stop();
    }
  });
});
