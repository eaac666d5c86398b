import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { startEmulator, type RunningEmulator } from '../index';

/** The parsed Status body of a failed client-node call. */
async function statusOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      return {
        code: error.code,
        body: typeof error.body === 'string' ? JSON.parse(error.body) : error.body,
      };
    }
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('emulated Kubernetes API', () => {
  let emulator: RunningEmulator;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  /** The namespace controller removes a terminating namespace a moment later: waited for in the store. */
  async function waitForNamespaceGone(name: string) {
    await emulator.kubernetes.store.waitFor(() => !emulator.kubernetes.list('namespaces').some(ns => ns.metadata.name === name));
    expect((await statusOf(core.readNamespace({ name }))).code).toBe(404);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });

  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('creates, reads, lists and deletes namespaces like an API server', async () => {
    const created = await core.createNamespace({ body: { metadata: { name: 'ci-acme' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': 'ci-acme' });
    expect(created.status?.phase).toBe('Active');

    const read = await core.readNamespace({ name: 'ci-acme' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    await core.createNamespace({ body: { metadata: { name: 'snd-acme' } } });
    const list = await core.listNamespace();
    expect(list.items.map(ns => ns.metadata?.name)).toEqual(['ci-acme', 'snd-acme']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(
      Number(created.metadata?.resourceVersion),
    );

    const finishDeletions = emulator.kubernetes.store.holdNamespaceDeletions();
    const deleting = await core.deleteNamespace({ name: 'ci-acme' });
    expect((deleting as any).status?.phase).toBe('Terminating');
    expect((await core.readNamespace({ name: 'ci-acme' })).status?.phase).toBe('Terminating');
    finishDeletions();
    await waitForNamespaceGone('ci-acme');
  });

  it('answers with the Status bodies kube-apiserver writes', async () => {
    expect(await statusOf(core.readNamespace({ name: 'missing' }))).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'namespaces "missing" not found',
        reason: 'NotFound',
        details: { name: 'missing', kind: 'namespaces' },
        code: 404,
      },
    });

    await core.createNamespace({ body: { metadata: { name: 'acme' } } });
    const exists = await statusOf(core.createNamespace({ body: { metadata: { name: 'acme' } } }));
    expect(exists.code).toBe(409);
    expect(exists.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'namespaces "acme" already exists',
      details: { name: 'acme', kind: 'namespaces' },
    });

    const invalid = await statusOf(core.createNamespace({ body: { metadata: { name: 'Acme' } } }));
    expect(invalid.code).toBe(422);
    expect(invalid.body.reason).toBe('Invalid');
    expect(invalid.body.message).toMatch(
      /^Namespace "Acme" is invalid: metadata.name: Invalid value: "Acme": a lowercase RFC 1123 label/,
    );
    expect(invalid.body.details.causes).toEqual([
      expect.objectContaining({ reason: 'FieldValueInvalid', field: 'metadata.name' }),
    ]);

    const notFoundCustom = await statusOf(
      custom.getNamespacedCustomObject({ group: 'kpack.io', version: 'v1alpha2', namespace: 'acme', plural: 'images', name: 'api' }),
    );
    expect(notFoundCustom.body).toMatchObject({
      message: 'images.kpack.io "api" not found',
      details: { name: 'api', group: 'kpack.io', kind: 'images' },
    });
  });

  it('rejects requests without the bearer token', async () => {
    const anonymous = new KubeConfig();
    anonymous.loadFromOptions({
      clusters: [{ name: 'c', server: emulator.kubernetes.url, caData: Buffer.from(emulator.kubernetes.caCert).toString('base64') }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const failure = await statusOf(anonymous.makeApiClient(CoreV1Api).listNamespace());
    expect(failure.code).toBe(401);
  });

  it('refuses a stale resourceVersion with 409 Conflict', async () => {
    await core.createNamespace({ body: { metadata: { name: 'acme' } } });
    const cm = await core.createNamespacedConfigMap({
      namespace: 'acme',
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });
    const updated = await core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace: 'acme',
      body: { ...cm, data: { a: '2' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));

    const stale = await statusOf(
      core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'acme', body: { ...cm, data: { a: '3' } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    });
    expect((await core.readNamespacedConfigMap({ name: 'settings', namespace: 'acme' })).data).toEqual({ a: '2' });
  });

  it('deletes what is in a namespace with it, and refuses new content while it terminates', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'a' } } });
    await core.createNamespacedServiceAccount({ namespace: 'doomed', body: { metadata: { name: 'b' } } });
    const finishDeletions = emulator.kubernetes.store.holdNamespaceDeletions();
    await core.deleteNamespace({ name: 'doomed' });
    const refused = await statusOf(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }));
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    );
    finishDeletions();
    await waitForNamespaceGone('doomed');
    expect(emulator.kubernetes.list('configmaps')).toEqual([]);
    expect(emulator.kubernetes.list('serviceaccounts')).toEqual([]);
    expect((await statusOf(core.readNamespace({ name: 'doomed' }))).code).toBe(404);
  });

  it('creates namespaced objects only in an existing namespace', async () => {
    const failure = await statusOf(
      core.createNamespacedServiceAccount({ namespace: 'nowhere', body: { metadata: { name: 'builder' } } }),
    );
    expect(failure.code).toBe(404);
    expect(failure.body.message).toBe('namespaces "nowhere" not found');
  });

  it('filters by label and field selectors and pages with limit/continue', async () => {
    await core.createNamespace({ body: { metadata: { name: 'acme' } } });
    for (const [name, env] of [['a', 'snd'], ['b', 'prd'], ['c', 'snd'], ['d', 'qa']]) {
      await core.createNamespacedConfigMap({
        namespace: 'acme',
        body: { metadata: { name, labels: { env, app: 'api' } } },
      });
    }
    const names = (list: { items: Array<{ metadata?: { name?: string } }> }) =>
      list.items.map(i => i.metadata?.name);
    expect(names(await core.listNamespacedConfigMap({ namespace: 'acme', labelSelector: 'env=snd' }))).toEqual(['a', 'c']);
    expect(names(await core.listNamespacedConfigMap({ namespace: 'acme', labelSelector: 'env in (prd,qa)' }))).toEqual(['b', 'd']);
    expect(names(await core.listNamespacedConfigMap({ namespace: 'acme', labelSelector: 'app,env!=snd' }))).toEqual(['b', 'd']);
    expect(names(await core.listNamespacedConfigMap({ namespace: 'acme', fieldSelector: 'metadata.name=c' }))).toEqual(['c']);

    const first = await core.listNamespacedConfigMap({ namespace: 'acme', limit: 3 });
    expect(names(first)).toEqual(['a', 'b', 'c']);
    expect(first.metadata?.remainingItemCount).toBe(1);
    const rest = await core.listNamespacedConfigMap({ namespace: 'acme', limit: 3, _continue: first.metadata?._continue });
    expect(names(rest)).toEqual(['d']);
    expect(rest.metadata?._continue).toBeUndefined();

    const badSelector = await statusOf(core.listNamespacedConfigMap({ namespace: 'acme', fieldSelector: 'data.a=1' }));
    expect(badSelector.code).toBe(400);
  });

  it('applies merge, strategic-merge and json patches', async () => {
    await core.createNamespace({ body: { metadata: { name: 'acme' } } });
    await custom.createNamespacedCustomObject({
      group: 'kpack.io',
      version: 'v1alpha2',
      namespace: 'acme',
      plural: 'builds',
      body: { apiVersion: 'kpack.io/v1alpha2', kind: 'Build', metadata: { name: 'api-build-1' }, spec: { tags: ['x'] } },
    });
    const patched = await custom.patchNamespacedCustomObject(
      {
        group: 'kpack.io',
        version: 'v1alpha2',
        namespace: 'acme',
        plural: 'builds',
        name: 'api-build-1',
        body: { metadata: { annotations: { 'image.kpack.io/additionalBuildNeeded': '2026-01-01' } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata.annotations).toEqual({ 'image.kpack.io/additionalBuildNeeded': '2026-01-01' });
    expect(patched.metadata.generation).toBe(1); // metadata changes leave the generation alone

    const jsonPatched = await custom.patchNamespacedCustomObject({
      group: 'kpack.io',
      version: 'v1alpha2',
      namespace: 'acme',
      plural: 'builds',
      name: 'api-build-1',
      body: [{ op: 'add', path: '/spec/tags/-', value: 'y' }],
    });
    expect(jsonPatched.spec.tags).toEqual(['x', 'y']);
    expect(jsonPatched.metadata.generation).toBe(2);

    // Custom resources do not support strategic merge patch.
    const strategic = await statusOf(
      custom.patchNamespacedCustomObject(
        { group: 'kpack.io', version: 'v1alpha2', namespace: 'acme', plural: 'builds', name: 'api-build-1', body: { spec: {} } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(strategic.code).toBe(415);

    await core.createNamespacedServiceAccount({
      namespace: 'acme',
      body: { metadata: { name: 'builder' }, secrets: [{ name: 'git' }] },
    });
    const sa = await core.patchNamespacedServiceAccount(
      { name: 'builder', namespace: 'acme', body: { secrets: [{ name: 'harbor' }] } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(sa.secrets).toEqual([{ name: 'git' }, { name: 'harbor' }]);
  });

  it('streams watch events from a resourceVersion', async () => {
    const start = await core.listNamespace();
    const events: Array<[string, string | undefined]> = [];
    let onDeleted = () => {};
    const deletedSeen = new Promise<void>(resolve => {
      onDeleted = resolve;
    });
    const watch = await new Watch(kc).watch(
      '/api/v1/namespaces',
      { resourceVersion: start.metadata?.resourceVersion },
      (type, obj) => {
        events.push([type, obj.metadata?.name]);
        if (type === 'DELETED') onDeleted();
      },
      () => {},
    );
    await core.createNamespace({ body: { metadata: { name: 'watched' } } });
    await core.patchNamespace(
      { name: 'watched', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespace({ name: 'watched' });
    await deletedSeen;
    watch.abort();
    expect(events).toEqual([
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
      ['MODIFIED', 'watched'], // marked Terminating
      ['DELETED', 'watched'],
    ]);
  });

  it('reports 410 Expired inside the stream when the resourceVersion is too old', async () => {
    const small = await startEmulator({ watchHistory: 2 });
    try {
      const smallKc = new KubeConfig();
      smallKc.loadFromString(small.kubernetes.kubeconfig());
      const smallCore = smallKc.makeApiClient(CoreV1Api);
      const first = await smallCore.createNamespace({ body: { metadata: { name: 'n1' } } });
      for (const name of ['n2', 'n3', 'n4']) {
        await smallCore.createNamespace({ body: { metadata: { name } } });
      }
      const received: Array<{ type: string; obj: any }> = [];
      await new Promise<void>(resolve => {
        new Watch(smallKc).watch(
          '/api/v1/namespaces',
          { resourceVersion: first.metadata?.resourceVersion },
          (type, obj) => received.push({ type, obj }),
          () => resolve(),
        );
      });
      expect(received).toEqual([
        {
          type: 'ERROR',
          obj: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }),
        },
      ]);
      expect(received[0].obj.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    } finally {
      await small.stop();
    }
  });
});
