import type { CompoundEntityRef } from '@backstage/catalog-model';
import { shortDigest } from '@luban-backstage/plugin-luban-common';
import type { LubanApi } from '../../api';
import { saveBlob } from './downloadBuildLog';

/** The file name the backend gives the SBOM too: `<app>-<short digest>.spdx.json`. */
export function sbomFileName(
  entityRef: CompoundEntityRef,
  digest: string,
): string {
  return `${entityRef.name}-${shortDigest(digest)}.spdx.json`;
}

/**
 * Saves the SBOM of a digest as a file. It is read through the API (a plain
 * link would lack the user's Backstage token) and handed to the browser as a
 * Blob.
 */
export async function downloadSbom(
  lubanApi: LubanApi,
  entityRef: CompoundEntityRef,
  digest: string,
): Promise<void> {
  const blob = await lubanApi.getSbom(entityRef, digest);
  saveBlob(blob, sbomFileName(entityRef, digest));
}
