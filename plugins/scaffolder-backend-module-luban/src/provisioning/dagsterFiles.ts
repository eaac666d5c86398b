import { posix } from 'node:path';
import {
  environmentNamespaceName,
  gitopsAppPath,
  gitopsOverlayDirectory,
  imagePullSecretName,
  LUBAN_GITOPS_REPO_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  type LubanEnvironment,
} from '@luban-backstage/plugin-luban-common';
import { stringify } from 'yaml';

/** The platform's name in the GitOps repository (`apps/dagster`) and in Argo CD (`<env>-<project>-dagster`). */
export const DAGSTER_PLATFORM_APP = 'dagster';
/** The Secret with the PostgreSQL password, created in each namespace by luban, never in git. */
export const DAGSTER_POSTGRES_SECRET = 'dagster-postgresql';
/** Its key; the name Dagster's K8sRunLauncher expects of `postgres_password_secret`. */
export const DAGSTER_POSTGRES_PASSWORD_KEY = 'postgresql-password';
/** The ServiceAccount of the webserver, the daemon and the runs they launch. */
export const DAGSTER_SERVICE_ACCOUNT = 'dagster';
/** The Role that lets the run launcher create run Jobs and follow their pods. */
export const DAGSTER_RUN_LAUNCHER_ROLE = 'dagster-run-launcher';
/** The port code servers listen on, as in Dagster's own Helm chart. */
export const DAGSTER_CODE_SERVER_PORT = 3000;
/** Dagster's image with the webserver, the daemon, dagster-postgres and dagster-k8s. */
export const DEFAULT_DAGSTER_IMAGE = 'docker.io/dagster/dagster-celery-k8s:1.13.27';
export const DEFAULT_POSTGRES_IMAGE = 'docker.io/library/postgres:16';

const INSTANCE_CONFIG_MAP = 'dagster-instance';
const WORKSPACE_CONFIG_MAP = 'dagster-workspace';
const DAGSTER_HOME = '/opt/dagster/dagster_home';
const WORKSPACE_DIR = '/opt/dagster/workspace';
const WEBSERVER = 'dagster-webserver';
const DAEMON = 'dagster-daemon';
const POSTGRES = 'dagster-postgresql';

/** Where the Gateway API route of each environment attaches (`luban.gateway`). */
export interface GatewaySettings {
  name: string;
  namespace: string;
  /** Hosts are `<env>-<project>-dagster.<domainSuffix>`, and `<project>-dagster.<domainSuffix>` in the last environment. */
  domainSuffix: string;
}

/** An environment, as far as where its overlay lives. */
type OverlayEnvironment = Pick<LubanEnvironment, 'name' | 'overlayPathPattern'>;

/** The folder of an environment's overlay of the platform: where apps' overlays are, so Argo CD reads it. */
function overlayDir(env: OverlayEnvironment): string {
  return gitopsOverlayDirectory(DAGSTER_PLATFORM_APP, env.name, env.overlayPathPattern);
}

/** The Dagster workspace file of an environment: the code locations its webserver and daemon load. */
export function dagsterWorkspacePath(env: OverlayEnvironment): string {
  return `${overlayDir(env)}/workspace.yaml`;
}

/** The catalog descriptor of the platform, for `catalog:register`. */
export function dagsterCatalogPath(): string {
  return `${gitopsAppPath(DAGSTER_PLATFORM_APP)}/catalog-info.yaml`;
}

/**
 * The web UI's host in each environment: the last (production) environment
 * gets the short name, as apps do on the platform.
 */
export function dagsterHostnames(project: string, environments: LubanEnvironment[], domainSuffix: string): Record<string, string> {
  return Object.fromEntries(
    environments.map((env, index) => [
      env.name,
      index === environments.length - 1 && environments.length > 1
        ? `${project}-dagster.${domainSuffix}`
        : `${env.name}-${project}-dagster.${domainSuffix}`,
    ]),
  );
}

const documents = (...objects: unknown[]) => objects.map(o => stringify(o)).join('---\n');

/** Restricted Pod Security: non-root, no privilege escalation, no capabilities, the runtime's seccomp profile. */
const podSecurity = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: 'RuntimeDefault' },
});
const containerSecurity = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
const resources = (memory: string) => ({ requests: { cpu: '100m', memory }, limits: { cpu: '1', memory: '1Gi' } });

/** The environment every Dagster process of the platform shares. */
const dagsterEnv = [
  { name: 'DAGSTER_HOME', value: DAGSTER_HOME },
  { name: 'HOME', value: '/tmp' },
  { name: 'DAGSTER_PG_PASSWORD', valueFrom: { secretKeyRef: { name: DAGSTER_POSTGRES_SECRET, key: DAGSTER_POSTGRES_PASSWORD_KEY } } },
];
const dagsterVolumes = [
  { name: 'instance', configMap: { name: INSTANCE_CONFIG_MAP } },
  { name: 'workspace', configMap: { name: WORKSPACE_CONFIG_MAP } },
  { name: 'tmp', emptyDir: {} },
];
const dagsterMounts = [
  { name: 'instance', mountPath: DAGSTER_HOME, readOnly: true },
  { name: 'workspace', mountPath: WORKSPACE_DIR, readOnly: true },
  { name: 'tmp', mountPath: '/tmp' },
];

