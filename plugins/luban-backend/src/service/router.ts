import type { AuditorService, HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { createPermissionIntegrationRouter } from '@backstage/plugin-permission-node';
import { LUBAN_ENVIRONMENT_RESOURCE_TYPE, lubanPermissions } from '@luban-backstage/plugin-luban-common';
import express from 'express';
import Router from 'express-promise-router';
import { lubanEnvironmentRules, type LubanEnvironmentResource } from '../permissions/environmentRules';
import type { EntityTargets, LubanTarget } from './EntityTargets';
import type { HealthService } from './HealthService';
import type { InsightsReader } from './insights/InsightsReader';
import type { PreviewReader } from './previews/PreviewReader';
import { addBuildRoutes } from './routes/buildRoutes';
import { createEntityAccess } from './routes/entityAccess';
import { addInsightsRoutes } from './routes/insightsRoutes';
import { addPreviewRoutes } from './routes/previewRoutes';
import { addProjectRoutes } from './routes/projectRoutes';
import { addPromotionRoutes } from './routes/promotionRoutes';
import { addReleaseRoutes } from './routes/releaseRoutes';
import { addSbomRoutes } from './routes/sbomRoutes';
import { addTraceRoutes } from './routes/traceRoutes';
import type { ReleaseService } from './release/ReleaseService';
import type { DigestTrace } from './trace/DigestTrace';
import type { BuildService, PromotionService } from './types';

/** The entity of a route, as the catalog names it. */
const ENTITY_PATH = '/entities/:kind/:namespace/:name';

/**
 * Builds the HTTP API of the luban backend; handlers only translate HTTP to
 * service calls. Each group of routes lives in `routes/`.
 */
export async function createRouter(options: {
  health: HealthService;
  targets: EntityTargets;
  builds: BuildService;
  promotion: PromotionService;
  /** Releases of several apps (the apps of a System) in one pull request. */
  release?: ReleaseService;
  /** The trace of any digest of an app. */
  trace: DigestTrace;
  /** Delivery insights of an app or a project. */
  insights: InsightsReader;
  /** The apps' open pull-request previews. */
  previews?: PreviewReader;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** Loads the entity and environment of promote and rollback requests, for the permission framework's conditions. */
  environmentResources: (resourceRefs: string[]) => Promise<Array<LubanEnvironmentResource | undefined>>;
  /** Called after a target is resolved, so live updates know whom to tell. */
  onTargetViewed?: (target: LubanTarget) => void;
}): Promise<express.Router> {
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  const permissionIntegration = createPermissionIntegrationRouter({ permissions: lubanPermissions });
  permissionIntegration.addResourceType({
    resourceType: LUBAN_ENVIRONMENT_RESOURCE_TYPE,
    rules: lubanEnvironmentRules,
    getResources: options.environmentResources,
  });
  router.use(permissionIntegration);

  router.get('/health', (_req, res) => {
    res.json(options.health.getHealth());
  });

  const access = createEntityAccess(options);
  addBuildRoutes(router, ENTITY_PATH, access, options.builds);
  addPromotionRoutes(router, ENTITY_PATH, access, options.promotion);
  addTraceRoutes(router, ENTITY_PATH, access, options.trace);
  addSbomRoutes(router, ENTITY_PATH, access, options.builds);
  addInsightsRoutes(router, ENTITY_PATH, { ...options, access });
  addProjectRoutes(router, ENTITY_PATH, access, options.targets);
  if (options.previews) addPreviewRoutes(router, ENTITY_PATH, access, options.previews);
  if (options.release) addReleaseRoutes(router, ENTITY_PATH, { ...options, release: options.release, access });
  return router;
}
