import type { HttpAuthService, PermissionsService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  lubanEnvironmentResourceRef,
  lubanPromotionCreatePermission,
  lubanPromotionReadPermission,
} from '@luban-backstage/plugin-luban-common';
import type { Request, Router } from 'express';
import { z } from 'zod';
import type { EntityTargets } from '../EntityTargets';
import { releaseScope } from '../release/releaseMembers';
import type { ReleaseScope, ReleaseService } from '../release/ReleaseService';
import type { EntityAccess } from './entityAccess';
import { NAME, parseBody } from './validation';

const releaseBody = z
  .object({
    from: z.string().regex(NAME, 'must be an environment name'),
    to: z.string().regex(NAME, 'must be an environment name'),
    dryRun: z.boolean().optional(),
  })
  .strict();

/**
 * Releases of several apps, on a System: the matrix of its apps by
 * environment, the plan of a release (a dry run) and the release itself,
 * ONE pull request for every app that is behind. A release needs
 * `luban.promotion.create` in the target environment on EVERY app it
 * contains, decided by the policy as for each app's own promotion.
 */
export function addReleaseRoutes(
  router: Router,
  entityPath: string,
  options: {
    access: EntityAccess;
    targets: EntityTargets;
    release: ReleaseService;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
  },
) {
  const { access, release, httpAuth, permissions } = options;

  async function scopeOf(req: Request): Promise<ReleaseScope> {
    const system = await access.authorizedEntity(req, lubanPromotionReadPermission);
    return releaseScope(options, system, await httpAuth.credentials(req, { allow: ['user', 'service'] }));
  }

  /** Refuses the release unless the policy allows promoting every member into `to` (403 naming those it refuses). */
  async function authorizeRelease(req: Request, scope: ReleaseScope, to: string) {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const decisions = await permissions.authorize(
      scope.members.map(target => ({
        permission: lubanPromotionCreatePermission,
        resourceRef: lubanEnvironmentResourceRef(target.entityRef, to),
      })),
      { credentials },
    );
    const refused = scope.members.filter((_target, index) => decisions[index].result !== AuthorizeResult.ALLOW);
    if (refused.length) {
      throw new NotAllowedError(
        `You may not release ${scope.system} to ${to}: you may not promote ${refused.map(t => t.entityRef).join(', ')} in ${to}; only their owners may, in the environments the permission policy allows them`,
      );
    }
  }

  router.get(`${entityPath}/release`, async (req, res) => {
    res.json(await release.matrix(await scopeOf(req)));
  });

  router.get(`${entityPath}/release/plan`, async (req, res) => {
    const { from, to } = req.query;
    const body = parseBody(releaseBody, { from, to });
    // Checked before the catalog or the platform is asked.
    release.checkEnvironments(body);
    const scope = await scopeOf(req);
    res.json(await release.release(scope, { ...body, dryRun: true }, await access.actorOf(req)));
  });

  router.post(`${entityPath}/release`, async (req, res) => {
    const body = parseBody(releaseBody, req.body);
    release.checkEnvironments(body);
    const run = async () => {
      const scope = await scopeOf(req);
      await authorizeRelease(req, scope, body.to);
      return release.release(scope, body, await access.actorOf(req));
    };
    const meta = { entityRef: access.entityRefOf(req), action: 'release', from: body.from, target: body.to };
    const result = body.dryRun
      ? await run()
      : await access.audited(req, 'luban-release', meta, run, r => ({
          allowed: r.allowed,
          apps: r.members.filter(m => m.behind).map(m => m.app),
          refusedBy: r.members.filter(m => !m.allowed).map(m => m.app),
          pullRequestUrl: r.pullRequest?.url,
        }));
    // Failed gates are an answer, not an error: one row per app says which and why.
    res.json(result);
  });
}
