/**
 * What must hold before a digest may be promoted into an environment.
 * @public
 */
export interface LubanGates {
  /** The source environment's Argo CD application is Synced. */
  requireSynced: boolean;
  /** The source environment's Argo CD application is Healthy. */
  requireHealthy: boolean;
  /** The kpack Build that produced the digest succeeded. */
  requireBuildSucceeded: boolean;
  /** Refuse digests with a vulnerability at or above this severity; NONE checks nothing. */
  blockSeverity: 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  /** How long the digest must have run in the source environment. */
  minSoakMinutes: number;
}

/**
 * One environment an app is deployed to, as configured in `luban.environments`.
 * @public
 */
export interface LubanEnvironment {
  /** Short name, e.g. `snd`; also the overlay folder name. */
  name: string;
  /** Pattern of the environment's namespace, default `{env}-{project}`. */
  namespacePattern: string;
  /** Whether Argo CD syncs it by itself (the first environment by default). */
  autoSync?: boolean;
  /** The Kubernetes cluster it runs on (a name from kubernetes.clusterLocatorMethods); default the first. */
  cluster?: string;
  /** Where its overlay lives in the GitOps repository; `{app}` and `{env}` are replaced. */
  overlayPathPattern?: string;
  /** The environment digests are promoted from; none for the first. */
  promotesFrom?: string;
  /** Checks before a promotion into this environment; none for the first. */
  gates?: LubanGates;
  /**
   * Approvals a pull request into this environment needs. The GitOps branch
   * holds every environment, so it is protected with the largest count.
   */
  requiredApprovals?: number;
  /**
   * Whether luban promotes into it by itself once its source runs a new
   * digest Synced and Healthy and the gates pass: by a pull request, or by a
   * commit (a pull request where the branch is protected). Absent: never.
   */
  autoPromote?: 'pull-request' | 'commit';
}

/**
 * The reviews of an open promotion or rollback pull request: the latest
 * verdict of each reviewer (GitHub reviews; Azure DevOps reviewer votes).
 * @public
 */
export interface LubanPullRequestReview {
  /** `approved`: enough approvals and no change asked for; `waiting`: fewer approvals than required. */
  state: 'approved' | 'changes-requested' | 'waiting';
  /** Who approved (Azure DevOps: voted 10 or 5). */
  approvedBy: string[];
  /** Who asked for changes (Azure DevOps: voted -5 "waiting for author" or -10 "rejected"). */
  changesRequestedBy: string[];
  /** Approvals the GitOps branch requires; 0 when it requires none. */
  requiredApprovals: number;
  /** The commit checks of the pull request's head, when it has any. */
  checks?: { state: 'success' | 'pending' | 'failure'; total: number };
}

/**
 * Whether an environment runs what its overlay holds: `deployed` once Argo CD
 * reports Synced at a revision whose overlay is the branch's; `waiting-for-sync`
 * while a merged change has not reached it.
 * @public
 */
export type LubanRolloutState = 'deployed' | 'waiting-for-sync';

/**
 * The answer of `GET /api/luban/health`.
 * @public
 */
export interface LubanHealth {
  status: 'ok';
  /** The version of the luban backend plugin package. */
  version: string;
}
