import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type KubeObject, type RunningEmulator } from '../../index';

/**
 * kpack and Argo CD read a private repository only with the credential their
 * own Secrets give, as the git host checks it. Each test names the upstream file it follows.
 */

const IN_CLUSTER = 'https://kubernetes.default.svc';
const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: api:1\n';

const base64 = (value: string) => Buffer.from(value).toString('base64');

describe('emulated kpack and Argo CD read private repositories with their Secrets', () => {
  let emulator: RunningEmulator;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeEach(async () => {
    emulator = await startEmulator();
    const kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    for (const name of ['ci-acme', 'snd-acme', 'argocd']) await core.createNamespace({ body: { metadata: { name } } });
    emulator.harbor.api.createProject('acme', {});
  });

  afterEach(() => emulator.stop());

  describe('kpack', () => {
    const host = () => new URL(emulator.github.url).host;

    async function givenPrivateSource() {
      await emulator.github.api.createRepository('acme', 'api', { private: true, files: { 'app.py': 'print(1)\n' } });
      return (await emulator.git.resolve('github/acme/api.git', 'main'))!;
    }

    async function givenBuilderAccount(password?: string, annotation = `https://${host()}`) {
      if (password !== undefined) {
        await core.createNamespacedSecret({
          namespace: 'ci-acme',
          body: {
            metadata: { name: 'git-read', annotations: { 'kpack.io/git': annotation } },
            type: 'kubernetes.io/basic-auth',
            data: { username: base64('x-access-token'), password: base64(password) },
          },
        });
      }
      await core.createNamespacedServiceAccount({
        namespace: 'ci-acme',
        body: { metadata: { name: 'builder' }, secrets: password !== undefined ? [{ name: 'git-read' }] : [] },
      });
    }

    async function createImage() {
      await custom.createNamespacedCustomObject({
        group: 'kpack.io',
        version: 'v1alpha2',
        namespace: 'ci-acme',
        plural: 'images',
        body: {
          apiVersion: 'kpack.io/v1alpha2',
          kind: 'Image',
          metadata: { name: 'api' },
          spec: {
            tag: `${new URL(emulator.harbor.url).host}/acme/api:latest`,
            serviceAccountName: 'builder',
            source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } },
          },
        },
      });
      await emulator.settled();
      const resolver = emulator.kubernetes.list('sourceresolvers', 'ci-acme')[0];
      const builds = emulator.kubernetes.list('builds', 'ci-acme');
      return { resolver, builds };
    }

    const succeeded = (build: KubeObject): string | undefined =>
      build.status?.conditions?.find((c: { type: string }) => c.type === 'Succeeded')?.status;

    // kpack pkg/git/remote_git_resolver.go: a listing the host refuses resolves to type Unknown (kept, not polled), and
    // pkg/git/fetch.go: the build pod then fails to fetch the revision
    it.each([
      ['no Secret on the service account', undefined, undefined],
      ['a Secret with a token the host refuses', 'not-a-token', undefined],
      ['a Secret annotated for another host', 'TOKEN', 'https://github.com'],
    ])('builds nothing from a private repository with %s', async (_case, password, annotation) => {
      await givenPrivateSource();
      await givenBuilderAccount(password === 'TOKEN' ? emulator.token : password, annotation);
      const { resolver, builds } = await createImage();

      expect(resolver.status.source.git).toEqual({ url: `${emulator.github.url}/acme/api.git`, revision: 'main', type: 'Unknown' });
      expect(resolver.status.conditions).toEqual([
        { type: 'Ready', status: 'True' },
        { type: 'ActivePolling', status: 'False' },
      ]);
      expect(builds.map(succeeded)).toEqual(['False']);
      const log = await core.readNamespacedPodLog({ namespace: 'ci-acme', name: `${builds[0].metadata.name}-build-pod`, container: 'prepare' });
      expect(log).toContain('unable to fetch references for repository: authentication required');
      expect(emulator.harbor.api.hasArtifact('acme', 'api', 'latest')).toBe(false);
    });

    // kpack pkg/git/k8s_git_keychain.go: the service account's basic-auth Secret annotated kpack.io/git with the host
    it('builds the resolved commit with the service account’s kpack.io/git Secret', async () => {
      const commit = await givenPrivateSource();
      await givenBuilderAccount(emulator.token);
      const { resolver, builds } = await createImage();

      expect(resolver.status.source.git).toMatchObject({ revision: commit, type: 'Branch' });
      expect(builds.map(b => [b.spec.source.git.revision, succeeded(b)])).toEqual([[commit, 'True']]);
    });
  });

  describe('Argo CD', () => {
    const repoUrl = () => `${emulator.github.url}/acme/acme-gitops.git`;

    async function givenPrivateGitOps() {
      await emulator.github.api.createRepository('acme', 'acme-gitops', {
        private: true,
        files: { 'apps/api/kustomization.yaml': 'resources:\n  - deployment.yaml\n', 'apps/api/deployment.yaml': DEPLOYMENT },
      });
      for (const project of ['acme', 'other']) {
        emulator.kubernetes.create('appprojects', {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'AppProject',
          metadata: { name: project, namespace: 'argocd' },
          spec: { sourceRepos: [repoUrl()], destinations: [{ server: IN_CLUSTER, namespace: 'snd-acme' }], clusterResourceWhitelist: [] },
        });
      }
    }

    async function repositorySecret(name: string, data: Record<string, string>, type = 'repository') {
      await core.createNamespacedSecret({
        namespace: 'argocd',
        body: {
          metadata: { name, labels: { 'argocd.argoproj.io/secret-type': type } },
          data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64(v)])),
        },
      });
    }

    async function application() {
      await custom.createNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: 'argocd',
        plural: 'applications',
        body: {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'snd-acme-api' },
          spec: {
            project: 'acme',
            source: { repoURL: repoUrl(), path: 'apps/api', targetRevision: 'main' },
            destination: { server: IN_CLUSTER, namespace: 'snd-acme' },
            syncPolicy: { automated: { prune: true } },
          },
        },
      });
      await emulator.settled();
      return (await custom.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications', name: 'snd-acme-api' })).status;
    }

    const comparisonError = {
      type: 'ComparisonError',
      message: expect.stringMatching(/^Failed to load target state: .*rpc error: code = Unknown desc = failed to list refs: authentication required/),
    };

    // argo-cd util/db/repository_secrets.go getRepositorySecret: no repository Secret, so the repo server lists refs anonymously
    it('reports a ComparisonError for a private repository without a repository Secret', async () => {
      await givenPrivateGitOps();
      const status = await application();
      expect(status.sync.status).toBe('Unknown');
      expect(status.conditions).toEqual([expect.objectContaining(comparisonError)]);
      expect(emulator.kubernetes.list('deployments', 'snd-acme')).toEqual([]);
    });

    // argo-cd util/db/repository_secrets.go getRepositorySecret: a Secret of another project is never a fallback
    it('does not use a repository Secret scoped to another project', async () => {
      await givenPrivateGitOps();
      await repositorySecret('repo-other', { url: repoUrl(), project: 'other', username: 'x-access-token', password: emulator.token });
      const status = await application();
      expect(status.sync.status).toBe('Unknown');
      expect(status.conditions).toEqual([expect.objectContaining(comparisonError)]);
    });

    // argo-cd util/db/repository_secrets.go getRepositorySecret (same project first) and docs/operator-manual/argocd-repositories.yaml (project field)
    it('syncs with a repository Secret of the Application’s project', async () => {
      await givenPrivateGitOps();
      await repositorySecret('repo-other', { url: repoUrl(), project: 'other', username: 'x-access-token', password: 'wrong' });
      await repositorySecret('repo-acme', { url: repoUrl().replace(/\.git$/, ''), project: 'acme', username: 'x-access-token', password: emulator.token });
      const status = await application();
      expect(status.sync.status).toBe('Synced');
      expect(status.conditions).toEqual([]);
      expect(emulator.kubernetes.list('deployments', 'snd-acme').map(d => d.metadata.name)).toEqual(['api']);
    });

    // argo-cd util/db/repository_secrets.go getRepositoryCredentialIndex: a repo-creds template by the longest URL prefix
    it('reads with a repo-creds credential template whose URL is a prefix of the repository', async () => {
      await givenPrivateGitOps();
      await repositorySecret('creds-acme', { url: `${emulator.github.url}/acme`, username: 'x-access-token', password: emulator.token }, 'repo-creds');
      const status = await application();
      expect(status.sync.status).toBe('Synced');
    });
  });
});
