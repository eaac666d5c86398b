import { lubanPromotionReadPermission, type LubanPreviews } from '@luban-backstage/plugin-luban-common';
import type { Router } from 'express';
import type { PreviewReader } from '../previews/PreviewReader';
import type { EntityAccess } from './entityAccess';

/**
 * The app's open pull-request previews, for the Delivery view: the same
 * read permission as the environments it runs beside. A read: not audited.
 */
export function addPreviewRoutes(router: Router, entityPath: string, access: EntityAccess, previews: PreviewReader) {
  router.get(`${entityPath}/previews`, async (req, res) => {
    const target = await access.authorizedTarget(req, lubanPromotionReadPermission);
    const body: LubanPreviews = { previews: await previews.list(target) };
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(body);
  });
}
