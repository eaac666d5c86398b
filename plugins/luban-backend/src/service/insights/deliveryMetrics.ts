import type {
  LubanBuildInsights,
  LubanDeployment,
  LubanDurationPercentiles,
  LubanEnvironmentInsights,
  LubanSyncOperation,
} from '@luban-backstage/plugin-luban-common';
import type { KpackBuild } from '@luban-backstage/plugin-luban-node';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

/** The period insights count over: the last `days` days up to `to`. */
export interface InsightsWindow {
  days: number;
  from: Date;
  to: Date;
}

/** The window of the last `days` days, ending now. */
export function insightsWindow(days: number, now: Date): InsightsWindow {
  return { days, from: new Date(now.getTime() - days * DAY_MS), to: now };
}

function inWindow(date: string | undefined, window: InsightsWindow): boolean {
  const time = Date.parse(date ?? '');
  return !Number.isNaN(time) && time >= window.from.getTime() && time <= window.to.getTime();
}

function secondsBetween(from: string, to: string): number | undefined {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return Math.max(0, Math.round((end - start) / 1000));
}

/** The nearest-rank percentile: the smallest value that at least `p` % of the values are at or below. */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** p50 and p90 of durations by the nearest-rank method: always a value of the set, never an interpolation. */
export function percentiles(values: number[]): LubanDurationPercentiles {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return { count: values.length, p50: nearestRank(sorted, 50), p90: nearestRank(sorted, 90) };
}

/**
 * Whether a commit is one of luban's rollbacks, by what it writes: the
 * rollback pull request's title (`pullRequestText.ts` rollbackText), a
 * promotion that says it moves backwards, or a merge of a rollback branch
 * (`changeBranches.ts`).
 */
export function isRollbackCommit(message: string | undefined): boolean {
  return /^(Roll back |Backwards: promote )/.test(message ?? '') || (message ?? '').includes('luban/rollback/');
}

/** What one environment of one app contributes to the insights; summed over apps for a project. */
export interface EnvironmentSamples {
  deploys: number;
  rollbacks: number;
  failedSyncs: number;
  failedDeploys: number;
  leadTimes: number[];
  restoreTimes: number[];
  /** Deploys and failures per week of the window, oldest week first. */
  weeks: Array<{ deploys: number; failures: number }>;
}

/** What {@link environmentSamples} reads. */
export interface EnvironmentHistory {
  /** The overlay's versions, newest first, as the Delivery tab's history gives them (also before the window). */
  versions: LubanDeployment[];
  /** The environment's Argo CD Application's last operation (`status.operationState`). */
  lastOperation?: LubanSyncOperation;
  /** The author date of each source commit a build was made from, by sha. */
  commitDates: ReadonlyMap<string, string>;
}

function weekCount(window: InsightsWindow): number {
  return Math.max(1, Math.ceil(window.days / WEEK_DAYS));
}

function weekOf(date: string, window: InsightsWindow): number {
  const week = Math.floor((Date.parse(date) - window.from.getTime()) / (WEEK_DAYS * DAY_MS));
  return Math.min(week, weekCount(window) - 1);
}

/**
 * The deploy an operation that did not succeed synced: the one whose commit
 * it names, else the newest deploy before it started (a later commit that
 * left the digest alone still syncs that deploy).
 */
function failedSyncDeploy(chronological: LubanDeployment[], operation?: LubanSyncOperation): number {
  if (!operation || (operation.phase !== 'Failed' && operation.phase !== 'Error')) return -1;
  const bySha = chronological.findIndex(d => d.commitSha === operation.revision);
  if (bySha >= 0) return bySha;
  const started = Date.parse(operation.startedAt ?? operation.finishedAt ?? '');
  if (Number.isNaN(started)) return -1;
  let index = -1;
  chronological.forEach((deploy, i) => {
    if (Date.parse(deploy.date) <= started) index = i;
  });
  return index;
}

/**
 * The DORA samples of one environment in the window. A deploy is a commit
 * that changed the digest of the overlay; a rollback is a deploy that
 * brought back a digest the environment ran before, or luban's rollback
 * commit; a deploy failed when the next deploy rolled it back or its
 * Argo CD sync ended Failed or Error. Lead time runs from the build's source
 * commit to the deploy (rollbacks redeploy old commits and are left out);
 * time to restore from a failed deploy to the next deploy that did not fail.
 */
