import type { LubanPullRequestReview, LubanRolloutState } from './types';

/**
 * The shapes of the luban backend's REST API (`/api/luban`), shared by the
 * backend and the frontend client. Entities are addressed as
 * `/entities/:kind/:namespace/:name/…`.
 */

/**
 * One lifecycle step of a kpack build.
 * @public
 */
export interface LubanBuildStep {
  /**
   * The step's container in the build pod: prepare, analyze, detect, restore,
   * build, export, completion; a rebase (reason STACK) runs rebase, completion.
   */
  name: string;
  state: 'waiting' | 'running' | 'succeeded' | 'failed';
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
}

/**
 * A kpack Build as the Builds tab lists it (`GET …/builds`).
 * @public
 */
export interface LubanBuild {
  /** The Build object's name; the id used in URLs. */
  name: string;
  number: number;
  /** kpack's reasons: COMMIT, TRIGGER, CONFIG, BUILDPACK, STACK. */
  reasons: string[];
  /** `cancelled`: stopped by a user through luban, not failed. */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** Why the build failed (or who cancelled it), from the Succeeded condition. */
  message?: string;
  /** The commit SHA built. */
  revision?: string;
  /** The commit's web page on GitHub or Azure DevOps. */
  commitUrl?: string;
  /** Built for a pushed git tag (`v1.2.3` gives `1.2.3`, also the image's tag): a release candidate. */
  releaseTag?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Until now while running. */
  durationSeconds?: number;
  /** `sha256:…`, once succeeded. */
  digest?: string;
  /** `<repository>@sha256:…`, once succeeded. */
  image?: string;
  /** The artifact's page in Harbor. */
  registryUrl?: string;
  /**
   * Harbor's scan and SBOM of the digest: on one build's page, and in the
   * list for the newest succeeded builds only (each costs Harbor a request).
   */
  vulnerabilities?: LubanVulnerabilities;
  builder?: string;
  steps: LubanBuildStep[];
}

/**
 * `GET …/builds`.
 * @public
 */
export interface LubanBuildList {
  /** The kpack Image, as `<namespace>/<name>`. */
  image: string;
  cluster: string;
  /** Newest first. */
  builds: LubanBuild[];
}

/**
 * `POST …/builds/rebuild`.
 * @public
 */
export interface LubanRebuildResult {
  /** The Build that got the additionalBuildNeeded annotation. */
  triggeredFrom: string;
}

/**
 * One gate of a promotion, with why it passed or failed.
 * @public
 */
export interface LubanGateResult {
  gate: 'synced' | 'healthy' | 'build-succeeded' | 'vulnerabilities' | 'soak';
  passed: boolean;
  /** A sentence a user understands, e.g. "snd is Synced". */
  reason: string;
  /** Where the reason can be checked: the artifact's page in Harbor for the vulnerabilities gate. */
  url?: string;
}

/**
 * The SBOM Harbor generates for a digest (Harbor 2.11+, with the same
 * scanner as the vulnerability scan), kept as the artifact's accessory.
 * @public
 */
export interface LubanSbom {
  /** `none`: Harbor was not asked for one; `generating`: its scanner works on it; `ready`: it can be downloaded. */
  state: 'none' | 'generating' | 'ready' | 'failed';
  /** The SBOM accessory's digest, once ready. */
  digest?: string;
}

/**
 * Vulnerability counts of a digest, from Harbor's scan.
 * @public
 */
export interface LubanVulnerabilities {
  critical: number;
  high: number;
  medium: number;
  low: number;
  /** Whether Harbor has scanned the digest at all. */
  scanned: boolean;
  /** Where Harbor's scan stands: `scanning` while pending or running, `failed` when it ended in error or was stopped. */
  scanStatus?: 'not-scanned' | 'scanning' | 'scanned' | 'failed';
  /** The artifact's page in Harbor. */
  url?: string;
  /** The digest's SBOM; absent when Harbor was not read for it. */
  sbom?: LubanSbom;
}

