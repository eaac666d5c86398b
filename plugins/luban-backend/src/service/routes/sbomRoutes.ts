import { InputError } from '@backstage/errors';
import { IMAGE_DIGEST_PATTERN, lubanPromotionReadPermission, shortDigest } from '@luban-backstage/plugin-luban-common';
import type { Router } from 'express';
import type { BuildService } from '../types';
import type { EntityAccess } from './entityAccess';

/**
 * The SBOM of any digest of an app, as Harbor generated it (SPDX JSON). The
 * Delivery view's read permission decides, as for the trace that shows it;
 * each download is audited (`luban-sbom-download`), refused ones too, since
 * an SBOM lists everything an image is made of.
 */
export function addSbomRoutes(router: Router, entityPath: string, access: EntityAccess, builds: BuildService) {
  router.get(`${entityPath}/sbom/:digest`, async (req, res) => {
    const { digest } = req.params;
    // Checked before the catalog is asked: the digest names a Harbor artifact.
    if (!IMAGE_DIGEST_PATTERN.test(digest)) throw new InputError(`'${digest.slice(0, 80)}' is not an image digest (sha256:<64 hex digits>)`);
    const sbom = await access.audited(
      req,
      'luban-sbom-download',
      { entityRef: access.entityRefOf(req), action: 'download-sbom', digest },
      async () => builds.readSbom(await access.authorizedTarget(req, lubanPromotionReadPermission), digest),
      result => ({ sbomDigest: result.sbomDigest, bytes: result.content.length }),
    );
    const entityName = access.entityRefOf(req).split('/').pop() ?? 'sbom';
    // Harbor asks its scanner for SPDX JSON (application/spdx+json, the type IANA registered for it).
    res.setHeader('Content-Type', 'application/spdx+json');
    res.setHeader('Content-Disposition', `attachment; filename="${entityName.replace(/[^\w.-]/g, '')}-${shortDigest(digest)}.spdx.json"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.status(200).end(sbom.content);
  });
}
