import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { readHostnamePattern, type GatewayConfig } from '../gitops/httpRoute';
import { normalizeGroupRef } from '../projects/projectRecord';
import { readLubanEnvironments, readRequestTimeoutMs } from './environments';
import { readLubanReleases, type LubanReleasesConfig } from './releases';

/**
 * How a successful build reaches the first environment (`luban.gitops.autoDeploy`):
 * a commit on the GitOps branch, a pull request, or not at all.
 * @public
 */
export type AutoDeployMode = 'commit' | 'pull-request' | 'off';

/**
 * The build cache volume luban gives new kpack Images (`luban.kpack.cache`).
 * Without a size, luban writes no cache and kpack gives the Image a 2G volume
 * where the cluster has a default StorageClass (and none where it has not).
 * @public
 */
export interface KpackCacheConfig {
  /** `luban.kpack.cache.size` (formerly `luban.kpack.cacheSize`): a quantity such as `2G`; with only a class, 2G. */
  size?: string;
  /** `luban.kpack.cache.storageClassName`: needed where the cluster has no default StorageClass. */
  storageClassName?: string;
}

/**
 * What every project namespace gets unless a template overrides it (`luban.namespaces`).
 * @public
 */
export interface NamespaceDefaults {
  quota: Record<string, string>;
  containerDefaults: {
    limits: Record<string, string>;
    requests: Record<string, string>;
  };
  podSecurity: 'restricted' | 'baseline' | 'privileged';
  /** The owner group's name in Kubernetes RBAC; `{name}` and `{namespace}` are the catalog group's. */
  groupPattern: string;
}

/**
 * The whole `luban.*` configuration, read and checked once, with its defaults.
 * Every luban plugin and module reads configuration through {@link readLubanConfig}.
 * @public
 */
export interface LubanConfig {
  /** `luban.environments`, in promotion order. */
  environments: LubanEnvironment[];
  /** `luban.requestTimeoutSeconds` in milliseconds (default 30 s). */
  requestTimeoutMs: number;
  /** What luban does by itself around releases (`luban.releases`), see {@link LubanReleasesConfig}. */
  releases: LubanReleasesConfig;
  gitops: {
    /** The branch Argo CD reads and luban writes (`luban.gitops.branch`, default `main`). */
    branch: string;
    /** `luban.gitops.autoDeploy`, default `commit`. */
    autoDeploy: AutoDeployMode;
  };
  /** Argo CD's objects of an environment live on the environment's cluster. */
  argocd: {
    /** The namespace of Argo CD's Applications and AppProjects on every cluster (default `argocd`). */
    namespace: string;
    /** The destination server of luban's Applications (default the in-cluster API). */
    destinationServer: string;
    /** Argo CD's web UI, for links. */
    baseUrl?: string;
  };
  /** kpack Images and Builds live on the first cluster (or the one an entity's `luban.dev/cluster` names). */
  kpack: {
    builder: { kind: 'ClusterBuilder' | 'Builder'; name: string };
    /** The build cache volume of new Images (`luban.kpack.cache`), see {@link KpackCacheConfig}. */
    cache: KpackCacheConfig;
  };
  /** The Gateway API gateway apps' routes attach to, and their hosts (`luban.gateway`), see {@link GatewayConfig}. */
  gateway: GatewayConfig;
  webhooks: {
    /** Where git hosts deliver push events: `luban.webhooks.targetBaseUrl`, default `<backend.baseUrl>/api/events/http`. */
    targetBaseUrl: string;
    /**
     * `luban.webhooks.secret`, the secret both hosts shared before each had its own.
     * @deprecated read a provider's secret with {@link webhookSecretOf}.
     */
    secret?: string;
    /** `luban.webhooks.github.secret` (else the deprecated shared one); never logged. */
    github: { secret?: string };
    /** `luban.webhooks.azure.secret` (else the deprecated shared one); never logged. */
    azure: { secret?: string };
  };
  namespaces: NamespaceDefaults;
  permissions: {
    /** `luban.permissions.platformAdmins`: full group refs (lower case) whose members administer the platform. */
    platformAdmins: string[];
  };
}

/**
 * A git host that delivers push webhooks to luban.
 * @public
 */
export type WebhookProvider = 'github' | 'azure';

/**
 * The shortest webhook secret luban accepts: a guessable secret lets anyone trigger builds.
 * @public
 */
export const WEBHOOK_SECRET_MIN_LENGTH = 32;

/**
 * The secret a provider's webhooks are signed (GitHub) or authenticated (Azure
 * DevOps) with, or undefined when none is configured. Throws when it is shorter
 * than {@link WEBHOOK_SECRET_MIN_LENGTH}, naming the key but never the secret.
 * @public
 */
export function webhookSecretOf(config: Pick<LubanConfig, 'webhooks'>, provider: WebhookProvider): string | undefined {
  const secret = config.webhooks[provider].secret;
  if (secret !== undefined && secret.length < WEBHOOK_SECRET_MIN_LENGTH) {
    const key = config.webhooks.secret === secret ? 'luban.webhooks.secret' : `luban.webhooks.${provider}.secret`;
    throw new InputError(`${key} must be at least ${WEBHOOK_SECRET_MIN_LENGTH} characters long; it has ${secret.length}`);
  }
  return secret;
}

