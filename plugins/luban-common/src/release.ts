import type { LubanGateResult } from './api';

/**
 * One environment of a release member: what its overlay runs.
 * @public
 */
export interface LubanReleaseCell {
  name: string;
  /** The digest the overlay names; absent when the app is not deployed there. */
  digest?: string;
  /** Whether the environment it is promoted from runs another digest. */
  behind?: boolean;
}

/**
 * An app of a release: a luban Component that is part of the System
 * (`GET …/release` on the System).
 * @public
 */
export interface LubanReleaseMatrixMember {
  entityRef: string;
  app: string;
  environments: LubanReleaseCell[];
  /** Why what the app runs could not be read. */
  problem?: string;
}

/**
 * What the apps of a System run in each environment, and which are behind
 * (`GET …/release`).
 * @public
 */
export interface LubanReleaseMatrix {
  /** The System's entity reference. */
  system: string;
  /** The configured environments, in promotion order. */
  environments: Array<{ name: string; promotesFrom?: string }>;
  members: LubanReleaseMatrixMember[];
}

/**
 * `POST …/release` on a System; `GET …/release/plan?from=&to=` is its dry run.
 * @public
 */
export interface LubanReleaseRequest {
  from: string;
  to: string;
  dryRun?: boolean;
}

/**
 * One app of a release, between the two environments: its row of the gate report.
 * @public
 */
export interface LubanReleaseMember {
  entityRef: string;
  app: string;
  /** The digest the source environment runs: what the release moves the target to. */
  sourceDigest?: string;
  /** The digest the target environment runs now. */
  targetDigest?: string;
  /** Whether the target runs another digest than the source: the release moves it. */
  behind: boolean;
  /** Whether every gate of the member passed; true for a member the release leaves alone. */
  allowed: boolean;
  /** The gates of a member that is behind; empty for the others. */
  gates: LubanGateResult[];
  /** The overlay the release edits, and its unified diff. */
  overlayPath?: string;
  diff?: string;
  /** Why the member is left alone or cannot be released, when it is not simply up to date. */
  problem?: string;
}

/**
 * The plan (dry run) or the outcome of a release of a System's apps.
 * @public
 */
export interface LubanReleaseResult {
  system: string;
  from: string;
  to: string;
  members: LubanReleaseMember[];
  /** True when at least one member is behind and every member's gates passed. */
  allowed: boolean;
  dryRun: boolean;
  /** Absent on dry runs and refusals: the one pull request of the release. */
  pullRequest?: { number: number; url: string; reused: boolean };
  branch?: string;
}
