import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http';
import { canAccessProject, type Principal } from './access';
import { HarborError, notFound } from './errors';
import { isDigest } from './model';
import { sendEmpty } from './routes/common';
import type { HarborState } from './state';

/**
 * The registry side of Harbor (`/v2/`, the distribution API that docker,
 * kpack and the kubelet use), as far as its authorization goes: Harbor core's
 * `v2auth` middleware maps the method to an action (GET/HEAD pull;
 * POST/PUT/PATCH push; DELETE delete), checks `repository:<action>` in the
 * repository's project and answers a missing right with 401 UNAUTHORIZED
 * `unauthorized to access repository: <name>, action: <action>`, whoever
 * asks. Behind it, uploads are accepted without storing blobs, a manifest
 * PUT records a push (the artifact, its digest and tag), and manifest reads
 * answer from the recorded artifacts.
 */

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** `<name>/manifests/<reference>` or `<name>/blobs/uploads/[<uuid>]`, where a name may contain `/`. */
const REGISTRY_PATH =
  /^\/v2\/(.+?)\/(?:manifests\/([^/]+)|blobs\/uploads\/([^/]*))$/;

const ACTIONS: Record<string, string> = {
  GET: 'pull',
  HEAD: 'pull',
  POST: 'push',
  PUT: 'push',
  PATCH: 'push',
  DELETE: 'delete',
};

function challenge(
  req: IncomingMessage,
  res: ServerResponse,
  baseUrl: string,
  scope?: string,
) {
  res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
  // With credentials Harbor asks for basic auth again; without, it points the CLI at its token service.
  res.setHeader(
    'Www-Authenticate',
    req.headers.authorization
      ? 'Basic realm="harbor"'
      : `Bearer realm="${baseUrl}/service/token",service="harbor-registry"${
          scope ? `,scope="${scope}"` : ''
        }`,
  );
}

/** A synthesized image manifest for an artifact the registry holds (the emulator stores no layers). */
function manifestOf(digest: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest,
      size: 0,
    },
    layers: [],
  });
}

/** Answers one `/v2/` request, or throws a {@link HarborError}. */
export async function handleRegistry(
  state: HarborState,
  baseUrl: string,
  call: {
    req: IncomingMessage;
    res: ServerResponse;
    path: string;
    principal: Principal;
  },
): Promise<void> {
  const { req, res, path, principal } = call;
  const method = req.method ?? 'GET';
  if (path === '/v2/' || path === '/v2') {
    if (principal.kind === 'anonymous') {
      challenge(req, res, baseUrl);
      throw new HarborError('UNAUTHORIZED', 'unauthorized');
    }
    sendJson(
      res,
      200,
      {},
      { 'Docker-Distribution-Api-Version': 'registry/2.0' },
    );
    return;
  }
  const match = REGISTRY_PATH.exec(path);
  if (!match) throw notFound(`path ${path} was not found`);
  const [, name, reference, upload] = match;
  const action = ACTIONS[method] ?? '';
  const project = state.requireProject(name.split('/')[0]);
  if (!canAccessProject(principal, project, `repository:${action}`)) {
    challenge(
      req,
      res,
      baseUrl,
      `repository:${name}:${action === 'push' ? 'pull,push' : action}`,
    );
    throw new HarborError(
      'UNAUTHORIZED',
      `unauthorized to access repository: ${name}, action: ${action}`,
    );
  }
  const repository = name.slice(project.name.length + 1);
  if (upload !== undefined) {
    // Blobs are not stored: an upload is accepted, and completing it (PUT) acknowledges the digest.
    const uuid = upload || randomUUID();
    const status = method === 'PUT' ? 201 : 202;
    sendEmpty(res, status, {
      Location: `/v2/${name}/blobs/uploads/${uuid}`,
      'Docker-Upload-UUID': uuid,
      Range: '0-0',
    });
    return;
  }
  if (method === 'PUT') {
    const body = await readBody(req);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    state.pushArtifact({
      project: project.name,
      repository,
      digest,
      tags: isDigest(reference) ? [] : [reference],
    });
    sendEmpty(res, 201, {
      Location: `/v2/${name}/manifests/${digest}`,
      'Docker-Content-Digest': digest,
    });
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    throw new HarborError(
      'METHOD_NOT_ALLOWED',
      `method ${method} is not allowed`,
    );
  }
  const artifact = state.requireArtifact(name, reference);
  const manifest = manifestOf(artifact.digest);
  res.writeHead(200, {
    'Content-Type': OCI_MANIFEST,
    'Content-Length': String(Buffer.byteLength(manifest)),
    'Docker-Content-Digest': artifact.digest,
  });
  res.end(method === 'HEAD' ? undefined : manifest);
}
