import { ResponseError } from '@backstage/errors';

/**
 * The message the luban backend gave, rather than the generic "Request
 * failed with 404" of a ResponseError, so that users see what is wrong
 * (e.g. which annotation is missing) without expanding an error panel.
 *
 * @public
 */
export function backendMessage(error: Error): string {
  if (error instanceof ResponseError && error.cause.message) {
    return error.cause.message;
  }
  return error.message;
}
