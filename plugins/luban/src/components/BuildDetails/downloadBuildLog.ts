import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { LubanApi } from '../../api';

/**
 * Browsers start the download asynchronously after the click; revoking the
 * object URL at once can cancel it.
 */
const REVOKE_AFTER_MS = 10_000;

/** The file name the backend would give the log too: `<build>[-<step>].log`. */
export function buildLogFileName(build: string, step?: string): string {
  return `${build}${step ? `-${step}` : ''}.log`;
}

/**
 * Saves a build's log as a file. The text is read through the API (a plain
 * link to the log endpoint would lack the user's Backstage token) and handed
 * to the browser as a Blob.
 */
export async function downloadBuildLog(
  lubanApi: LubanApi,
  entityRef: CompoundEntityRef,
  build: string,
  step?: string,
): Promise<void> {
  const chunks: string[] = [];
  await lubanApi.streamBuildLog(entityRef, build, chunk => chunks.push(chunk), {
    step,
  });
  const blob = new Blob(chunks, { type: 'text/plain;charset=utf-8' });
  saveBlob(blob, buildLogFileName(build, step));
}

/** Hands a Blob to the browser as a file download of that name. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
