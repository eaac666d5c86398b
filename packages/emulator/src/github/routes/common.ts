import {
  GitHubError,
  missingField,
  notFound,
  repositoryEmpty,
} from '../errors';
import type { GitSignature } from '../gitObjects';
import type { Account, RepoRecord } from '../model';
import { paginate } from '../pagination';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';

/**
 * Declares a route. Reads are open to anonymous callers (repository lookups
 * then hide private repositories); writes need a token.
 */
export function route(
  method: Route['method'],
  path: string,
  docs: string,
  handle: Route['handle'],
  options: { requiresAuth?: boolean } = {},
): Route {
  return {
    method,
    path,
    docs,
    handle,
    requiresAuth: options.requiresAuth ?? method !== 'GET',
  };
}

/** A JSON answer. */
export function json(
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): ApiResponse {
  return { status, body, headers };
}

/** 204 No Content. */
export function noContent(): ApiResponse {
  return { status: 204 };
}

/** A page of a list, with GitHub's Link header. */
export function page<T>(req: ApiRequest, items: T[]): ApiResponse {
  const paged = paginate(items, req.query, req.url.toString());
  return { status: 200, body: paged.items, headers: paged.headers };
}

/** The repository of `{owner}/{repo}`; 404 when missing or private and the caller is anonymous. */
export function visibleRepo(state: GitHubState, req: ApiRequest): RepoRecord {
  const repo = state.findRepo(req.params.owner, req.params.repo);
  if (!repo || (repo.visibility !== 'public' && !req.viewer)) throw notFound();
  return repo;
}

/** The repository of `{owner}/{repo}` for a write; archived repositories are read-only. */
export function writableRepo(state: GitHubState, req: ApiRequest): RepoRecord {
  const repo = visibleRepo(state, req);
  if (repo.settings.archived)
    throw new GitHubError(403, 'Repository was archived so is read-only.');
  return repo;
}

/** 409 when the repository has no commits yet (Git Database and commit calls). */
export async function requireCommits(
  state: GitHubState,
  repo: RepoRecord,
): Promise<void> {
  if (await state.isEmpty(repo)) throw repositoryEmpty();
}

/** A string body field; `required` ones answer 422 when missing. */
export function stringField(
  req: ApiRequest,
  name: string,
  required: true,
): string;
export function stringField(
  req: ApiRequest,
  name: string,
  required?: false,
): string | undefined;
export function stringField(
  req: ApiRequest,
  name: string,
  required = false,
): string | undefined {
  const value = req.body[name];
  if (value === undefined || value === null) {
    if (required) throw missingField(name);
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/${name}', ${JSON.stringify(
        value,
      )} is not a string.`,
    );
  }
  return value;
}

/** A boolean body field, or undefined when absent. */
export function booleanField(
  req: ApiRequest,
  name: string,
): boolean | undefined {
  const value = req.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/${name}', ${JSON.stringify(
        value,
      )} is not a boolean.`,
    );
  }
  return value;
}

/** The `ref` query parameter, or the default branch. */
export async function refOrDefault(
  state: GitHubState,
  req: ApiRequest,
  repo: RepoRecord,
): Promise<string> {
  return req.query.get('ref') || (await state.defaultBranch(repo));
}

/** How many public and private repositories an account owns (user and organization answers carry them). */
export function countRepos(state: GitHubState, owner: Account) {
  const owned = state.allRepos().filter(repo => repo.owner.id === owner.id);
  return {
    public: owned.filter(repo => repo.visibility === 'public').length,
    private: owned.filter(repo => repo.visibility !== 'public').length,
  };
}

/** An organization by its login; 404 for the bot (a user) and invalid names. */
export function organization(state: GitHubState, login: string): Account {
  const org = state.account(login);
  if (!org || org.type !== 'Organization') throw notFound();
  return org;
}

/**
 * A `{name, email, date}` body field (author or committer), or undefined;
 * 422 with the API's own `missing(field)` message when name or email lacks.
 */
export function signatureField(
  req: ApiRequest,
  field: 'author' | 'committer',
  missing: (field: string) => string,
): GitSignature | undefined {
  const value = req.body[field] as
    | { name?: unknown; email?: unknown; date?: unknown }
    | undefined;
  if (!value) return undefined;
  if (typeof value.name !== 'string' || typeof value.email !== 'string') {
    throw new GitHubError(422, `Invalid request.\n\n${missing(field)}`);
  }
  return {
    name: value.name,
    email: value.email,
    date: typeof value.date === 'string' ? value.date : undefined,
  };
}
