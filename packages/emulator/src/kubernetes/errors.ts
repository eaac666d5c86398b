/**
 * `Status` bodies exactly as kube-apiserver writes them
 * (k8s.io/apimachinery/pkg/api/errors).
 */

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/** An error the router turns into a `Status` response. */
export class StatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

function failure(
  code: number,
  reason: string,
  message: string,
  statusDetails?: StatusDetails,
): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(statusDetails ? { details: statusDetails } : {}),
    code,
  });
}

/** The resource as the API server names it in messages: `namespaces` or `images.kpack.io`. */
export function qualifiedResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

function details(name: string, plural: string, group: string): StatusDetails {
  return group ? { name, group, kind: plural } : { name, kind: plural };
}

export function notFound(plural: string, group: string, name: string) {
  return failure(
    404,
    'NotFound',
    `${qualifiedResource(plural, group)} "${name}" not found`,
    details(name, plural, group),
  );
}

export function alreadyExists(plural: string, group: string, name: string) {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(plural, group)} "${name}" already exists`,
    details(name, plural, group),
  );
}

export function conflict(plural: string, group: string, name: string) {
  return failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(name, plural, group),
  );
}

export function invalid(
  kind: string,
  group: string,
  name: string,
  causes: Array<{ field: string; message: string; reason?: string }>,
) {
  const messages = causes.map(c => `${c.field}: ${c.message}`);
  const joined =
    messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  return failure(
    422,
    'Invalid',
    `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${joined}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map(c => ({
        reason: c.reason ?? 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    },
  );
}

export function badRequest(message: string) {
  return failure(400, 'BadRequest', message);
}

export function forbidden(
  plural: string,
  group: string,
  name: string,
  why: string,
) {
  return failure(
    403,
    'Forbidden',
    `${qualifiedResource(plural, group)} "${name}" is forbidden: ${why}`,
    details(name, plural, group),
  );
}

export function methodNotAllowed() {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unsupportedMediaType(contentType: string) {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${contentType})`,
  );
}

export function unauthorized() {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function gone(message: string) {
  return failure(410, 'Expired', message);
}

export function internalError(message: string) {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function serviceUnavailable(message: string) {
  return failure(503, 'ServiceUnavailable', message);
}

/** The body a DELETE of a non-graceful resource answers with. */
export function deleted(plural: string, group: string, name: string, uid: string): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...details(name, plural, group), uid },
  };
}
