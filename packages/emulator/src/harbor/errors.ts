/**
 * Harbor's error codes (goharbor/harbor `src/lib/errors/const.go`) and the
 * status each one is answered with (`src/lib/http/error.go`). Validation
 * failures raised by go-swagger before a handler runs keep their own status
 * (422) and take the upper-cased status text as their code.
 */
const STATUS_OF_CODE = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION: 412,
  UNPROCESSABLE_ENTITY: 422,
  UNKNOWN: 500,
} as const;

/** An error code Harbor puts into `{"errors":[{"code","message"}]}`. */
export type HarborErrorCode = keyof typeof STATUS_OF_CODE;

/** A failure answered with Harbor's error body and the status of its code. */
export class HarborError extends Error {
  constructor(readonly code: HarborErrorCode, message: string) {
    super(message);
  }

  /** The HTTP status Harbor maps this code to. */
  get status(): number {
    return STATUS_OF_CODE[this.code];
  }

  /** The response body, exactly as Harbor writes it. */
  body() {
    return { errors: [{ code: this.code, message: this.message }] };
  }
}

/** 400: the request is malformed or violates a rule of Harbor's. */
export const badRequest = (message: string) =>
  new HarborError('BAD_REQUEST', message);
/** 401: no valid credentials (Harbor treats bad credentials as anonymous). */
export const unauthorized = (message = 'unauthorized') =>
  new HarborError('UNAUTHORIZED', message);
/** 403: authenticated, but the principal lacks the permission. */
export const forbidden = (message = 'forbidden') =>
  new HarborError('FORBIDDEN', message);
/** 404: the named object does not exist. */
export const notFound = (message: string) =>
  new HarborError('NOT_FOUND', message);
/** 409: an object of that name already exists. */
export const conflict = (message: string) =>
  new HarborError('CONFLICT', message);
/** 412: the object is in a state that forbids the operation. */
export const precondition = (message: string) =>
  new HarborError('PRECONDITION', message);
/** 422: go-swagger's parameter validation failed (bad type, missing or out of range). */
export const unprocessable = (message: string) =>
  new HarborError('UNPROCESSABLE_ENTITY', message);