function dagsterDeployment(name: string, project: string, image: string, container: Record<string, unknown>, replicas = 1) {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': `${project}-dagster` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      // The daemon must run once: never two at a time during a rollout.
      strategy: name === DAEMON ? { type: 'Recreate' } : { type: 'RollingUpdate' },
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: DAGSTER_SERVICE_ACCOUNT,
          securityContext: podSecurity(1000),
          containers: [
            {
              name,
              image,
              env: dagsterEnv,
              volumeMounts: dagsterMounts,
              securityContext: containerSecurity,
              resources: resources('512Mi'),
              ...container,
            },
          ],
          volumes: dagsterVolumes,
        },
      },
    },
  };
}

/** The instance configuration (`dagster.yaml`) of one environment. */
function instanceConfig(project: string, namespace: string): string {
  return stringify({
    telemetry: { enabled: false },
    storage: {
      postgres: {
        postgres_db: {
          hostname: POSTGRES,
          port: 5432,
          db_name: 'dagster',
          username: 'dagster',
          password: { env: 'DAGSTER_PG_PASSWORD' },
        },
      },
    },
    run_coordinator: {
      module: 'dagster.core.run_coordinator',
      class: 'QueuedRunCoordinator',
      config: { max_concurrent_runs: 10 },
    },
    // Each run is a Kubernetes Job in the environment's namespace, on the code location's image.
    run_launcher: {
      module: 'dagster_k8s',
      class: 'K8sRunLauncher',
      config: {
        instance_config_map: INSTANCE_CONFIG_MAP,
        postgres_password_secret: DAGSTER_POSTGRES_SECRET,
        dagster_home: DAGSTER_HOME,
        job_namespace: namespace,
        service_account_name: DAGSTER_SERVICE_ACCOUNT,
        load_incluster_config: true,
        image_pull_policy: 'IfNotPresent',
        image_pull_secrets: [{ name: imagePullSecretName(project) }],
        run_k8s_config: {
          pod_spec_config: {
            security_context: {
              run_as_non_root: true,
              run_as_user: 1000,
              run_as_group: 1000,
              seccomp_profile: { type: 'RuntimeDefault' },
            },
          },
          container_config: {
            security_context: { allow_privilege_escalation: false, capabilities: { drop: ['ALL'] } },
            resources: resources('512Mi'),
          },
        },
      },
    },
    scheduler: { module: 'dagster.core.scheduler', class: 'DagsterDaemonScheduler' },
    compute_logs: { module: 'dagster.core.storage.noop_compute_log_manager', class: 'NoOpComputeLogManager' },
    local_artifact_storage: {
      module: 'dagster.core.storage.root',
      class: 'LocalArtifactStorage',
      config: { base_dir: '/tmp/dagster' },
    },
  });
}

/** The catalog descriptor of the platform: a Resource with a link to the web UI of each environment. */
function catalogDescriptor(options: { project: string; owner: string; gitopsWebUrl: string; environments: LubanEnvironment[]; hostnames: Record<string, string> }) {
  const { project, hostnames } = options;
  return stringify({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `${project}-dagster`,
      title: `Dagster of ${project}`,
      description: `The Dagster platform of the luban project ${project}: its web UI, daemon and run storage in every environment.`,
      annotations: {
        [LUBAN_PROJECT_ANNOTATION]: project,
        [LUBAN_GITOPS_REPO_ANNOTATION]: options.gitopsWebUrl,
      },
      tags: ['dagster', 'luban'],
      links: options.environments.map(env => ({ url: `https://${hostnames[env.name]}`, title: `Dagster (${env.name})` })),
    },
    spec: { type: 'dagster-platform', owner: options.owner, system: project },
  });
}

