import { InputError } from '@backstage/errors';
import { networkErrorMessage, upstreamError, type UpstreamContext } from '../errors';
import type { RepoLocation } from './repoLocation';

/** A full commit sha: a ref that never moves. */
export const FULL_SHA = /^[0-9a-f]{40}$/i;

/** What to do about failures `upstreamError` gives no advice for. */
function adviceFor(status: number | undefined): string | undefined {
  if (status === 404) return 'Check that it exists and that the configured account can see it';
  if (status === undefined) return 'Check that the host is reachable from Backstage; try again later';
  if (status >= 500) return 'The service failed or is unavailable; try again later';
  return undefined;
}

/** `upstreamError` with advice for a missing object and an unavailable service too. */
export function gitUpstreamError(status: number | undefined, message: string | undefined, context: UpstreamContext): Error {
  const error = upstreamError(status, message, context);
  const advice = adviceFor(status);
  if (advice) error.message = `${error.message}. ${advice}.`;
  return error;
}

/** The network-level failure of a request that got no answer. */
export function networkError(error: unknown, context: UpstreamContext): Error {
  return gitUpstreamError(undefined, networkErrorMessage(error), context);
}

/** `owner/repo` or `organization/project/repo`, as messages name a repository. */
export function describeRepo(repo: Pick<RepoLocation, 'provider' | 'owner' | 'organization' | 'project' | 'repo'>): string {
  return repo.provider === 'github'
    ? `${repo.owner}/${repo.repo}`
    : `${repo.organization}/${repo.project}/${repo.repo}`;
}

/** A path inside the repository without leading slash; refuses `..` and empty segments. */
export function normalizePath(path: string, repo: RepoLocation): string {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const segments = trimmed.split('/');
  if (!trimmed || segments.some(s => !s || s === '.' || s === '..')) {
    throw new InputError(`'${path}' is not a valid file path in ${describeRepo(repo)}`);
  }
  return trimmed;
}

/** Encodes each segment of a path for a web URL. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A validated branch name (no `refs/heads/` prefix). */
export function normalizeBranch(branch: string, repo: RepoLocation): string {
  const name = branch.replace(/^refs\/heads\//, '');
  if (!name || /\.\.|[\s~^:?*[\\]|^\/|\/$|\.lock$|@\{/.test(name)) {
    throw new InputError(`'${branch}' is not a valid branch name in ${describeRepo(repo)}`);
  }
  return name;
}

/**
 * A small least-recently-used map for conditional reads: a value and the
 * ETag the server gave it.
 */
export class EtagCache<T> {
  private readonly entries = new Map<string, { etag: string; value: T }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string): { etag: string; value: T } | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Re-insert: the map keeps insertion order, the oldest goes first.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, etag: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { etag, value });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/** The cache key of a file read. */
export function readKey(repo: RepoLocation, path: string, ref: string): string {
  return JSON.stringify([repo.provider, repo.host, describeRepo(repo).toLowerCase(), path, ref]);
}

/**
 * Runs `fn` once for concurrent callers with the same key: those who join a
 * running call get its outcome through `joined`.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  async run(key: string, fn: () => Promise<T>, joined: (value: T) => T = value => value): Promise<T> {
    const running = this.running.get(key);
    if (running) return joined(await running);
    const work = fn();
    this.running.set(key, work);
    try {
      return await work;
    } finally {
      this.running.delete(key);
    }
  }
}
