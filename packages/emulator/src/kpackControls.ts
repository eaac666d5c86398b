import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrl, readBody, sendJson } from './http';
import { publishRunImage } from './kubernetes/controllers/kpackRebase';
import type { KubeStore } from './kubernetes/state';

/** The kpack control: publish a new run image of the stack (`POST /_emulator/kpack/stack`). */
const STACK_CONTROL = '/_emulator/kpack/stack';

/**
 * Serves the emulated kpack's controls that are not part of its wire API;
 * answers false for any other path. `POST /_emulator/kpack/stack` with an
 * optional `{ "builder": "<ClusterBuilder>" }` publishes a new run image to
 * that builder (default: every ClusterBuilder), as a patched stack would:
 * each Image whose latest build succeeded gets a STACK build, a rebase.
 */
export async function handleKpackControl(req: IncomingMessage, res: ServerResponse, store: KubeStore): Promise<boolean> {
  if (parseUrl(req).pathname !== STACK_CONTROL) return false;
  if (req.method !== 'POST') {
    sendJson(res, 405, { message: `${STACK_CONTROL} takes POST` });
    return true;
  }
  const text = (await readBody(req)).toString('utf8').trim();
  let builder: unknown;
  try {
    builder = text ? JSON.parse(text).builder : undefined;
  } catch {
    sendJson(res, 400, { message: 'the body must be JSON: { "builder"?: string }' });
    return true;
  }
  if (builder !== undefined && typeof builder !== 'string') {
    sendJson(res, 400, { message: '"builder" must be the name of a ClusterBuilder' });
    return true;
  }
  const published = publishRunImage(store, builder);
  if (published.length === 0) {
    sendJson(res, 404, { message: builder ? `no ClusterBuilder '${builder}'` : 'no ClusterBuilder to publish a run image to' });
    return true;
  }
  sendJson(res, 200, { items: published });
  return true;
}
