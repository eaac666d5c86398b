import type { HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { lubanPromotionReadPermission } from '@luban-backstage/plugin-luban-common';
import type { Request, Router } from 'express';
import type { EntityTargets, LubanTarget } from '../EntityTargets';
import type { InsightsReader } from '../insights/InsightsReader';
import type { EntityAccess } from './entityAccess';

const DEFAULT_DAYS = 30;
const MAX_DAYS = 90;

/** The `days` of the query: a whole number from 1 to 90, 30 when absent. */
function daysOf(req: Request): number {
  const raw = req.query.days;
  if (raw === undefined) return DEFAULT_DAYS;
  const text = typeof raw === 'string' ? raw : '';
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_DAYS) {
    throw new InputError(`days must be a whole number of days from 1 to ${MAX_DAYS}, not '${String(raw).slice(0, 20)}'`);
  }
  return Number(text);
}

/**
 * Delivery insights of an app (its Component) and of a project (its
 * System, or any entity of the project's owner group): they only read, so
 * the Delivery view's read permission decides, and nothing is audited. A
 * project's insights count the apps the caller may read, each checked as
 * its own Delivery view would be.
 */
export function addInsightsRoutes(
  router: Router,
  entityPath: string,
  options: {
    access: EntityAccess;
    targets: EntityTargets;
    insights: InsightsReader;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
  },
) {
  const { access, targets, insights, httpAuth, permissions } = options;

  router.get(`${entityPath}/insights`, async (req, res) => {
    // Checked before the catalog is asked.
    const days = daysOf(req);
    const target = await access.authorizedTarget(req, lubanPromotionReadPermission);
    res.json(await insights.appInsights(target, days));
  });

  router.get(`${entityPath}/project/insights`, async (req, res) => {
    const days = daysOf(req);
    const entity = await access.authorizedEntity(req, lubanPromotionReadPermission);
    const view = await targets.projectOf(entity);
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const apps = (await targets.allTargets()).filter(target => target.project === view.project);
    const readable = await Promise.all(
      apps.map(async (target): Promise<LubanTarget | undefined> => {
        // The caller's own catalog read and permission, as for the app's Delivery view.
        const found = await targets.readEntity(target.entityRef, credentials).catch(() => undefined);
        if (!found) return undefined;
        const [decision] = await permissions.authorize([{ permission: lubanPromotionReadPermission, resourceRef: target.entityRef }], {
          credentials,
        });
        return decision.result === AuthorizeResult.ALLOW ? target : undefined;
      }),
    );
    // One app claimed by two entities is counted once.
    const counted = new Map<string, LubanTarget>();
    for (const target of readable) if (target && !counted.has(target.app)) counted.set(target.app, target);
    const sorted = [...counted.values()].sort((a, b) => a.app.localeCompare(b.app));
    res.json(await insights.insights(sorted, days, view.environments.map(env => env.name)));
  });
}
