import { ConfigReader } from '@backstage/config';
import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { readKubernetesClusters, selectCluster, type LubanCluster } from './clusters';
import { KubernetesGateway } from './KubernetesGateway';

const owner = { label: 'luban.dev/project', value: 'acme' };

function namespace(name: string, labels: Record<string, string> = { 'luban.dev/project': 'acme' }) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

describe('KubernetesGateway', () => {
  let emulator: RunningEmulator;
  let cluster: LubanCluster;
  let gateway: KubernetesGateway;

  beforeAll(async () => {
    emulator = await startEmulator();
    cluster = {
      name: 'emulated',
      url: emulator.kubernetes.url,
      serviceAccountToken: emulator.token,
      caData: Buffer.from(emulator.kubernetes.caCert).toString('base64'),
      skipTLSVerify: false,
    };
    gateway = new KubernetesGateway(cluster);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('creates an absent object, leaves an equal one alone and updates one that differs', async () => {
    expect((await gateway.apply(namespace('snd-acme'), { owner })).result).toBe('created');

    emulator.requests.clear();
    expect((await gateway.apply(namespace('snd-acme'), { owner })).result).toBe('unchanged');
    expect(emulator.requests.entries('kubernetes').map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/namespaces/snd-acme',
    ]);

    const updated = await gateway.apply(
      namespace('snd-acme', { 'luban.dev/project': 'acme', 'pod-security.kubernetes.io/enforce': 'restricted' }),
      { owner },
    );
    expect(updated.result).toBe('updated');
    const live = await gateway.get<any>(namespace('snd-acme'));
    expect(live.metadata.labels).toEqual({
      'kubernetes.io/metadata.name': 'snd-acme',
      'luban.dev/project': 'acme',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('reports what it would do in a dry run without a single mutating call', async () => {
    await gateway.apply(namespace('snd-acme'), { owner });
    emulator.requests.clear();
    expect((await gateway.apply(namespace('prd-acme'), { owner, dryRun: true })).result).toBe('created');
    expect((await gateway.apply(namespace('snd-acme', { 'luban.dev/project': 'acme', x: 'y' }), { owner, dryRun: true })).result).toBe('updated');
    expect(emulator.requests.mutating()).toEqual([]);
    expect(await gateway.get(namespace('prd-acme'))).toBeUndefined();
  });

  it('refuses to change an object that luban does not own, naming the owner', async () => {
    await gateway.apply(namespace('snd-acme', { team: 'other' }));
    await expect(gateway.apply(namespace('snd-acme'), { owner })).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining("Namespace 'snd-acme' already exists in Kubernetes cluster 'emulated' but was not created by luban (it has no label luban.dev/project)"),
    });
    await gateway.apply(namespace('snd-other', { 'luban.dev/project': 'other' }));
    await expect(gateway.apply(namespace('snd-other'), { owner })).rejects.toThrow(
      "belongs to luban.dev/project=other, not acme; luban will not change it",
    );
  });

  it('re-reads and retries when an update loses a resourceVersion race', async () => {
    await gateway.apply(namespace('snd-acme'), { owner });
    emulator.faults.fail({ system: 'kubernetes', method: 'PUT', path: '/api/v1/namespaces/snd-acme', status: 409, times: 2 });
    const result = await gateway.apply(namespace('snd-acme', { 'luban.dev/project': 'acme', tier: 'gold' }), { owner });
    expect(result.result).toBe('updated');
    expect(emulator.requests.entries('kubernetes').filter(r => r.method === 'PUT').map(r => r.status)).toEqual([409, 409, 200]);
    expect((await gateway.get<any>(namespace('snd-acme'))).metadata.labels.tier).toBe('gold');
  });

  it('treats a create that meets AlreadyExists as a race and compares with the winner', async () => {
    await gateway.apply(namespace('ci-acme'), { owner });
    // The first read misses the object, as if another replica created it just after.
    emulator.faults.fail({ system: 'kubernetes', method: 'GET', path: '/api/v1/namespaces/ci-acme', status: 404 });
    emulator.requests.clear();
    expect((await gateway.apply(namespace('ci-acme'), { owner })).result).toBe('unchanged');
    expect(emulator.requests.entries('kubernetes').map(r => `${r.method} ${r.status}`)).toEqual([
      'GET 404',
      'POST 409',
      'GET 200',
    ]);
  });

  it('turns upstream failures into typed errors that name the cluster and never the token', async () => {
    const wrongToken = new KubernetesGateway({ ...cluster, serviceAccountToken: 'canary-secret-4f1c' });
    const error = await wrongToken.apply(namespace('snd-acme')).catch(e => e);
    expect(error.name).toBe('AuthenticationError');
    expect(error.message).toBe(
      "Kubernetes cluster 'emulated' could not read Namespace 'snd-acme' (401): Unauthorized. Check the credentials configured for it.",
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('canary-secret-4f1c');

    emulator.faults.fail({ system: 'kubernetes', method: 'POST', path: '/api/v1/namespaces', status: 503 });
    await expect(gateway.apply(namespace('snd-acme'))).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: "Kubernetes cluster 'emulated' could not create Namespace 'snd-acme' (503): injected failure (503)",
    });

    emulator.faults.fail({ system: 'kubernetes', method: 'GET', path: '/api/v1/namespaces/snd-acme', status: 403 });
    await expect(gateway.get(namespace('snd-acme'))).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('Grant the configured account the permission to do this.'),
    });

    const unreachable = new KubernetesGateway({ ...cluster, url: 'https://127.0.0.1:9' });
    await expect(unreachable.get(namespace('x'))).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringContaining("Kubernetes cluster 'emulated' could not read Namespace 'x' (no response)"),
    });
  });
});

describe('readKubernetesClusters', () => {
  it('reads the service-account clusters of kubernetes.clusterLocatorMethods', () => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'catalog' },
          {
            type: 'config',
            clusters: [
              { name: 'a', url: 'https://a', authProvider: 'serviceAccount', serviceAccountToken: 't', skipTLSVerify: true },
              { name: 'oidc', url: 'https://b', authProvider: 'oidc' },
              { name: 'c', url: 'https://c', caData: 'Q0E=' },
            ],
          },
        ],
      },
    });
    const clusters = readKubernetesClusters(config);
    expect(clusters.map(c => c.name)).toEqual(['a', 'c']);
    expect(selectCluster(clusters).name).toBe('a');
    expect(selectCluster(clusters, 'c').caData).toBe('Q0E=');
    expect(() => selectCluster(clusters, 'oidc')).toThrow("Kubernetes cluster 'oidc' is not configured; configured clusters: 'a', 'c'");
    expect(() => selectCluster([])).toThrow(/No Kubernetes cluster is configured for luban/);
  });
});
