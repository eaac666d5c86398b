/** A demo project: one team's project with one app. */
export interface DemoProject {
  /** The project's name: its namespaces are `ci-`, `snd-` and `prd-<project>`. */
  readonly project: string;
  /** The project's one app: its source repository, kpack Image and Argo CD applications. */
  readonly app: string;
  /** The group that owns the project, as the project record names it. */
  readonly owner: string;
}

/** The Python package of an app: `ledger-api` ships `ledger_api`. */
export function pythonModuleOf(app: string): string {
  return app.replace(/-/g, '_');
}

/** The files of an app's source repository: a small Python HTTP service that answers "<app> ok". */
export function sourceFiles({ app }: DemoProject): Record<string, string> {
  const module = pythonModuleOf(app);
  return {
    '.python-version': '3.12\n',
    'pyproject.toml': `[project]
name = "${app}"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = []

[project.scripts]
app = "${module}.main:main"
`,
    [`src/${module}/__init__.py`]: '',
    [`src/${module}/main.py`]: `from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"${app} ok\\n")


def main():
    HTTPServer(("", 8080), Handler).serve_forever()
`,
  };
}

/** The manifests every environment of an app shares, by path in the project's GitOps repository. */
export function baseManifests({ project, app }: DemoProject): Record<string, string> {
  return {
    [`apps/${app}/base/kustomization.yaml`]: 'resources:\n  - deployment.yaml\n  - service.yaml\n',
    [`apps/${app}/base/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  labels:
    app.kubernetes.io/name: ${app}
    app.kubernetes.io/part-of: ${project}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app}
    spec:
      serviceAccountName: luban-app
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: ${app}
          image: ${app}
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
`,
    [`apps/${app}/base/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: ${app}
spec:
  selector:
    app.kubernetes.io/name: ${app}
  ports:
    - port: 80
      targetPort: 8080
`,
  };
}

/** Where an app's overlay for an environment lives in the project's GitOps repository. */
export function overlayPath(app: string, env: string): string {
  return `apps/${app}/overlays/${env}/kustomization.yaml`;
}

/** An environment's overlay: the base in the environment's namespace, running `image` (`<name>@<digest>`). */
export function overlay({ project, app }: DemoProject, env: string, image: string): string {
  const [name, digest] = image.split('@');
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
namespace: ${env}-${project}
images:
  # written by luban
  - name: ${app}
    newName: ${name}
    digest: ${digest}
`;
}
