import { startEmulator, type RunningEmulator } from './index';
import { seedDemo } from './seed';

describe('seedDemo', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    await seedDemo(emulator);
  });
  afterAll(() => emulator.stop());

  it('leaves a project with two builds, snd one promotion ahead of prd, both applications healthy', async () => {
    const builds = emulator.kubernetes.list('builds', 'ci-payments');
    expect(builds.map(b => [b.metadata.name, b.metadata.annotations?.['image.kpack.io/reason'], b.status?.conditions?.[0]?.status])).toEqual([
      ['ledger-api-build-1', 'CONFIG', 'True'],
      ['ledger-api-build-2', 'COMMIT', 'True'],
    ]);
    const apps = Object.fromEntries(emulator.kubernetes.list('applications', 'argocd').map(a => [a.metadata.name, a.status]));
    expect(apps['snd-payments-ledger-api']).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, summary: { images: [builds[1].status?.latestImage] } });
    expect(apps['prd-payments-ledger-api']).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' }, summary: { images: [builds[0].status?.latestImage] } });
    const history = await emulator.git.log('github/payments/payments-gitops.git', 'main', { path: 'apps/ledger-api/overlays/snd/kustomization.yaml' });
    expect(history.map(c => c.message)).toEqual(['Deploy ledger-api build 2 to snd', 'Add ledger-api']);
  });
});
