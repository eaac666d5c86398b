import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type RunningEmulator } from '../../index';

/** The Status body of a refused client-node call. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      return { code: error.code, body: typeof error.body === 'string' ? JSON.parse(error.body) : error.body };
    }
    throw error;
  }
  throw new Error('expected the API server to refuse the call');
}

const DENIED = 'admission webhook "validation.webhook.kpack.io" denied the request: validation failed: ';
const images = { group: 'kpack.io', version: 'v1alpha2', namespace: 'ci-acme', plural: 'images' };

function image(cache?: Record<string, unknown>) {
  return {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'Image',
    metadata: { name: 'api', namespace: 'ci-acme' },
    spec: {
      tag: 'harbor.example/acme/api:latest',
      builder: { kind: 'ClusterBuilder', name: 'luban-builder' },
      source: { git: { url: 'https://github.example/acme/api.git', revision: 'main' } },
      ...(cache ? { cache } : {}),
    },
  };
}

describe('kpack Image admission (kpack pkg/apis/build/v1alpha2/image_validation.go, cmd/webhook/main.go)', () => {
  let emulator: RunningEmulator;
  let custom: CustomObjectsApi;

  function storageClass(name: string, options: { isDefault: boolean; allowVolumeExpansion?: boolean }) {
    emulator.kubernetes.create('storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name,
        ...(options.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      provisioner: 'kubernetes.io/no-provisioner',
      ...(options.allowVolumeExpansion !== undefined ? { allowVolumeExpansion: options.allowVolumeExpansion } : {}),
    } as any);
  }

  async function resize(size: string, storageClassName?: string) {
    const live = (await custom.getNamespacedCustomObject({ ...images, name: 'api' })) as any;
    live.spec.cache = { volume: { size, ...(storageClassName ? { storageClassName } : {}) } };
    return custom.replaceNamespacedCustomObject({ ...images, name: 'api', body: live });
  }

  beforeAll(async () => {
    emulator = await startEmulator();
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    emulator.kubernetes.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci-acme' } } as any);
  });

  // kpack image_validation.go validateVolumeCache: no storageClassName and no default StorageClass.
  it('refuses a cache volume size on a cluster without a default StorageClass, with 400 and kpack message', async () => {
    const refused = await refusal(custom.createNamespacedCustomObject({ ...images, body: image({ volume: { size: '2G' } }) }));
    expect(refused.code).toBe(400);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      message: `${DENIED}spec.cache.volume.size cannot be set without spec.cache.volume.storageClassName or a default StorageClass: `,
    });
    expect(emulator.kubernetes.list('images', 'ci-acme')).toEqual([]);
  });

  // kpack image_validation.go validateVolumeCache: a named storageClassName needs no default class.
  it('admits a cache volume that names its StorageClass, without a default one', async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...images,
      body: image({ volume: { size: '2G', storageClassName: 'fast' } }),
    })) as any;
    expect(created.spec.cache).toEqual({ volume: { size: '2G', storageClassName: 'fast' } });
  });

  // kpack cmd/webhook/main.go withCheckDefaultStorageClass + image_validation.go SetDefaults.
  it('admits a cache size where a default StorageClass exists, and gives an Image without cache the default 2G volume', async () => {
    storageClass('standard', { isDefault: true });
    const sized = (await custom.createNamespacedCustomObject({ ...images, body: image({ volume: { size: '5G' } }) })) as any;
    expect(sized.spec.cache).toEqual({ volume: { size: '5G' } });
    const defaulted = (await custom.createNamespacedCustomObject({
      ...images,
      body: { ...image(), metadata: { name: 'web', namespace: 'ci-acme' } },
    })) as any;
    expect(defaulted.spec.cache).toEqual({ volume: { size: '2G' } });
    expect(defaulted.spec.serviceAccountName).toBe('default');
  });

  it('leaves an Image without cache alone where no default StorageClass exists (image_validation.go SetDefaults)', async () => {
    storageClass('manual', { isDefault: false });
    const created = (await custom.createNamespacedCustomObject({ ...images, body: image() })) as any;
    expect(created.spec.cache).toBeUndefined();
  });

  // kpack image_validation.go validateVolumeCache: "Field cannot be decreased".
  it('refuses to decrease the cache size, naming both sizes', async () => {
    storageClass('standard', { isDefault: true, allowVolumeExpansion: true });
    await custom.createNamespacedCustomObject({ ...images, body: image({ volume: { size: '5G' } }) });
    const refused = await refusal(resize('4000M'));
    expect(refused.code).toBe(400);
    expect(refused.body.message).toBe(`${DENIED}Field cannot be decreased: spec.cache.volume.size\ncurrent: 5G, requested: 4G`);
    expect((emulator.kubernetes.list('images', 'ci-acme')[0].spec as any).cache.volume.size).toBe('5G');
    expect(((await resize('8G')) as any).spec.cache.volume.size).toBe('8G');
  });

  // kpack image_validation.go validateVolumeCache + pkg/apis/validate/validation_helpers.go ImmutableField.
  it('refuses to change the StorageClass of an existing cache', async () => {
    await custom.createNamespacedCustomObject({ ...images, body: image({ volume: { size: '2G', storageClassName: 'fast' } }) });
    const refused = await refusal(resize('2G', 'slow'));
    expect(refused.code).toBe(400);
    expect(refused.body.message).toBe(`${DENIED}Immutable field changed: spec.cache.volume.storageClassName\ngot: slow, want: fast`);
  });

  // kpack cmd/webhook/main.go sets IsExpandable only to true, so image_validation.go's
  // "default storage class is not expandable" branch never fires: a larger size passes admission
  // (the PVC resize is what a non-expandable class refuses, later, in the Image reconciler).
  it('admits a larger cache on a non-expandable default class, as the live webhook does', async () => {
    storageClass('standard', { isDefault: true, allowVolumeExpansion: false });
    await custom.createNamespacedCustomObject({ ...images, body: image({ volume: { size: '2G' } }) });
    expect(((await resize('3G')) as any).spec.cache.volume.size).toBe('3G');
  });

  it('refuses an Image that asks for both cache kinds (image_validation.go ImageCacheConfig.Validate)', async () => {
    const refused = await refusal(
      custom.createNamespacedCustomObject({
        ...images,
        body: image({ volume: { size: '2G', storageClassName: 'fast' }, registry: { tag: 'harbor.example/acme/api-cache' } }),
      }),
    );
    expect(refused.body.message).toBe(`${DENIED}only one type of cache can be specified: spec.cache.registry, spec.cache.volume`);
  });
});
