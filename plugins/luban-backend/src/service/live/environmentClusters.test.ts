import { createServiceFactory } from '@backstage/backend-plugin-api';
import { signalsServiceRef, type SignalPayload } from '@backstage/plugin-signals-node';
import { DEMO, seedDemo, startEmulator, trustEmulatorCertificate, type RunningEmulator } from '@luban-backstage/emulator';
import { lubanChannel } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, emulatorConfig, startLubanBackend } from '../../__testUtils__/lubanBackend';

/** The Argo CD Application of the demo app in `prod`, which runs on the second cluster. */
const PROD_APPLICATION = `prod-${DEMO.project}-${DEMO.app}`;

/** An Argo CD Application of the demo app in an environment, as luban's provisioning creates it. */
function application(env: string, gitopsUrl: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `${env}-${DEMO.project}-${DEMO.app}`,
      namespace: 'argocd',
      labels: { 'luban.dev/project': DEMO.project, 'luban.dev/app': DEMO.app, 'luban.dev/environment': env },
    },
    spec: {
      project: DEMO.project,
      source: { repoURL: gitopsUrl, path: `apps/${DEMO.app}/overlays/${env}`, targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace: `${env}-${DEMO.project}` },
    },
  };
}

/**
 * Environments dev, qa and prod, where prod runs on a second cluster: a
 * second emulator, whose API server is the `prod-cluster` of the
 * configuration. The demo's builds stay on the first (default) cluster; an
 * Application named `prod-…` exists only on the second, so whatever luban
 * shows or pushes about it was read or watched there.
 */
describe('environments on their own clusters', () => {
  let main: RunningEmulator;
  let prodCluster: RunningEmulator;
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const published: SignalPayload[] = [];
  const onPublished = new Set<() => void>();
  /** Resolves with the first signal luban published that matches: checked now and at every signal it publishes. */
  const publishedSignal = (matches: (candidate: SignalPayload) => boolean) =>
    new Promise<SignalPayload>(resolve => {
      const check = () => {
        const found = published.find(matches);
        if (!found) return;
        onPublished.delete(check);
        resolve(found);
      };
      onPublished.add(check);
      check();
    });

  beforeAll(async () => {
    [main, prodCluster] = await Promise.all([startEmulator({ buildStepMs: 20, rolloutMs: 20 }), startEmulator()]);
    trustEmulatorCertificate(main.kubernetes.caCert);
    trustEmulatorCertificate(prodCluster.kubernetes.caCert);
    await seedDemo(main);
    prodCluster.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    prodCluster.kubernetes.create('applications', application('prod', `${main.github.url}/${DEMO.project}/${DEMO.project}-gitops.git`));

    const [defaultCluster] = (emulatorConfig(main).kubernetes as any).clusterLocatorMethods[0].clusters;
    const secondCluster = {
      name: 'prod-cluster',
      url: prodCluster.kubernetes.url,
      authProvider: 'serviceAccount',
      serviceAccountToken: prodCluster.token,
      caData: Buffer.from(prodCluster.kubernetes.caCert).toString('base64'),
    };
    backend = await startLubanBackend({
      emulator: main,
      config: {
        kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters: [defaultCluster, secondCluster] }] },
        luban: { environments: [{ name: 'dev' }, { name: 'qa' }, { name: 'prod', cluster: 'prod-cluster' }] },
      },
      features: [
        createServiceFactory({
          service: signalsServiceRef,
          deps: {},
          factory: () => ({
            publish: async (signal: SignalPayload) => {
              published.push(signal);
              for (const check of [...onPublished]) check();
            },
          }),
        }),
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await Promise.all([main?.stop(), prodCluster?.stop()]);
  });

  const get = (path: string) => request(backend.server).get(`${DEMO_ENTITY_PATH}${path}`).set('Authorization', backend.owner);

  it('reads builds on the default cluster and each Application on its environment’s cluster', async () => {
    const builds = await get('/builds');
    expect(builds.status).toBe(200);
    expect(builds.body).toMatchObject({ cluster: 'emulator', builds: [expect.anything(), expect.anything()] });

    const promotion = await get('/promotion');
    expect(promotion.status).toBe(200);
    const argoCdOf = (env: string) => promotion.body.environments.find((e: { name: string }) => e.name === env)?.argoCd;
    expect(argoCdOf('prod')).toMatchObject({ application: PROD_APPLICATION });
    expect(argoCdOf('dev')).toBeUndefined();

    const prodClusterReads = prodCluster.requests.entries('kubernetes').map(r => r.path);
    expect(prodClusterReads).toContainEqual(expect.stringContaining('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications'));

    const project = await get('/project');
    expect(project.body.environments).toEqual([
      { name: 'dev', namespace: `dev-${DEMO.project}`, autoSync: true },
      { name: 'qa', namespace: `qa-${DEMO.project}`, autoSync: false },
      { name: 'prod', namespace: `prod-${DEMO.project}`, cluster: 'prod-cluster', autoSync: false },
    ]);
  });

  it('pushes a change of prod’s Application, watched on the second cluster, to the entity’s page', async () => {
    // A view makes luban follow the entity.
    expect((await get('/builds')).status).toBe(200);
    published.length = 0;

    prodCluster.kubernetes.remove('applications', 'argocd', PROD_APPLICATION);
    prodCluster.kubernetes.create('applications', application('prod', 'https://git.example.com/elsewhere.git'));

    const deployment = await publishedSignal(s => s.message.type === 'deployment' && s.message.environment === 'prod');
    expect(deployment).toMatchObject({ recipients: { type: 'broadcast' }, channel: lubanChannel(`component:default/${DEMO.app}`) });
  });
});
