import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { emulatorConfig, startScaffolder, type TemplateSteps } from '../__testUtils__/harness';

/**
 * The build cache of luban's kpack Images against kpack's admission webhook
 * (kpack pkg/apis/build/v1alpha2/image_validation.go validateVolumeCache),
 * which the emulator runs on every Image create and update.
 */

const templates: Record<string, TemplateSteps> = {
  namespaces: [{ id: 'namespaces', action: 'luban:project:namespaces', input: { project: 'payments', owner: 'payments-team' } }],
  image: [
    {
      id: 'image',
      action: 'luban:kpack:image',
      input: { project: 'payments', app: 'ledger-api', sourceRepoUrl: 'github.com?owner=payments&repo=ledger-api' },
    },
  ],
};

describe('luban:kpack:image build cache', () => {
  let emulator: RunningEmulator;
  const scaffolders = new Map<string, Awaited<ReturnType<typeof startScaffolder>>>();

  /** A scaffolder whose luban.kpack.cache is `cache`, started once per configuration. */
  async function scaffolderWith(cache?: { size?: string; storageClassName?: string }) {
    const key = JSON.stringify(cache ?? {});
    if (!scaffolders.has(key)) {
      const config = emulatorConfig(emulator) as any;
      config.luban.kpack = cache ? { cache } : {};
      scaffolders.set(key, await startScaffolder({ config, templates }));
    }
    return scaffolders.get(key)!;
  }

  const liveCache = () => emulator.kubernetes.list('images', 'ci-payments')[0]?.spec?.cache;

  function defaultStorageClass() {
    emulator.kubernetes.create('storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/no-provisioner',
    } as any);
  }

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    const onboarding = await (await scaffolderWith()).run('namespaces');
    if (onboarding.status !== 'completed') throw new Error(`onboarding failed: ${onboarding.error}`);
  });

  it('names the configured StorageClass, so the Image is admitted on a cluster without a default one', async () => {
    const run = await (await scaffolderWith({ size: '5G', storageClassName: 'fast' })).run('image');
    expect(run.error).toBeUndefined();
    expect(liveCache()).toEqual({ volume: { size: '5G', storageClassName: 'fast' } });
  });

  it('writes no cache when none is configured: admitted without a default StorageClass, and kpack gives 2G where there is one', async () => {
    const scaffolder = await scaffolderWith();
    expect((await scaffolder.run('image')).error).toBeUndefined();
    expect(liveCache()).toBeUndefined();

    await emulator.reset();
    defaultStorageClass();
    expect((await scaffolder.run('namespaces')).status).toBe('completed');
    expect((await scaffolder.run('image')).error).toBeUndefined();
    expect(liveCache()).toEqual({ volume: { size: '2G' } });
    emulator.requests.clear();
    expect((await scaffolder.run('image')).output.image.result).toBe('unchanged');
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('keeps an existing cache on a re-run with a smaller size, says so, and asks kpack for nothing it refuses', async () => {
    expect((await (await scaffolderWith({ size: '5G', storageClassName: 'fast' })).run('image')).error).toBeUndefined();
    emulator.requests.clear();

    const rerun = await (await scaffolderWith({ size: '2G', storageClassName: 'fast' })).run('image');
    expect(rerun.status).toBe('completed');
    expect(rerun.output.image.result).toBe('unchanged');
    expect(rerun.log.join('\n')).toContain(
      "kpack Image ci-payments/ledger-api keeps its build cache (5G on StorageClass 'fast'), not the configured 2G on StorageClass 'fast': kpack refuses to shrink a cache",
    );
    expect(liveCache()).toEqual({ volume: { size: '5G', storageClassName: 'fast' } });
    expect(emulator.requests.entries('kubernetes').filter(r => r.status >= 400 && r.status !== 404)).toEqual([]);
  });

  it('keeps an existing cache on a re-run that names another StorageClass, which kpack does not let change', async () => {
    expect((await (await scaffolderWith({ size: '5G', storageClassName: 'fast' })).run('image')).error).toBeUndefined();

    const rerun = await (await scaffolderWith({ size: '8G', storageClassName: 'slow' })).run('image');
    expect(rerun.status).toBe('completed');
    expect(rerun.log.join('\n')).toContain("kpack refuses to change the StorageClass of an Image's cache");
    expect(liveCache()).toEqual({ volume: { size: '5G', storageClassName: 'fast' } });
  });

  it('keeps an existing cache on a re-run with a larger size, which only an expandable StorageClass could take', async () => {
    expect((await (await scaffolderWith({ size: '5G', storageClassName: 'fast' })).run('image')).error).toBeUndefined();

    const rerun = await (await scaffolderWith({ size: '8G', storageClassName: 'fast' })).run('image');
    expect(rerun.output.image.result).toBe('unchanged');
    expect(rerun.log.join('\n')).toContain('a larger cache only takes where the StorageClass allows volume expansion');
    expect(liveCache()).toEqual({ volume: { size: '5G', storageClassName: 'fast' } });
  });

  it('says in a dry run that an existing cache would be kept', async () => {
    expect((await (await scaffolderWith({ size: '5G', storageClassName: 'fast' })).run('image')).error).toBeUndefined();
    const dryRun = await (await scaffolderWith({ size: '2G', storageClassName: 'fast' })).dryRun(templates.image);
    expect(dryRun.status).toBe(200);
    expect(dryRun.log.join('\n')).toContain('keeps its build cache (5G');
  });
});
