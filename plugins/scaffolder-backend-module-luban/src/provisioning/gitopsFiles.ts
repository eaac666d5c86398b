import { posix } from 'node:path';
import { APP_ROUTE_FILE, appHttpRoute, type GatewayConfig } from '@luban-backstage/plugin-luban-node';
import {
  APP_SERVICE_ACCOUNT,
  environmentNamespaceName,
  gitopsAppPath,
  gitopsOverlayPath,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { stringify } from 'yaml';

/** How an app's container runs, beyond the defaults. */
export interface AppContainerOptions {
  /** `http` (the Service listens on 80) or `grpc` (the Service listens on the container port). Default http. */
  protocol?: 'http' | 'grpc';
  /** Replaces the image's entrypoint. */
  command?: string[];
  /** Arguments to the entrypoint or command. */
  args?: string[];
  /** Fixed environment variables. */
  env?: Record<string, string>;
  /** An environment variable that carries the deployed image reference (set in each overlay). */
  imageEnv?: string;
  /** An HTTP path that answers 200 when the app is ready; probes check it. */
  healthPath?: string;
}

/** The app's address: an HTTPRoute in each environment's overlay, on the environment's host, attached to the Gateway. */
export interface AppRoutes {
  gateway: Pick<GatewayConfig, 'name' | 'namespace'>;
  /** The host of each environment, by its name. */
  hostnames: Record<string, string>;
}

/** The files of an app in the project GitOps repository, by path. */
export function gitopsAppFiles(
  options: {
    project: string;
    app: string;
    imageRepository: string;
    port: number;
    environments: LubanEnvironment[];
    /** Without it the app has no address. */
    routes?: AppRoutes;
  } & AppContainerOptions,
): Record<string, string> {
  const { project, app, port, protocol = 'http', command, args, healthPath, imageEnv } = options;
  const base = `${gitopsAppPath(app)}/base`;
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': project };
  const containerEnv = [
    ...Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value })),
    // A placeholder: each overlay copies the container's image here once kustomize has set it.
    ...(imageEnv ? [{ name: imageEnv, value: app }] : []),
  ];
  const probe = healthPath ? { httpGet: { path: healthPath, port: protocol } } : undefined;
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
                ...(command ? { command } : {}),
                ...(args ? { args } : {}),
                ...(containerEnv.length ? { env: containerEnv } : {}),
                ports: [{ name: protocol, containerPort: port }],
                ...(probe
                  ? { readinessProbe: { ...probe, periodSeconds: 10 }, livenessProbe: { ...probe, periodSeconds: 20, failureThreshold: 6 } }
                  : {}),
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
      spec: {
        selector: { 'app.kubernetes.io/name': app },
        ports: [{ name: protocol, port: protocol === 'http' ? 80 : port, targetPort: protocol }],
      },
    }),
  };
  options.environments.forEach((env, index) => Object.assign(files, overlayFiles({ ...options, base, env, index })));
  return files;
}

/** An environment's overlay, and the app's route beside it when the app has an address. */
function overlayFiles(options: {
  project: string;
  app: string;
  imageRepository: string;
  base: string;
  env: LubanEnvironment;
  index: number;
  imageEnv?: string;
  routes?: AppRoutes;
}): Record<string, string> {
  const { project, app, env, routes, imageEnv } = options;
  const files: Record<string, string> = {};
  const overlay = gitopsOverlayPath(app, env.name, env.overlayPathPattern);
  const hostname = routes?.hostnames[env.name];
  if (routes && hostname) {
    files[posix.join(posix.dirname(overlay), APP_ROUTE_FILE)] = stringify(appHttpRoute({ app, project, hostname, gateway: routes.gateway }));
  }
  files[overlay] = stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [posix.relative(posix.dirname(overlay), options.base), ...(hostname ? [APP_ROUTE_FILE] : [])],
    namespace: environmentNamespaceName(env.name, project, env.namespacePattern),
    // luban writes the digest here on every successful build (first environment) or promotion.
    images: [{ name: app, newName: options.imageRepository }],
    ...(options.index > 0 ? { replicas: [{ name: app, count: 2 }] } : {}),
    ...(imageEnv ? { replacements: [imageEnvReplacement(app, imageEnv)] } : {}),
  });
  return files;
}

/** Copies the container's image, as the overlay's `images:` set it, into an environment variable. */
function imageEnvReplacement(app: string, variable: string) {
  const container = `spec.template.spec.containers.[name=${app}]`;
  return {
    source: { kind: 'Deployment', name: app, fieldPath: `${container}.image` },
    targets: [{ select: { kind: 'Deployment', name: app }, fieldPaths: [`${container}.env.[name=${variable}].value`] }],
  };
}
