/* The delivery insights of an app or a project (DORA measures per environment, and builds), as the backend answers them. */

/**
 * Percentiles of a set of durations, in seconds, by the nearest-rank method
 * (the smallest value at least p % of the set is at or below); absent when
 * the set is empty.
 * @public
 */
export interface LubanDurationPercentiles {
  /** How many durations there were. */
  count: number;
  p50?: number;
  p90?: number;
}

/**
 * The delivery of one environment over an insights window: DORA's four
 * measures, from the overlay's git history, the builds and Argo CD.
 * @public
 */
export interface LubanEnvironmentInsights {
  name: string;
  /** Commits in the window that changed the digest the overlay deploys. */
  deploys: number;
  /** `deploys` over the window's length in weeks, to two decimals. */
  deploysPerWeek: number;
  /** From the source commit's date to the deploy's, for deploys that are not rollbacks and whose build is known. */
  leadTimeSeconds: LubanDurationPercentiles;
  /** Deploys that brought back a digest the environment ran before (luban's rollbacks among them). */
  rollbacks: number;
  /** Deploys whose Argo CD sync ended Failed or Error (`status.operationState`). */
  failedSyncs: number;
  /** Deploys that were rolled back or whose sync failed. */
  failedDeploys: number;
  /** `failedDeploys / deploys`, from 0 to 1; absent without deploys. */
  changeFailureRate?: number;
  /** From each failed deploy to the next deploy that was not itself a failure; only `p50` (the median) is meant. */
  timeToRestoreSeconds: LubanDurationPercentiles;
  /** Deploys and failed deploys per week of the window, oldest first (for a chart). */
  weeks: Array<{ start: string; deploys: number; failures: number }>;
}

/**
 * The kpack builds started in an insights window.
 * @public
 */
export interface LubanBuildInsights {
  /** Finished builds (succeeded or failed; cancelled and running ones are not counted). */
  finished: number;
  succeeded: number;
  failed: number;
  /** `succeeded / finished`, from 0 to 1; absent without finished builds. */
  successRate?: number;
  /** From a succeeded build's creation to its `Succeeded` condition. */
  durationSeconds: LubanDurationPercentiles;
}

/**
 * Delivery insights of an app or of a project's apps together
 * (`GET …/insights?days=N`).
 * @public
 */
export interface LubanInsights {
  /** The window's length in days (1 to 90). */
  days: number;
  /** The window, ISO 8601. */
  from: string;
  to: string;
  /** The apps counted, by name. */
  apps: string[];
  /** Each configured environment, in promotion order. */
  environments: LubanEnvironmentInsights[];
  builds: LubanBuildInsights;
  /** What could not be read (the numbers leave it out). */
  problems?: string[];
}
