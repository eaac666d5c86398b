import { posix } from 'node:path';
import {
  APP_SERVICE_ACCOUNT,
  environmentNamespaceName,
  gitopsAppPath,
  gitopsOverlayPath,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { stringify } from 'yaml';

/** The files of an app in the project GitOps repository, by path. */
export function gitopsAppFiles(options: {
  project: string;
  app: string;
  imageRepository: string;
  port: number;
  environments: LubanEnvironment[];
}): Record<string, string> {
  const { project, app, imageRepository, port } = options;
  const base = `${gitopsAppPath(app)}/base`;
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': project };
  const files: Record<string, string> = {
    [`${base}/kustomization.yaml`]: stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['deployment.yaml', 'service.yaml'],
    }),
    [`${base}/deployment.yaml`]: stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': app } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: APP_SERVICE_ACCOUNT,
            // The buildpack stack runs as cnb (1000:1000); restricted Pod Security needs the rest.
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: app,
                image: app,
                ports: [{ name: 'http', containerPort: port }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    }),
    [`${base}/service.yaml`]: stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, labels },
      spec: { selector: { 'app.kubernetes.io/name': app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    }),
  };
  options.environments.forEach((env, index) => {
    const overlay = gitopsOverlayPath(app, env.name, env.overlayPathPattern);
    files[overlay] = stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [posix.relative(posix.dirname(overlay), base)],
      namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
      // luban writes the digest here on every successful build (first environment) or promotion.
      images: [{ name: app, newName: imageRepository }],
      ...(index > 0 ? { replicas: [{ name: app, count: 2 }] } : {}),
    });
  });
  return files;
}
