import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../index';

/**
 * What the emulated Argo CD does as Argo CD does it: when it reads git, and
 * what an AppProject refuses. Each test names the upstream file it follows.
 */

const ARGO = { group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd' };
const GITOPS = 'github/acme/acme-gitops.git';
const IN_CLUSTER = 'https://kubernetes.default.svc';

const DEPLOYMENT = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: ${image}\n`;

describe('emulated Argo CD fidelity', () => {
  let emulator: RunningEmulator;
  let custom: CustomObjectsApi;

  async function start(options: EmulatorOptions = {}) {
    emulator = await startEmulator(options);
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    custom = kc.makeApiClient(CustomObjectsApi);
    await emulator.git.create(GITOPS);
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      message: 'Add api',
      changes: [
        { path: 'apps/api/kustomization.yaml', content: 'resources:\n  - deployment.yaml\n' },
        { path: 'apps/api/deployment.yaml', content: DEPLOYMENT('api:1') },
      ],
    });
    emulator.kubernetes.create('namespaces', { metadata: { name: 'argocd' } });
    emulator.kubernetes.create('namespaces', { metadata: { name: 'snd-acme' } });
  }

  afterEach(() => emulator.stop());

  async function commit(image: string, path = 'apps/api/deployment.yaml', content = DEPLOYMENT(image)) {
    const base = await emulator.git.resolve(GITOPS, 'main');
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: base,
      message: `Deploy ${image}`,
      changes: [{ path, content }],
    });
    return (await emulator.git.resolve(GITOPS, 'main'))!;
  }

  function createProject(spec: Record<string, unknown>) {
    emulator.kubernetes.create('appprojects', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'acme', namespace: 'argocd' },
      spec: {
        sourceRepos: [`${emulator.github.url}/acme/acme-gitops.git`],
        destinations: [{ server: IN_CLUSTER, namespace: 'snd-acme' }],
        ...spec,
      },
    });
  }

  function createApplication(spec: Record<string, unknown> = {}) {
    emulator.kubernetes.create('applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'snd-acme-api', namespace: 'argocd' },
      spec: {
        project: 'acme',
        source: { repoURL: `${emulator.github.url}/acme/acme-gitops.git`, path: 'apps/api', targetRevision: 'main' },
        destination: { server: IN_CLUSTER, namespace: 'snd-acme' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
        ...spec,
      },
    });
  }

  const getApp = () => custom.getNamespacedCustomObject({ ...ARGO, plural: 'applications', name: 'snd-acme-api' });
  const deployedImage = () =>
    emulator.kubernetes.list('deployments', 'snd-acme').find(d => d.metadata.name === 'api')?.spec.template.spec.containers[0].image;
  const annotate = (annotations: Record<string, string>) =>
    custom.patchNamespacedCustomObject(
      { ...ARGO, plural: 'applications', name: 'snd-acme-api', body: { metadata: { annotations } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

  describe('when git is read', () => {
    // argo-cd controller/appcontroller.go needRefreshAppStatus: git is re-read when the comparison expired (timeout.reconciliation, 120 s by default)
    it('does not see a new commit before the reconciliation interval, by default 120 s', async () => {
      await start();
      createProject({ clusterResourceWhitelist: [] });
      createApplication();
      await emulator.settled();
      const first = (await getApp()).status.sync.revision;
      expect(deployedImage()).toBe('api:1');

      const second = await commit('api:2');
      // A change to the Application that asks for no refresh compares against the commit read before.
      await custom.patchNamespacedCustomObject(
        { ...ARGO, plural: 'applications', name: 'snd-acme-api', body: { metadata: { labels: { touched: 'yes' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await emulator.settled();

      const app = await getApp();
      expect(second).not.toBe(first);
      expect(app.metadata.labels.touched).toBe('yes');
      expect(app.status.sync).toMatchObject({ status: 'Synced', revision: first });
      expect(deployedImage()).toBe('api:1');
    });

    // argo-cd pkg/apis/application/v1alpha1/application_annotations.go AnnotationKeyRefresh; controller/appcontroller.go handleRefreshAnnotation removes it
    it('reads git at once when the refresh annotation is set, syncs, and removes the annotation', async () => {
      await start();
      createProject({});
      createApplication();
      await emulator.settled();
      const second = await commit('api:2');

      await annotate({ 'argocd.argoproj.io/refresh': 'normal' });
      await emulator.settled();

      const app = await getApp();
      expect(app.status.sync).toMatchObject({ status: 'Synced', revision: second });
      expect(app.status.history.map((h: { revision: string }) => h.revision)).toContain(second);
      expect(app.metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
      expect(deployedImage()).toBe('api:2');
    });

    // argo-cd controller/appcontroller.go: the informer resync plus statusRefreshJitter; docs/operator-manual/argocd-cm.yaml timeout.reconciliation
    it('sees a new commit by itself once the (shortened) reconciliation interval has passed', async () => {
      await start({ argoReconcileMs: 200, argoReconcileJitterMs: 0 });
      createProject({});
      createApplication();
      await emulator.settled();
      const second = await commit('api:2');

      // No refresh is asked for: the periodic one finds the commit.
      for (let app = await getApp(); app.status.sync.revision !== second; app = await getApp()) {
        await emulator.settled();
        await new Promise(resolve => setImmediate(resolve));
      }
      await emulator.settled();
      expect(deployedImage()).toBe('api:2');
    });
  });

  describe('AppProject enforcement', () => {
    // argo-cd util/argo/argo.go ValidatePermissions: "application repo %s is not permitted in project '%s'"
    it('refuses a source repository the project does not list, and syncs nothing', async () => {
      await start();
      createProject({ sourceRepos: [`${emulator.github.url}/acme/other.git`] });
      createApplication();
      await emulator.settled();

      const app = await getApp();
      expect(app.status.sync.status).toBe('Unknown');
      expect(app.status.conditions).toEqual([
        expect.objectContaining({
          type: 'InvalidSpecError',
          message: `application repo ${emulator.github.url}/acme/acme-gitops.git is not permitted in project 'acme'`,
        }),
      ]);
      expect(deployedImage()).toBeUndefined();
    });

    // argo-cd util/argo/argo.go ValidatePermissions: "... do not match any of the allowed destinations in project '%s'"
    it('refuses a destination the project does not list', async () => {
      await start();
      createProject({ destinations: [{ server: IN_CLUSTER, namespace: 'prd-acme' }] });
      createApplication();
      await emulator.settled();

      const app = await getApp();
      expect(app.status.conditions).toEqual([
        expect.objectContaining({
          type: 'InvalidSpecError',
          message: `application destination server '${IN_CLUSTER}' and namespace 'snd-acme' do not match any of the allowed destinations in project 'acme'`,
        }),
      ]);
      expect(deployedImage()).toBeUndefined();
    });

    // argo-cd controller/appcontroller.go projectErrorToCondition
    it('refuses an Application whose project does not exist', async () => {
      await start();
      createApplication({ project: 'nope' });
      await emulator.settled();
      expect((await getApp()).status.conditions).toEqual([
        expect.objectContaining({ type: 'InvalidSpecError', message: 'Application referencing project nope which does not exist' }),
      ]);
    });

    // argo-cd controller/sync.go validateSyncPermissions; gitops-engine/pkg/sync/sync_context.go "one or more synchronization tasks are not valid"
    it('applies nothing of a sync that holds a kind the project forbids, and says which', async () => {
      await start();
      createProject({
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }],
        namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }],
      });
      await commit('', 'apps/api/role.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sneaky\n');
      await commit('', 'apps/api/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n');
      await commit('', 'apps/api/kustomization.yaml', 'resources:\n  - deployment.yaml\n  - role.yaml\n  - secret.yaml\n');
      createApplication();
      await emulator.settled();

      const app = await getApp();
      const message =
        'one or more synchronization tasks are not valid: resource :Namespace is not permitted in project acme; resource :Secret is not permitted in project acme';
      expect(app.status.operationState).toMatchObject({ phase: 'Failed', message });
      expect(app.status.sync.status).toBe('OutOfSync');
      expect(app.status.conditions).toEqual([
        expect.objectContaining({ type: 'SyncError', message: `Failed last sync attempt to [${app.status.sync.revision}]: ${message}` }),
      ]);
      expect(deployedImage()).toBeUndefined();
      expect(emulator.kubernetes.list('namespaces').map(n => n.metadata.name)).not.toContain('sneaky');
    });
  });
});