/**
 * The answer to a Sync (`POST …/promotion/:env/sync`): the sync Argo CD was asked to run.
 * @public
 */
export interface LubanSyncResult {
  environment: string;
  application: string;
  /** The GitOps branch's commit being synced. */
  revision: string;
  /** A dry run: what a sync would start; nothing was changed. */
  dryRun?: boolean;
}

/**
 * An Argo CD sync operation as the Delivery view shows it.
 * @public
 */
export interface LubanSyncOperation {
  /** Running, Terminating, Succeeded, Failed or Error (Argo CD's `OperationPhase`). */
  phase: string;
  /** The revision synced (or being synced). */
  revision?: string;
  message?: string;
  /** Who started it: a user name, or `automated`. */
  initiatedBy?: string;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * What runs in one environment (`GET …/promotion`).
 * @public
 */
export interface LubanEnvironmentState {
  name: string;
  /** The environment it is promoted from, if any. */
  promotesFrom?: string;
  /** The overlay file in the GitOps repository and its web page. */
  overlayPath: string;
  overlayUrl?: string;
  /** The image reference in the overlay (`repository@sha256:…` or `repository:tag`). */
  image?: string;
  digest?: string;
  tag?: string;
  /** The Build that produced the digest, when luban can find it. */
  build?: { name: string; number: number; revision?: string; commitUrl?: string; finishedAt?: string };
  /** When the overlay last changed: the deploy time as git sees it. */
  deployedAt?: string;
  /** The app's address in this environment, from the HTTPRoute its overlay includes; absent without one. */
  url?: string;
  argoCd?: {
    application: string;
    syncStatus: string;
    healthStatus: string;
    revision?: string;
    lastSyncedAt?: string;
    url?: string;
    /** Whether Argo CD syncs by itself (automated sync policy); otherwise a user starts each sync. */
    automated?: boolean;
    /** The last sync operation (Argo CD's `status.operationState`): its progress while it runs. */
    operation?: LubanSyncOperation;
  };
  vulnerabilities?: LubanVulnerabilities;
  /** The open promotion or rollback pull request into this environment. */
  pullRequest?: {
    number: number;
    url: string;
    title: string;
    review?: LubanPullRequestReview;
    /** What it changes: a promotion, or a rollback (one luban proposes by itself when the environment turns Degraded after a promotion). */
    kind?: 'promote' | 'rollback';
  };
  /** Whether Argo CD runs what the overlay holds (absent when nothing is deployed or Argo CD is unknown). */
  rollout?: LubanRolloutState;
  /** Whether the source environment runs a different digest. */
  behindSource?: boolean;
  /** Why part of the state could not be read (the rest is still shown). */
  problems?: string[];
}

/**
 * `GET …/promotion`.
 * @public
 */
export interface LubanPromotionState {
  gitopsRepo: string;
  environments: LubanEnvironmentState[];
}

/**
 * `POST …/promotion/promote`.
 * @public
 */
export interface LubanPromoteRequest {
  from: string;
  to: string;
  dryRun?: boolean;
}

/**
 * `POST …/promotion/rollback`.
 * @public
 */
export interface LubanRollbackRequest {
  env: string;
  /** Default: the version before the current one. */
  toDigest?: string;
  dryRun?: boolean;
}

/**
 * What a promotion or rollback did, or would do.
 * @public
 */
export interface LubanChangeResult {
  /** True when every gate passed (always true for rollbacks, which have no gates). */
  allowed: boolean;
  gates: LubanGateResult[];
  fromDigest?: string;
  toDigest: string;
  /** The overlay file and a unified diff of its change. */
  overlayPath: string;
  diff: string;
  /** The commits between the two builds' revisions, when known. */
  commits?: Array<{ sha: string; url?: string }>;
  /** Absent on dry runs and when a gate failed. */
  pullRequest?: { number: number; url: string; reused: boolean };
  /** The commit on the GitOps branch, when luban promoted by commit (`autoPromote: commit`) rather than by pull request. */
  commit?: { sha: string; url: string };
  branch?: string;
  dryRun: boolean;
}

/**
 * One earlier version of an environment (`GET …/promotion/:env/history`).
 * @public
 */
export interface LubanDeployment {
  digest: string;
  /** The GitOps commit that set it. */
  commitSha: string;
  commitUrl?: string;
  date: string;
  author?: string;
  message?: string;
  build?: { name: string; number: number; revision?: string };
  /** Whether it is what the overlay holds now. */
  current: boolean;
}

/**
 * A promotion or rollback pull request luban opened for a digest, as the git
 * host holds it (`GET …/trace/:digest`).
 * @public
 */
export interface LubanTracePullRequest {
  kind: 'promote' | 'rollback';
  /** The environment it changes. */
  environment: string;
  number: number;
  title: string;
  url: string;
  state: 'open' | 'merged' | 'closed';
  /** ISO 8601. */
  createdAt?: string;
  /** When it was merged or closed, ISO 8601. */
  closedAt?: string;
}

/**
 * Where a digest went in one environment, from its overlay's history (`GET …/trace/:digest`).
 * @public
 */
export interface LubanTraceEnvironment {
  name: string;
  /** Whether the overlay holds the digest now. */
  running: boolean;
  /** Each time the overlay was set to the digest, newest first; empty when it never ran there. */
  arrivals: Array<{
    /** When the GitOps commit that set it was made. */
    at: string;
    commitSha: string;
    commitUrl?: string;
    /** When a later commit replaced it; absent while it runs. */
    replacedAt?: string;
  }>;
}

/**
 * The whole trace of one image digest of an app, running or not
 * (`GET …/trace/:digest`): commit → build → digest → scan and SBOM →
 * promotion and rollback pull requests → environments.
 * @public
 */
export interface LubanDigestTrace {
  digest: string;
  /** The kpack Build that produced it, when the cluster still holds it. */
  build?: LubanBuild;
  /** The source commit built, with its web page. */
  commit?: { sha: string; url?: string };
  /** Harbor's scan of the digest; absent without Harbor or when Harbor does not hold it. */
  vulnerabilities?: LubanVulnerabilities;
  /** Whether Harbor generated an SBOM for it; absent without Harbor. */
  hasSbom?: boolean;
  /** Newest first, from the git host: open, merged and closed ones. */
  pullRequests: LubanTracePullRequest[];
  /** Every configured environment, in promotion order. */
  environments: LubanTraceEnvironment[];
  /** What could not be read (the rest is still shown). */
  problems?: string[];
}

/**
 * The Backstage signals channel of one entity, e.g.
 * `luban:component:default/ledger-api`.
 * @public
 */
export function lubanChannel(entityRef: string): string {
  return `luban:${entityRef}`;
}

/**
 * What a signal on an entity's channel says. It only names what changed; the
 * page then reads it through the permission-checked API, so a signal never
 * carries data a viewer may not see.
 * @public
 */
export type LubanSignal =
  | { type: 'build'; build: string; status: string }
  | {
      type: 'deployment';
      environment: string;
      syncStatus: string;
      healthStatus: string;
    }
  | { type: 'promotion'; reason: string };

/**
 * The answer of `GET /entities/:kind/:namespace/:name/project`: the luban
 * project of an entity and the names of what the project owns on the
 * platform, derived by the backend from its configuration.
 * @public
 */
export interface LubanProjectView {
  project: string;
  /** The entity's app, when it names one. */
  app?: string;
  /** Where the project's builds run. */
  ciNamespace: string;
  harborProject: string;
  argoCdProject: string;
  /** The name of the project's GitOps repository. */
  gitopsRepository: string;
  /** Each configured environment, in promotion order, with the project's namespace in it. */
  environments: Array<{
    name: string;
    namespace: string;
    /** The cluster it runs on; absent for the default cluster. */
    cluster?: string;
    autoSync: boolean;
  }>;
}
