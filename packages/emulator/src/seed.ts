import type { RunningEmulator } from './server';

/** The demo project every `scripts/start` begins with. */
export const DEMO = {
  project: 'payments',
  app: 'ledger-api',
  owner: 'payments-team',
} as const;

const LABELS = { 'luban.dev/project': DEMO.project, 'app.kubernetes.io/managed-by': 'luban-backstage' };

const SOURCE_FILES: Record<string, string> = {
  '.python-version': '3.12\n',
  'pyproject.toml': `[project]
name = "ledger-api"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = []

[project.scripts]
app = "ledger_api.main:main"
`,
  'src/ledger_api/__init__.py': '',
  'src/ledger_api/main.py': `from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ledger-api ok\\n")


def main():
    HTTPServer(("", 8080), Handler).serve_forever()
`,
};

const BASE = {
  'apps/ledger-api/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
  'apps/ledger-api/base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger-api
  labels:
    app.kubernetes.io/name: ledger-api
    app.kubernetes.io/part-of: payments
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ledger-api
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ledger-api
    spec:
      serviceAccountName: luban-app
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ledger-api
          image: ledger-api
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`,
  'apps/ledger-api/base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: ledger-api
spec:
  selector:
    app.kubernetes.io/name: ledger-api
  ports:
    - port: 80
      targetPort: 8080
`,
};

function overlay(env: string, image: string): string {
  const [name, digest] = image.split('@');
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
namespace: ${env}-${DEMO.project}
images:
  # written by luban
  - name: ledger-api
    newName: ${name}
    digest: ${digest}
`;
}

/**
 * Loads the demo: the `payments` project with its namespaces, Harbor
 * project, source and GitOps repositories on the emulated GitHub, a kpack
 * Image with two builds, and Argo CD applications where prd runs the first
 * build and snd the second (so prd is one promotion behind).
 */
export async function seedDemo(emulator: RunningEmulator): Promise<void> {
  const k8s = emulator.kubernetes;
  const registry = new URL(emulator.harbor.url).host;
  // The project record luban writes at onboarding (luban-common's LUBAN_PROJECT_RECORD_ANNOTATIONS):
  // who owns the project, and which GitOps repository and Harbor project are its own.
  const record = {
    'luban.dev/owner': `group:default/${DEMO.owner}`,
    'luban.dev/gitops-repository': `${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops`,
    'luban.dev/harbor-project': DEMO.project,
  };
  for (const env of ['ci', 'snd', 'prd']) {
    k8s.create('namespaces', {
      metadata: {
        name: `${env}-${DEMO.project}`,
        labels: { ...LABELS, 'luban.dev/environment': env, 'pod-security.kubernetes.io/enforce': 'restricted' },
        ...(env === 'ci' ? { annotations: record } : {}),
      },
    });
  }
  k8s.create('namespaces', { metadata: { name: 'argocd' } });
  k8s.create('clusterbuilders', {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'ClusterBuilder',
    metadata: { name: 'luban-builder' },
    spec: { tag: `${registry}/luban/builder`, order: [{ group: [{ id: 'luban-ci/python-uv' }] }] },
  });
  emulator.harbor.api.createProject(DEMO.project, { auto_scan: 'true', severity: 'critical' });

  const source = await emulator.github.api.createRepository(DEMO.project, DEMO.app, {
    files: SOURCE_FILES,
    description: 'The ledger API of the payments project',
  });
  await emulator.github.api.createRepository(DEMO.project, `${DEMO.project}-gitops`, {
    files: { 'README.md': '# payments GitOps\n' },
    description: 'What runs where, for the payments project',
  });

  k8s.create('images', {
    apiVersion: 'kpack.io/v1alpha2',
    kind: 'Image',
    metadata: { name: DEMO.app, namespace: `ci-${DEMO.project}`, labels: { ...LABELS, 'luban.dev/app': DEMO.app } },
    spec: {
      tag: `${registry}/${DEMO.project}/${DEMO.app}:latest`,
      serviceAccountName: 'luban-builder',
      builder: { kind: 'ClusterBuilder', name: 'luban-builder' },
      source: { git: { url: source.clone_url, revision: 'main' } },
      imageTaggingStrategy: 'BuildNumber',
    },
  });
  await emulator.settled();
  const sourceRepo = `github/${DEMO.project}/${DEMO.app}.git`;
  await emulator.git.commit(sourceRepo, {
    branch: 'main',
    message: 'Return the balance of an account',
    changes: [{ path: 'src/ledger_api/balance.py', content: 'def balance(account):\n    return 0\n' }],
    author: { name: 'Ada Payments', email: 'ada@payments.example' },
  });
  await emulator.settled();
  const builds = k8s
    .list('builds', `ci-${DEMO.project}`)
    .sort((a, b) => Number(a.metadata.labels?.['image.kpack.io/buildNumber']) - Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
  const [first, second] = builds.map(build => build.status?.latestImage as string);

  const gitops = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
  const step = async (message: string, files: Record<string, string>) => {
    const head = await emulator.git.resolve(gitops, 'main');
    await emulator.git.commit(gitops, {
      branch: 'main',
      expectedSha: head,
      message,
      changes: Object.entries(files).map(([path, content]) => ({ path, content })),
      author: { name: 'luban', email: 'luban@luban.invalid' },
    });
  };
  await step(`Add ${DEMO.app}`, { ...BASE, 'apps/ledger-api/overlays/snd/kustomization.yaml': overlay('snd', first) });
  await step(`Promote ${DEMO.app} to prd (${first.split('@')[1].slice(7, 19)})`, {
    'apps/ledger-api/overlays/prd/kustomization.yaml': overlay('prd', first),
  });
  await step(`Deploy ${DEMO.app} build 2 to snd`, { 'apps/ledger-api/overlays/snd/kustomization.yaml': overlay('snd', second) });

  const gitopsUrl = `${emulator.github.url}/${DEMO.project}/${DEMO.project}-gitops.git`;
  k8s.create('appprojects', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: DEMO.project, namespace: 'argocd', labels: LABELS },
    spec: {
      sourceRepos: [gitopsUrl],
      destinations: ['snd', 'prd'].map(env => ({ server: 'https://kubernetes.default.svc', namespace: `${env}-${DEMO.project}` })),
      clusterResourceWhitelist: [],
    },
  });
  for (const env of ['snd', 'prd']) {
    k8s.create('applications', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: `${env}-${DEMO.project}-${DEMO.app}`,
        namespace: 'argocd',
        labels: { ...LABELS, 'luban.dev/app': DEMO.app, 'luban.dev/environment': env },
      },
      spec: {
        project: DEMO.project,
        source: { repoURL: gitopsUrl, path: `apps/${DEMO.app}/overlays/${env}`, targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: `${env}-${DEMO.project}` },
        syncPolicy: env === 'snd' ? { automated: { prune: true, selfHeal: true } } : {},
      },
      // prd is synced by hand: this sync operation runs now.
      ...(env === 'prd' ? { operation: { sync: { revision: 'main' }, initiatedBy: { username: 'guest' } } } : {}),
    });
  }
  await emulator.settled();
}
