/** The documentation root GitHub points generic errors at. */
export const GENERIC_DOCUMENTATION_URL = 'https://docs.github.com/rest';

/** One entry of a 422's `errors` array: a structured error or, as some endpoints send, a bare string. */
export type ValidationErrorItem =
  | {
      resource: string;
      code: string;
      field?: string;
      message?: string;
      value?: unknown;
    }
  | string;

/** An error answered in GitHub's JSON error format. */
export class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: {
      errors?: ValidationErrorItem[];
      /** Overrides the route's documentation URL. */
      documentationUrl?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  /** The body GitHub sends: message, errors, documentation_url, status (a string). */
  body(routeDocumentationUrl: string) {
    return {
      message: this.message,
      ...(this.details.errors ? { errors: this.details.errors } : {}),
      documentation_url: this.details.documentationUrl ?? routeDocumentationUrl,
      status: String(this.status),
    };
  }
}

/** 404 Not Found, GitHub's answer for anything missing or invisible to the caller. */
export function notFound(message = 'Not Found'): GitHubError {
  return new GitHubError(404, message);
}

/** 422 Validation Failed with structured errors. */
export function validationFailed(
  errors: ValidationErrorItem[],
  message = 'Validation Failed',
): GitHubError {
  return new GitHubError(422, message, { errors });
}

/** 422 for a missing required body field, worded as GitHub words it. */
export function missingField(field: string): GitHubError {
  return new GitHubError(
    422,
    `Invalid request.\n\n"${field}" wasn't supplied.`,
  );
}

/** 409 for Git Database calls on a repository without commits. */
export function repositoryEmpty(): GitHubError {
  return new GitHubError(409, 'Git Repository is empty.');
}

/** 401 for a token GitHub does not know. */
export function badCredentials(): GitHubError {
  return new GitHubError(401, 'Bad credentials', {
    documentationUrl: GENERIC_DOCUMENTATION_URL,
  });
}
