import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';

/**
 * What a failed upstream call was doing, for the error message.
 * @public
 */
export interface UpstreamContext {
  /** The system, e.g. `Kubernetes cluster 'prod-eu'` or `Harbor at harbor.example.com`. */
  system: string;
  /** What was being done, e.g. `create Namespace 'snd-acme'`. */
  action: string;
}

const ADVICE: Record<number, string> = {
  401: 'Check the credentials configured for it.',
  403: 'Grant the configured account the permission to do this.',
  429: 'It is rate limiting luban; try again later.',
};

/**
 * Turns an upstream HTTP failure into the matching `@backstage/errors` type
 * with a message that says which system, which object and what to do. The
 * upstream message is kept; no request headers (and so no credential) are.
 * @public
 */
export function upstreamError(
  status: number | undefined,
  upstreamMessage: string | undefined,
  context: UpstreamContext,
): Error {
  const detail = upstreamMessage ? `: ${upstreamMessage}` : '';
  const message = `${context.system} could not ${context.action} (${status ?? 'no response'})${detail}`;
  const advice = status !== undefined ? ADVICE[status] : undefined;
  const full = advice ? `${message}. ${advice}` : message;
  switch (status) {
    case 400:
    case 422:
      return new InputError(full);
    case 401:
      return new AuthenticationError(full);
    case 403:
      return new NotAllowedError(full);
    case 404:
      return new NotFoundError(full);
    case 409:
      return new ConflictError(full);
    default:
      return new ServiceUnavailableError(full);
  }
}

/** The message of a network-level failure (connection refused, timeout), without URLs' credentials. */
export function networkErrorMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const text = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return text.replace(/\/\/[^/@\s]+@/g, '//');
}
