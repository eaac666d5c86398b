import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  LubanBuild,
  LubanBuildList,
  LubanChangeResult,
  LubanDeployment,
  LubanDigestTrace,
  LubanHealth,
  LubanInsights,
  LubanPreviews,
  LubanProjectView,
  LubanPromoteRequest,
  LubanPromotionState,
  LubanRebuildResult,
  LubanReleaseMatrix,
  LubanReleaseRequest,
  LubanReleaseResult,
  LubanRollbackRequest,
  LubanSyncResult,
} from '@luban-backstage/plugin-luban-common';

/**
 * Which part of a build's log to read, and how.
 * @public
 */
export interface LubanLogOptions {
  /** One step (prepare … completion); all steps when absent. */
  step?: string;
  /** Keep the stream open while the build runs. */
  follow?: boolean;
  /** Stops reading; the promise then resolves. */
  signal?: AbortSignal;
}

/**
 * The luban backend, as seen by the frontend. Entities are addressed by
 * their compound ref; every call carries the user's Backstage token, and the
 * backend checks the user's permissions on each.
 *
 * @public
 */
export interface LubanApi {
  /**
   * Reads the backend's version and the environments it is configured with,
   * in promotion order.
   */
  getHealth(): Promise<LubanHealth>;

  /**
   * Reads the entity's luban project and the names the backend derives for
   * it: namespaces per environment, Harbor and Argo CD projects, GitOps
   * repository.
   */
  getProject(entity: CompoundEntityRef): Promise<LubanProjectView>;

  /** Lists the entity's kpack Builds, newest first. */
  listBuilds(entity: CompoundEntityRef): Promise<LubanBuildList>;

  /** Reads one Build, with its steps. */
  getBuild(entity: CompoundEntityRef, build: string): Promise<LubanBuild>;

  /** Asks kpack for a new build of the latest source, as `kp image trigger` does. */
  rebuild(entity: CompoundEntityRef): Promise<LubanRebuildResult>;

  /**
   * Starts an Argo CD sync of the merged revision in an environment that does
   * not sync by itself; a dry run answers what it would start, and starts nothing.
   */
  syncEnvironment(
    entity: CompoundEntityRef,
    environment: string,
    options?: { dryRun?: boolean },
  ): Promise<LubanSyncResult>;

  /**
   * Stops a running build (kpack has no cancel: luban ends it and deletes its
   * pod); answers the build, cancelled. A dry run answers the build as it is
   * if it may be cancelled, and stops nothing.
   */
  cancelBuild(
    entity: CompoundEntityRef,
    build: string,
    options?: { dryRun?: boolean },
  ): Promise<LubanBuild>;

  /**
   * Reads a build's log, calling `onText` with each chunk as it arrives.
   * Resolves when the log ends (or `signal` aborts).
   */
  streamBuildLog(
    entity: CompoundEntityRef,
    build: string,
    onText: (text: string) => void,
    options?: LubanLogOptions,
  ): Promise<void>;

  /** Reads what runs in each environment, with Argo CD and Harbor state. */
  getPromotion(entity: CompoundEntityRef): Promise<LubanPromotionState>;

  /** Lists an environment's earlier versions, newest first. */
  getHistory(
    entity: CompoundEntityRef,
    environment: string,
  ): Promise<LubanDeployment[]>;

  /** Evaluates the gates and, unless `dryRun`, opens the promotion pull request. */
  promote(
    entity: CompoundEntityRef,
    request: LubanPromoteRequest,
  ): Promise<LubanChangeResult>;

  /** Opens (or, with `dryRun`, previews) the pull request restoring an earlier version. */
  rollback(
    entity: CompoundEntityRef,
    request: LubanRollbackRequest,
  ): Promise<LubanChangeResult>;

  /**
   * Traces one image digest of the entity's app, running or not: its build
   * and commit, scan and SBOM, every promotion and rollback pull request and
   * when it reached each environment.
   */
  getTrace(
    entity: CompoundEntityRef,
    digest: string,
  ): Promise<LubanDigestTrace>;

  /**
   * The SBOM Harbor generated for one image digest of the entity's app
   * (SPDX JSON), for a download; the backend audits each one.
   */
  getSbom(entity: CompoundEntityRef, digest: string): Promise<Blob>;

  /** Delivery insights of the entity's app over the last `days` days (1 to 90). */
  getInsights(entity: CompoundEntityRef, days: number): Promise<LubanInsights>;

  /**
   * Delivery insights of the entity's luban project (on its System): the
   * project's apps the user may read, together.
   */
  getProjectInsights(
    entity: CompoundEntityRef,
    days: number,
  ): Promise<LubanInsights>;

  /** The entity's app's open pull-request previews (apps with `luban.dev/previews: enabled`). */
  getPreviews(entity: CompoundEntityRef): Promise<LubanPreviews>;

  /** What each app of a System runs in each environment, and which are behind. */
  getRelease(entity: CompoundEntityRef): Promise<LubanReleaseMatrix>;

  /** The plan of a release of a System's apps: digests and gates per app; nothing is written. */
  planRelease(
    entity: CompoundEntityRef,
    request: Pick<LubanReleaseRequest, 'from' | 'to'>,
  ): Promise<LubanReleaseResult>;

  /** Releases a System's apps that are behind in one pull request, unless a gate of one fails. */
  release(
    entity: CompoundEntityRef,
    request: LubanReleaseRequest,
  ): Promise<LubanReleaseResult>;
}

/**
 * The reference to the {@link LubanApi}.
 * @public
 */
export const lubanApiRef = createApiRef<LubanApi>({
  id: 'plugin.luban.service',
});
