import { lubanPromotionReadPermission } from '@luban-backstage/plugin-luban-common';
import type { Router } from 'express';
import type { EntityTargets } from '../EntityTargets';
import type { EntityAccess } from './entityAccess';

/**
 * The luban project of an entity and the names of what it owns on the
 * platform, readable by whoever may read its promotion view, for an entity
 * of the project's owner group.
 */
export function addProjectRoutes(router: Router, entityPath: string, access: EntityAccess, targets: EntityTargets) {
  router.get(`${entityPath}/project`, async (req, res) => {
    const entity = await access.authorizedEntity(req, lubanPromotionReadPermission);
    res.json(await targets.projectOf(entity));
  });
}