const BUILT_IN_NAMESPACE_DEFAULTS: NamespaceDefaults = {
  quota: {
    'requests.cpu': '4',
    'requests.memory': '8Gi',
    'limits.cpu': '8',
    'limits.memory': '16Gi',
    pods: '50',
  },
  containerDefaults: {
    limits: { cpu: '500m', memory: '512Mi' },
    requests: { cpu: '100m', memory: '128Mi' },
  },
  podSecurity: 'restricted',
  groupPattern: '{name}',
};

/** A string setting that must be one of a few values; the error names the key and the choices. */
/** A Kubernetes resource quantity as a PersistentVolumeClaim size takes it: `2G`, `500Mi`, `1.5Gi`. */
const QUANTITY = /^(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE]\d+)?$/;
/** A StorageClass name: a DNS subdomain. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function readKpackCache(config: Config): KpackCacheConfig {
  // `luban.kpack.cacheSize` is the key luban read before `luban.kpack.cache.size`.
  const sizeKey = config.has('luban.kpack.cache.size') ? 'luban.kpack.cache.size' : 'luban.kpack.cacheSize';
  const size = config.getOptionalString(sizeKey);
  const storageClassName = config.getOptionalString('luban.kpack.cache.storageClassName');
  if (size !== undefined && !QUANTITY.test(size)) {
    throw new InputError(`${sizeKey} must be a Kubernetes quantity such as 2G or 500Mi; got '${size}'`);
  }
  if (storageClassName !== undefined && (!SUBDOMAIN.test(storageClassName) || storageClassName.length > 253)) {
    throw new InputError(`luban.kpack.cache.storageClassName must be a StorageClass name; got '${storageClassName}'`);
  }
  return { size, storageClassName };
}

function oneOf<T extends string>(config: Config, key: string, choices: readonly T[], fallback: T): T {
  const value = config.getOptionalString(key) ?? fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(`${key} must be one of ${choices.join(', ')}; got '${value}'`);
  }
  return value as T;
}

function readNamespaceDefaults(config: Config): NamespaceDefaults {
  const c = config.getOptionalConfig('luban.namespaces');
  const defaults = BUILT_IN_NAMESPACE_DEFAULTS;
  return {
    quota: c?.getOptional<Record<string, string>>('quota') ?? defaults.quota,
    containerDefaults: {
      limits: { ...defaults.containerDefaults.limits, ...c?.getOptional<Record<string, string>>('containerDefaults.limits') },
      requests: { ...defaults.containerDefaults.requests, ...c?.getOptional<Record<string, string>>('containerDefaults.requests') },
    },
    podSecurity: oneOf(config, 'luban.namespaces.podSecurity', ['restricted', 'baseline', 'privileged'], defaults.podSecurity),
    groupPattern: c?.getOptionalString('groupPattern') ?? defaults.groupPattern,
  };
}

/**
 * Reads and checks the `luban.*` configuration once, failing at startup with
 * a message naming the bad key rather than later, at first use.
 * @public
 */
export function readLubanConfig(config: Config): LubanConfig {
  const s = (key: string) => config.getOptionalString(key);
  const environments = readLubanEnvironments(config);
  return {
    environments,
    requestTimeoutMs: readRequestTimeoutMs(config),
    releases: readLubanReleases(config, environments),
    gitops: {
      branch: s('luban.gitops.branch') ?? 'main',
      autoDeploy: oneOf(config, 'luban.gitops.autoDeploy', ['commit', 'pull-request', 'off'], 'commit'),
    },
    argocd: {
      namespace: s('luban.argocd.namespace') ?? 'argocd',
      destinationServer: s('luban.argocd.destinationServer') ?? 'https://kubernetes.default.svc',
      baseUrl: s('luban.argocd.baseUrl'),
    },
    kpack: {
      builder: {
        kind: oneOf(config, 'luban.kpack.builder.kind', ['ClusterBuilder', 'Builder'], 'ClusterBuilder'),
        name: s('luban.kpack.builder.name') ?? 'luban-builder',
      },
      cache: readKpackCache(config),
    },
    gateway: {
      name: s('luban.gateway.name') ?? 'luban-gateway',
      namespace: s('luban.gateway.namespace') ?? 'gateway',
      domainSuffix: s('luban.gateway.domainSuffix'),
      hostnamePattern: readHostnamePattern(s('luban.gateway.hostnamePattern'), s('luban.gateway.domainSuffix')),
    },
    webhooks: {
      targetBaseUrl: s('luban.webhooks.targetBaseUrl') ?? `${s('backend.baseUrl') ?? ''}/api/events/http`,
      secret: s('luban.webhooks.secret'),
      github: { secret: s('luban.webhooks.github.secret') ?? s('luban.webhooks.secret') },
      azure: { secret: s('luban.webhooks.azure.secret') ?? s('luban.webhooks.secret') },
    },
    namespaces: readNamespaceDefaults(config),
    permissions: {
      platformAdmins: (config.getOptionalStringArray('luban.permissions.platformAdmins') ?? []).map(normalizeGroupRef),
    },
  };
}
