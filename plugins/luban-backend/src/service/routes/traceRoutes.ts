import { InputError } from '@backstage/errors';
import { IMAGE_DIGEST_PATTERN, lubanPromotionReadPermission } from '@luban-backstage/plugin-luban-common';
import type { Router } from 'express';
import type { DigestTrace } from '../trace/DigestTrace';
import type { EntityAccess } from './entityAccess';

/**
 * The trace of any digest of an app, running or not. It only reads: the
 * Delivery view's permission decides, as for what runs where.
 */
export function addTraceRoutes(router: Router, entityPath: string, access: EntityAccess, trace: DigestTrace) {
  router.get(`${entityPath}/trace/:digest`, async (req, res) => {
    const { digest } = req.params;
    // Checked before the catalog is asked: the digest names git branches and a Harbor artifact.
    if (!IMAGE_DIGEST_PATTERN.test(digest)) throw new InputError(`'${digest.slice(0, 80)}' is not an image digest (sha256:<64 hex digits>)`);
    const target = await access.authorizedTarget(req, lubanPromotionReadPermission);
    res.json(await trace.trace(target, digest));
  });
}