/** The webserver and its Service, with the daemon, sharing the instance and the workspace. */
function dagsterProcesses(project: string, dagsterImage: string): { webserver: string; daemon: string } {
  const workspaceArgs = ['-w', `${WORKSPACE_DIR}/workspace.yaml`];
  return {
    webserver: documents(
      dagsterDeployment(WEBSERVER, project, dagsterImage, {
        command: ['dagster-webserver'],
        args: ['-h', '0.0.0.0', '-p', '3000', ...workspaceArgs],
        ports: [{ name: 'http', containerPort: 3000 }],
        readinessProbe: { httpGet: { path: '/server_info', port: 'http' }, periodSeconds: 10, timeoutSeconds: 5 },
      }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: WEBSERVER, labels: { 'app.kubernetes.io/name': WEBSERVER } },
        spec: { selector: { 'app.kubernetes.io/name': WEBSERVER }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    ),
    daemon: documents(dagsterDeployment(DAEMON, project, dagsterImage, { command: ['dagster-daemon'], args: ['run', ...workspaceArgs] })),
  };
}

/** The container of the platform's PostgreSQL, its password from the Secret luban creates. */
function postgresContainer(image: string) {
  return {
    name: 'postgresql',
    image,
    env: [
      { name: 'POSTGRES_USER', value: 'dagster' },
      { name: 'POSTGRES_DB', value: 'dagster' },
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      {
        name: 'POSTGRES_PASSWORD',
        valueFrom: { secretKeyRef: { name: DAGSTER_POSTGRES_SECRET, key: DAGSTER_POSTGRES_PASSWORD_KEY } },
      },
    ],
    ports: [{ name: 'postgresql', containerPort: 5432 }],
    readinessProbe: { exec: { command: ['pg_isready', '-U', 'dagster', '-d', 'dagster'] }, periodSeconds: 10 },
    securityContext: containerSecurity,
    resources: resources('256Mi'),
    volumeMounts: [
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
      { name: 'run', mountPath: '/var/run/postgresql' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

/** The platform's PostgreSQL: a StatefulSet with its volume, and a headless Service. */
function postgresql(project: string, image: string): string {
  const labels = { 'app.kubernetes.io/name': POSTGRES, 'app.kubernetes.io/part-of': `${project}-dagster` };
  return documents(
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: POSTGRES, labels },
      spec: {
        serviceName: POSTGRES,
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': POSTGRES } },
        template: {
          metadata: { labels },
          spec: {
            // The postgres user of the official image.
            securityContext: podSecurity(999),
            containers: [postgresContainer(image)],
            volumes: [
              { name: 'run', emptyDir: {} },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: POSTGRES, labels },
      spec: {
        clusterIP: 'None',
        selector: { 'app.kubernetes.io/name': POSTGRES },
        ports: [{ name: 'postgresql', port: 5432, targetPort: 'postgresql' }],
      },
    },
  );
}

/** The overlay of one environment: its namespace, instance configuration, empty workspace and the web UI's route. */
function environmentOverlay(options: {
  project: string;
  env: LubanEnvironment;
  base: string;
  gateway: GatewaySettings;
  hostname: string;
}): Record<string, string> {
  const { project, env, gateway } = options;
  const namespace = environmentNamespaceName(env.name, project, env.namespacePattern);
  const dir = overlayDir(env);
  return {
    [`${dir}/kustomization.yaml`]: stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: [posix.relative(dir, options.base), 'dagster-instance.yaml', 'httproute.yaml'],
      namespace,
      // A changed workspace gets a new ConfigMap name, so the webserver and the daemon restart with it.
      configMapGenerator: [{ name: WORKSPACE_CONFIG_MAP, files: ['workspace.yaml'] }],
    }),
    [dagsterWorkspacePath(env)]: `# The code locations of the ${env.name} environment. luban adds one entry per
# Dagster code location created from the Create page.
load_from: []
`,
    [`${dir}/dagster-instance.yaml`]: stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: INSTANCE_CONFIG_MAP },
      data: { 'dagster.yaml': instanceConfig(project, namespace) },
    }),
    [`${dir}/httproute.yaml`]: stringify({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: WEBSERVER, labels: { 'app.kubernetes.io/name': WEBSERVER } },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace }],
        hostnames: [options.hostname],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: WEBSERVER, port: 80 }] }],
      },
    }),
  };
}

/**
 * The files of a project's Dagster platform in its GitOps repository: the
 * webserver, the daemon and PostgreSQL in `base/`; per environment the
 * instance configuration, the workspace of code locations (empty at first)
 * and the web UI's HTTPRoute. The PostgreSQL password is not among them: a
 * Secret created in each namespace holds it.
 */
export function dagsterPlatformFiles(options: {
  project: string;
  owner: string;
  gitopsWebUrl: string;
  environments: LubanEnvironment[];
  gateway: GatewaySettings;
  dagsterImage: string;
  postgresImage: string;
}): Record<string, string> {
  const { project, environments, gateway } = options;
  const base = `${gitopsAppPath(DAGSTER_PLATFORM_APP)}/base`;
  const hostnames = dagsterHostnames(project, environments, gateway.domainSuffix);
  const processes = dagsterProcesses(project, options.dagsterImage);
  const files: Record<string, string> = {
    [dagsterCatalogPath()]: catalogDescriptor({ ...options, hostnames }),
    [`${base}/kustomization.yaml`]: stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['webserver.yaml', 'daemon.yaml', 'postgresql.yaml'],
    }),
    [`${base}/webserver.yaml`]: processes.webserver,
    [`${base}/daemon.yaml`]: processes.daemon,
    [`${base}/postgresql.yaml`]: postgresql(project, options.postgresImage),
  };
  for (const env of environments) {
    Object.assign(files, environmentOverlay({ project, env, base, gateway, hostname: hostnames[env.name] }));
  }
  return files;
}
