import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

import { get as httpsGet, type RequestOptions } from 'node:https';
import { startEmulator, type RunningEmulator } from './index';

import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';

/**
 * Every object the emulated API server answers with must pass the
 * published schemas (kubernetes-models, generated from the OpenAPI of
 * Kubernetes and Argo CD): what a controller writes (status), what the
 * server adds (metadata) and what clients send.
 */
describe('objects served by the emulated API server pass the published schemas', () => {
  let emulator: RunningEmulator;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let kc: KubeConfig;

  beforeAll(async () => {
    emulator = await startEmulator();
    kc = new KubeConfig();
    kc.loadFromString(emulator.kubernetes.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);

    const registry = new URL(emulator.harbor.url).host;
    for (const name of ['ci-acme', 'snd-acme', 'argocd']) {
      await core.createNamespace({ body: { metadata: { name, labels: { 'luban.dev/project': 'acme' } } } });
    }
    await core.createNamespacedServiceAccount({ namespace: 'ci-acme', body: { metadata: { name: 'luban-builder' }, secrets: [{ name: 'harbor-acme' }], imagePullSecrets: [{ name: 'harbor-acme' }] } });
    await core.createNamespacedSecret({ namespace: 'ci-acme', body: { metadata: { name: 'harbor-acme' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') } } });
    await core.createNamespacedConfigMap({ namespace: 'snd-acme', body: { metadata: { name: 'settings' }, data: { a: 'b' } } });
    await core.createNamespacedResourceQuota({ namespace: 'snd-acme', body: { metadata: { name: 'luban-quota' }, spec: { hard: { pods: '10', 'requests.cpu': '4' } } } });
    await core.createNamespacedLimitRange({ namespace: 'snd-acme', body: { metadata: { name: 'luban-limits' }, spec: { limits: [{ type: 'Container', _default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] } } });
    await custom.createNamespacedCustomObject({
      group: 'rbac.authorization.k8s.io', version: 'v1', namespace: 'snd-acme', plural: 'rolebindings',
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'owner' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team' }] },
    });

    await fetch(`${emulator.harbor.url}/api/v2.0/projects`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`admin:${emulator.token}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ project_name: 'acme' }),
    });
    await emulator.git.create('github/acme/api.git');
    await emulator.git.commit('github/acme/api.git', { branch: 'main', message: 'init', changes: [{ path: 'app.py', content: 'print(1)\n' }] });
    await custom.createNamespacedCustomObject({
      group: 'kpack.io', version: 'v1alpha2', namespace: 'ci-acme', plural: 'images',
      body: { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', metadata: { name: 'api' }, spec: { tag: `${registry}/acme/api:latest`, source: { git: { url: `${emulator.github.url}/acme/api.git`, revision: 'main' } } } },
    });
    await emulator.settled();
    const build = await custom.getNamespacedCustomObject({ group: 'kpack.io', version: 'v1alpha2', namespace: 'ci-acme', plural: 'builds', name: 'api-build-1' });

    await emulator.git.create('github/acme/acme-gitops.git');
    await emulator.git.commit('github/acme/acme-gitops.git', {
      branch: 'main',
      message: 'deploy',
      changes: [
        { path: 'apps/api/overlays/snd/kustomization.yaml', content: `resources: [deployment.yaml]\nimages:\n  - name: api\n    newName: ${build.status.latestImage.split('@')[0]}\n    digest: ${build.status.latestImage.split('@')[1]}\n` },
        { path: 'apps/api/overlays/snd/deployment.yaml', content: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: api, image: api}]}\n' },
      ],
    });
    await custom.createNamespacedCustomObject({
      group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'appprojects',
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'acme' }, spec: { sourceRepos: [`${emulator.github.url}/acme/acme-gitops.git`], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'snd-acme' }] } },
    });
    await custom.createNamespacedCustomObject({
      group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications',
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'snd-acme-api' }, spec: { project: 'acme', source: { repoURL: `${emulator.github.url}/acme/acme-gitops.git`, path: 'apps/api/overlays/snd', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'snd-acme' }, syncPolicy: { automated: { prune: true, selfHeal: true } } } },
    });
    await emulator.settled();
  });
  afterAll(() => emulator.stop());

  /** GETs an object exactly as the API server serves it (no client-side model mapping). */
  const read = async (group: string, version: string, plural: string, namespace: string | undefined, name: string) => {
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}/${name}`;
    const options: RequestOptions = { method: 'GET', headers: {} };
    await kc.applyToHTTPSOptions(options);
    return new Promise<any>((resolve, reject) => {
      httpsGet(`${emulator.kubernetes.url}${path}`, options, res => {
        let body = '';
        res.on('data', chunk => {
          body += chunk;
        });
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode} ${body}`))));
      }).on('error', reject);
    });
  };

  it.each([
    ['Namespace', () => read('', 'v1', 'namespaces', undefined, 'ci-acme'), Namespace],
    ['ServiceAccount', () => read('', 'v1', 'serviceaccounts', 'ci-acme', 'luban-builder'), ServiceAccount],
    ['Secret', () => read('', 'v1', 'secrets', 'ci-acme', 'harbor-acme'), Secret],
    ['ConfigMap', () => read('', 'v1', 'configmaps', 'snd-acme', 'settings'), ConfigMap],
    ['ResourceQuota', () => read('', 'v1', 'resourcequotas', 'snd-acme', 'luban-quota'), ResourceQuota],
    ['LimitRange', () => read('', 'v1', 'limitranges', 'snd-acme', 'luban-limits'), LimitRange],
    ['RoleBinding', () => read('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'snd-acme', 'owner'), RoleBinding],
    ['build Pod (written by the kpack controller)', () => read('', 'v1', 'pods', 'ci-acme', 'api-build-1-build-pod'), Pod],
    ['Deployment (applied by the Argo CD controller)', () => read('apps', 'v1', 'deployments', 'snd-acme', 'api'), Deployment],
    ['Application (with the Argo CD controller status)', () => read('argoproj.io', 'v1alpha1', 'applications', 'argocd', 'snd-acme-api'), Application],
    ['AppProject', () => read('argoproj.io', 'v1alpha1', 'appprojects', 'argocd', 'acme'), AppProject],
  ] as const)('%s', async (_kind, get, Model: any) => {
    const object = await get();
    expect(object.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(() => new Model(object).validate()).not.toThrow();
  });

  it('writes a Succeeded kpack Build whose status has the fields kpack documents', async () => {
    const build = await read('kpack.io', 'v1alpha2', 'builds', 'ci-acme', 'api-build-1');
    expect(Object.keys(build.status).sort()).toEqual(
      ['buildMetadata', 'conditions', 'latestCacheImage', 'latestImage', 'lifecycleVersion', 'podName', 'stack', 'stepStates', 'stepsCompleted'].sort(),
    );
    const app = await read('argoproj.io', 'v1alpha1', 'applications', 'argocd', 'snd-acme-api');
    expect(app.status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' } });
  });
});
