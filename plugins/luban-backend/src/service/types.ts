import type { Writable } from 'node:stream';
import type {
  LubanBuild,
  LubanBuildList,
  LubanChangeResult,
  LubanDeployment,
  LubanPromoteRequest,
  LubanPromotionState,
  LubanRebuildResult,
  LubanRollbackRequest,
  LubanSyncResult,
} from '@luban-backstage/plugin-luban-common';
import type { LubanTarget } from './EntityTargets';

/** Who asked, for pull request bodies and the audit log. */
export interface Actor {
  /** e.g. `user:default/jane`. */
  userEntityRef?: string;
}

/** kpack builds of an app: served from the cluster cache, logs from the build pod. */
export interface BuildService {
  listBuilds(target: LubanTarget): Promise<LubanBuildList>;
  /** undefined when the app has no such build. */
  getBuild(target: LubanTarget, name: string): Promise<LubanBuild | undefined>;
  /**
   * Writes a build's log to `output` (one step, or every step in order),
   * following it while the build runs when `follow` is set; resolves when
   * done or when `signal` aborts.
   */
  streamLog(
    target: LubanTarget,
    name: string,
    options: { step?: string; follow: boolean; signal: AbortSignal },
    output: Writable,
  ): Promise<void>;
  rebuild(target: LubanTarget): Promise<LubanRebuildResult>;
  /** Stops a running build, which then reads as cancelled; an InputError for a build that is not running. */
  /** Cancels a running build; a dry run only checks that it may (the build as it is). */
  cancel(target: LubanTarget, name: string, actor: Actor, options?: { dryRun?: boolean }): Promise<LubanBuild>;
  /** The SBOM Harbor generated for one of the app's digests (SPDX JSON); NotFoundError when there is none (yet). */
  readSbom(target: LubanTarget, digest: string): Promise<{ content: Buffer; sbomDigest: string }>;
}

/** Which digest runs where, and pull requests that change it. */
export interface PromotionService {
  getState(target: LubanTarget): Promise<LubanPromotionState>;
  promote(target: LubanTarget, request: LubanPromoteRequest, actor: Actor): Promise<LubanChangeResult>;
  history(target: LubanTarget, env: string): Promise<LubanDeployment[]>;
  rollback(target: LubanTarget, request: LubanRollbackRequest, actor: Actor): Promise<LubanChangeResult>;
  /** Starts an Argo CD sync of the merged revision in an environment without auto-sync. */
  sync(target: LubanTarget, env: string, actor: Actor, options?: { dryRun?: boolean }): Promise<LubanSyncResult>;
}
