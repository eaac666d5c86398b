export interface Config {
  /** Configuration of the luban plugins. */
  luban?: {
    /** How long luban waits for any upstream system to answer one request. Default 30. */
    requestTimeoutSeconds?: number;
    /** Defaults for the namespaces luban creates for a project. */
    namespaces?: {
      /** ResourceQuota `spec.hard` of each environment namespace, e.g. `{ "requests.cpu": "4", pods: "50" }`. */
      quota?: { [resource: string]: string };
      /** LimitRange default limits and requests of a container. */
      containerDefaults?: {
        limits?: { cpu?: string; memory?: string };
        requests?: { cpu?: string; memory?: string };
      };
      /** The Pod Security Standard enforced in every namespace. Default `restricted`. */
      podSecurity?: 'restricted' | 'baseline' | 'privileged';
      /**
       * How an owner group entity is named in Kubernetes RBAC; `{name}` and
       * `{namespace}` are the entity's. Default `{name}`.
       */
      groupPattern?: string;
    };
    /** The Harbor registry that holds every project's images. */
    harbor?: {
      /** Base URL, e.g. `https://harbor.example.com` (the API is under `/api/v2.0`). */
      baseUrl: string;
      /** A Harbor user allowed to create projects and robot accounts. */
      username: string;
      /**
       * Its password. Alternatively `passwordEnv` names an environment variable to read it from.
       * @visibility secret
       */
      password?: string;
      /** An environment variable holding the password, when `password` is not set. */
      passwordEnv?: string;
      /**
       * Harbor's robot account name prefix (its `robot_name_prefix` system
       * setting, `ROBOT_NAME_PREFIX`). Default `robot$`; set it when the Harbor
       * administrator changed it, or luban cannot find the robots it created.
       */
      robotNamePrefix?: string;
      /** Settings of projects luban creates. */
      projectDefaults?: {
        /** Whether images can be pulled anonymously. Default false. */
        public?: boolean;
        /** Scan images on push. Default true. */
        autoScan?: boolean;
        /** Refuse pulls of images with vulnerabilities at or above `severity`. Default false. */
        preventVulnerable?: boolean;
        /** One of none, low, medium, high, critical. Default critical. */
        severity?: string;
        /** Storage quota in bytes; -1 for none. Default -1. */
        storageLimit?: number;
        /** Generate an SBOM for every pushed image. Default true. */
        autoSbomGeneration?: boolean;
      };
    };
    /**
     * The deployment environments of every luban project, in promotion order
     * (each promotes from the one before it). Default: `snd`, then `prd`.
     * @visibility frontend
     */
    environments?: Array<{
      /**
       * Short name, e.g. `snd`: the overlay folder and namespace prefix.
       * @visibility frontend
       */
      name: string;
      /**
       * Pattern of the environment's namespace; `{env}` and `{project}` are
       * replaced. Default `{env}-{project}`.
       * @visibility frontend
       */
      namespace?: string;
      /**
       * Whether Argo CD syncs this environment by itself. Default: true for
       * the first environment, false for the others (they change by promotion PRs
       * and are synced by hand or by Argo CD once merged, as you choose).
       * @visibility frontend
       */
      autoSync?: boolean;
      /**
       * The Kubernetes cluster the environment runs on, by its name in
       * kubernetes.clusterLocatorMethods. Default: the first configured.
       * The environment's namespace and its Argo CD objects (the project's
       * AppProject and the apps' Applications, in `luban.argocd.namespace`)
       * live on this cluster; kpack Images and Builds live on the first
       * cluster (or the one an entity's `luban.dev/cluster` annotation names).
       * @visibility frontend
       */
      cluster?: string;
      /**
       * The overlay file of an app in this environment; `{app}` and `{env}`
       * are replaced. Default `apps/{app}/overlays/{env}/kustomization.yaml`.
       */
      overlayPath?: string;
      /**
       * The environment digests are promoted from. Default: the one before it.
       * @visibility frontend
       */
      promotesFrom?: string;
      /**
       * Approving reviews a pull request into this environment needs (0 to 6).
       * Default: 1 for the last environment, 0 for the others. Onboarding
       * protects the GitOps branch with the largest count of any environment.
       * @visibility frontend
       */
      requiredApprovals?: number;
      /**
       * Whether luban promotes into this environment by itself once its source
       * environment runs a new digest Synced and Healthy and the gates pass:
       * `true` or `pr` opens the promotion pull request, `commit` commits to the
       * GitOps branch (a pull request where the branch is protected). Once per
       * digest. Not on the first environment. Default: never.
       * @visibility frontend
       */
      autoPromote?: boolean | 'pr' | 'commit';
      /**
       * What must hold before a promotion into this environment.
       * @visibility frontend
       */
      gates?: {
        /** The source environment is Synced in Argo CD. Default true. */
        requireSynced?: boolean;
        /** The source environment is Healthy in Argo CD. Default true. */
        requireHealthy?: boolean;
        /** The Build that produced the digest succeeded. Default true. */
        requireBuildSucceeded?: boolean;
        /** Block digests with a vulnerability at or above this severity (NONE, LOW, MEDIUM, HIGH, CRITICAL). Default CRITICAL. */
        blockSeverity?: string;
        /** Minutes the digest must have run in the source environment. Default 0. */
        minSoakMinutes?: number;
      };
    }>;
    /** Where luban creates Argo CD objects: on each environment's cluster (`luban.environments[].cluster`). */
    argocd?: {
      /** The namespace Argo CD watches for Applications and AppProjects, on every cluster. Default `argocd`. */
      namespace?: string;
      /** The destination server of Applications. Default `https://kubernetes.default.svc`. */
      destinationServer?: string;
      /** Argo CD's web UI, e.g. `https://argocd.example.com`, for links from the delivery view. */
      baseUrl?: string;
    };
    /**
     * How luban builds images with kpack, on the first configured cluster
     * (or the one an entity's `luban.dev/cluster` annotation names).
     */
    kpack?: {
      /** The builder of new kpack Images. Default: ClusterBuilder `luban-builder`. */
      builder?: { kind?: 'ClusterBuilder' | 'Builder'; name?: string };
      /**
       * The build cache volume of new Images. With neither key luban writes
       * no cache, and kpack gives each Image a 2G volume where the cluster has
       * a default StorageClass (none where it has not). An existing Image's
       * cache is never changed: kpack refuses a smaller size or another class.
       */
      cache?: {
        /** Size of the volume, a Kubernetes quantity such as `2G` or `5Gi`. Default `2G` when a class is named. */
        size?: string;
        /** The StorageClass of the volume; needed where the cluster has no default StorageClass. */
        storageClassName?: string;
      };
      /**
       * Size of each Image's build cache volume.
       * @deprecated use `luban.kpack.cache.size`.
       */
      cacheSize?: string;
    };
    /**
     * Read-only git credentials that kpack and Argo CD get for a host's
     * private repositories (least privilege: e.g. a fine-grained GitHub token
     * with Contents: read, an Azure DevOps PAT with Code: read). A host not
     * listed gets the token of its integration, which can also write.
     */
    gitReadCredentials?: Array<{
      /** The git host, as in `integrations`, e.g. `github.com` or `dev.azure.com`. */
      host: string;
      /** The user name git sends. Default `x-access-token` on GitHub, `luban` on Azure DevOps. */
      username?: string;
      /**
       * The read-only token.
       * @visibility secret
       */
      token: string;
    }>;
    /** The push webhooks luban registers on source repositories. */
    webhooks?: {
      /**
       * Backstage's events endpoint as the git hosts reach it; luban appends
       * `/luban-github` or `/luban-azure`. Default `<backend.baseUrl>/api/events/http`.
       */
      targetBaseUrl?: string;
      /** GitHub's push webhooks. */
      github?: {
        /**
         * The secret GitHub signs deliveries with (HMAC SHA-256); at least 32 characters.
         * @visibility secret
         */
        secret?: string;
      };
      /** Azure DevOps' service hooks. */
      azure?: {
        /**
         * The secret Azure DevOps sends as a bearer token; at least 32 characters.
         * Azure DevOps does not sign deliveries, so keep it apart from GitHub's.
         * @visibility secret
         */
        secret?: string;
      };
      /**
       * Deprecated: one secret for both hosts, used where `github.secret` or
       * `azure.secret` is not set.
       * @deprecated Use `luban.webhooks.github.secret` and `luban.webhooks.azure.secret`.
       * @visibility secret
       */
      secret?: string;
    };
    /** Who administers the luban platform. */
    permissions?: {
      /**
       * Groups whose members are platform admins (e.g. `group:default/platform-team`):
       * luban's shipped policy grants them `luban.project.admin` and the
       * Kubernetes plugin's `kubernetes.proxy`, and nobody else.
       */
      platformAdmins?: string[];
    };
    /** luban's own access to the Kubernetes clusters. */
    kubernetes?: {
      /**
       * luban's own credential per cluster, by its name in
       * `kubernetes.clusterLocatorMethods`; it takes the place of that entry's
       * token for luban only, so the Kubernetes plugin's can be read-only.
       */
      clusters?: Array<{
        /** The cluster's name in `kubernetes.clusterLocatorMethods`. */
        name: string;
        /**
         * A token of luban's service account on that cluster.
         * @visibility secret
         */
        serviceAccountToken: string;
      }>;
    };
    /** The Gateway API Gateway that exposes the apps and web UIs luban deploys: an HTTPRoute per app and environment attaches to it. */
    gateway?: {
      /** The Gateway's name. Default `luban-gateway`. */
      name?: string;
      /** The Gateway's namespace. Default `gateway`; it must allow routes from the environments' namespaces. */
      namespace?: string;
      /** The DNS suffix of the hosts, e.g. `apps.example.com`: Dagster's are `<env>-<project>-dagster.<suffix>`. */
      domainSuffix?: string;
      /**
       * The host of an app in an environment, e.g. `{app}.{project}.{env}.apps.example.com`;
       * `{app}`, `{project}` and `{env}` are replaced and all three are required.
       * Default `{app}.{project}.{env}.<domainSuffix>`; with neither key, apps get no HTTPRoute.
       */
      hostnamePattern?: string;
    };
    /** What luban does by itself around releases. */
    releases?: {
      /**
       * The environment a release candidate (the build of a pushed version tag
       * such as `v1.2.3`) is promoted into by a pull request, once it runs in
       * that environment's source environment and the gates pass. Default: none.
       */
      promoteTagsTo?: string;
      /**
       * How soon after a promotion changed an environment its turning Degraded
       * makes luban open (never merge) the rollback pull request to the version
       * before, e.g. `30m`, `2h` or `{ minutes: 30 }`; `0` turns it off. Default 30m.
       */
      rollbackProposalWindow?: string | { [unit: string]: number };
    };
    /** The GitOps repositories luban writes. */
    gitops?: {
      /** The branch Argo CD deploys from and promotions target. Default `main`. */
      branch?: string;
      /**
       * How a successful build reaches the first environment: a direct
       * commit (default; a pull request when the branch is protected), always
       * a pull request, or off.
       */
      autoDeploy?: 'commit' | 'pull-request' | 'off';
      /**
       * How long luban uses what a GitOps repository's host last answered
       * (its branch head, its open pull requests) without asking again, once
       * a webhook delivery of the repository arrived: a push, or a write of
       * luban's, ends it sooner. A duration, e.g. `{ seconds: 60 }` (the
       * default); `0` asks on every view.
       */
      maxStaleness?: { milliseconds?: number; seconds?: number; minutes?: number; hours?: number } | 0;
    };
    /**
     * Notifications to an app's owning group (its project record's owner)
     * through Backstage's notifications backend: a failed build, a promotion
     * pull request opened, approved or merged, an environment turned
     * Degraded, a scan that finds a vulnerability at or above `minSeverity`
     * in a digest that runs somewhere.
     */
    notifications?: {
      /** Default: on when `@backstage/plugin-notifications-backend` runs in the same backend. */
      enabled?: boolean;
      /** The least severe vulnerability worth a notification. Default `critical`. */
      minSeverity?: 'critical' | 'high' | 'medium' | 'low';
      /**
       * How often luban looks at open pull requests (and, every fifth time,
       * at the scans of running digests). Default one minute.
       */
      checkInterval?: { milliseconds?: number; seconds?: number; minutes?: number; hours?: number };
    };
  };
}