export function environmentSamples(history: EnvironmentHistory, window: InsightsWindow): EnvironmentSamples {
  const chronological = [...history.versions].reverse();
  const rollback = chronological.map(
    (deploy, i) => isRollbackCommit(deploy.message) || chronological.slice(0, i).some(earlier => earlier.digest === deploy.digest),
  );
  const syncFailed = failedSyncDeploy(chronological, history.lastOperation);
  const failed = chronological.map((_deploy, i) => Boolean(rollback[i + 1]) || i === syncFailed);
  const samples: EnvironmentSamples = {
    deploys: 0,
    rollbacks: 0,
    failedSyncs: 0,
    failedDeploys: 0,
    leadTimes: [],
    restoreTimes: [],
    weeks: Array.from({ length: weekCount(window) }, () => ({ deploys: 0, failures: 0 })),
  };
  chronological.forEach((deploy, i) => {
    if (!inWindow(deploy.date, window)) return;
    const week = samples.weeks[weekOf(deploy.date, window)];
    samples.deploys++;
    week.deploys++;
    if (rollback[i]) samples.rollbacks++;
    if (i === syncFailed) samples.failedSyncs++;
    const revision = deploy.build?.revision;
    const committed = revision ? history.commitDates.get(revision) : undefined;
    const leadTime = committed && !rollback[i] ? secondsBetween(committed, deploy.date) : undefined;
    if (leadTime !== undefined) samples.leadTimes.push(leadTime);
    if (!failed[i]) return;
    samples.failedDeploys++;
    week.failures++;
    const restored = chronological.findIndex((_later, j) => j > i && !failed[j]);
    const restoreTime = restored >= 0 ? secondsBetween(deploy.date, chronological[restored].date) : undefined;
    if (restoreTime !== undefined) samples.restoreTimes.push(restoreTime);
  });
  return samples;
}

/** One environment's insights: the samples of every app counted, summed. */
export function summariseEnvironment(name: string, samples: EnvironmentSamples[], window: InsightsWindow): LubanEnvironmentInsights {
  const sum = (pick: (s: EnvironmentSamples) => number) => samples.reduce((total, s) => total + pick(s), 0);
  const deploys = sum(s => s.deploys);
  const failedDeploys = sum(s => s.failedDeploys);
  const weeks = Array.from({ length: weekCount(window) }, (_, week) => ({
    start: new Date(window.from.getTime() + week * WEEK_DAYS * DAY_MS).toISOString(),
    deploys: samples.reduce((total, s) => total + (s.weeks[week]?.deploys ?? 0), 0),
    failures: samples.reduce((total, s) => total + (s.weeks[week]?.failures ?? 0), 0),
  }));
  return {
    name,
    deploys,
    deploysPerWeek: Math.round((deploys / (window.days / WEEK_DAYS)) * 100) / 100,
    leadTimeSeconds: percentiles(samples.flatMap(s => s.leadTimes)),
    rollbacks: sum(s => s.rollbacks),
    failedSyncs: sum(s => s.failedSyncs),
    failedDeploys,
    ...(deploys > 0 ? { changeFailureRate: failedDeploys / deploys } : {}),
    timeToRestoreSeconds: percentiles(samples.flatMap(s => s.restoreTimes)),
    weeks,
  };
}

/** What one app's builds contribute: the outcome and, when succeeded, the duration of each build started in the window. */
export interface BuildSamples {
  succeeded: number;
  failed: number;
  durations: number[];
}

/**
 * The builds created in the window that finished: succeeded or failed
 * (cancelled ones were stopped by a person, running ones have no outcome).
 * A duration runs from the Build's creation to its `Succeeded` condition's
 * transition, as the CI tab shows it.
 */
export function buildSamples(builds: KpackBuild[], window: InsightsWindow): BuildSamples {
  const samples: BuildSamples = { succeeded: 0, failed: 0, durations: [] };
  for (const build of builds) {
    if (!inWindow(build.createdAt, window)) continue;
    if (build.status === 'failed') samples.failed++;
    if (build.status !== 'succeeded') continue;
    samples.succeeded++;
    const duration = build.finishedAt ? secondsBetween(build.createdAt!, build.finishedAt) : undefined;
    if (duration !== undefined) samples.durations.push(duration);
  }
  return samples;
}

/** The builds' insights over every app counted. */
export function summariseBuilds(samples: BuildSamples[]): LubanBuildInsights {
  const succeeded = samples.reduce((total, s) => total + s.succeeded, 0);
  const failed = samples.reduce((total, s) => total + s.failed, 0);
  const finished = succeeded + failed;
  return {
    finished,
    succeeded,
    failed,
    ...(finished > 0 ? { successRate: succeeded / finished } : {}),
    durationSeconds: percentiles(samples.flatMap(s => s.durations)),
  };
}
