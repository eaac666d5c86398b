import type { RepoLocation } from './repoLocation';
import { describeRepo } from './support';

/** How long a confirmed answer of a watched repository is used without asking again, by default (`luban.gitops.maxStaleness`). */
export const DEFAULT_MAX_STALENESS_MS = 60_000;

/**
 * The repository a watch entry is about: its host and its name on it.
 * @public
 */
export type WatchedRepository = Pick<RepoLocation, 'provider' | 'host' | 'owner' | 'organization' | 'project' | 'repo'>;

/**
 * What luban last confirmed with a git host about a repository — a branch
 * head, the open pull requests — used again without asking while a webhook
 * watches the repository, as Argo CD trusts its cache between webhook
 * deliveries: until a delivery, or a write of luban's through the host's API,
 * says the repository changed, and at most `maxStalenessMs` after the answer
 * was asked for (a lost delivery is caught then). A repository counts as
 * watched once a delivery of its webhook arrived (on any replica: replicas
 * pass deliveries on). Unwatched repositories are asked on every read, with
 * a conditional request.
 * @public
 */
export class RepositoryWatch {
  private readonly deliveredAt = new Map<string, number>();
  private readonly changedAt = new Map<string, number>();
  private readonly clock: () => number;

  constructor(private readonly options: { maxStalenessMs: number; now?: () => number }) {
    // Monotonic, and finer than a millisecond: a question asked right after a delivery is after it.
    this.clock = options.now ?? (() => performance.now());
  }

  /** Now, on the watch's clock: callers stamp a question with it before they send it. */
  now(): number {
    return this.clock();
  }

  /** A delivery of the repository's webhook arrived: a webhook watches it, and it changed. */
  delivered(repo: WatchedRepository): void {
    const now = this.clock();
    this.deliveredAt.set(watchKey(repo), now);
    this.changedAt.set(watchKey(repo), now);
  }

  /** The repository changed (luban wrote to it, or a delivery passed on by another replica said so). */
  changed(repo: WatchedRepository): void {
    this.changedAt.set(watchKey(repo), this.clock());
  }

  /** Whether an answer asked for at `askedAt` still holds without asking again. */
  trusts(repo: WatchedRepository, askedAt: number): boolean {
    const key = watchKey(repo);
    if (!this.deliveredAt.has(key)) return false;
    // Asked at the very instant of the change is not after it.
    if (askedAt <= (this.changedAt.get(key) ?? -Infinity)) return false;
    return this.clock() - askedAt < this.options.maxStalenessMs;
  }
}

function watchKey(repo: WatchedRepository): string {
  return JSON.stringify([repo.provider, repo.host.toLowerCase(), describeRepo(repo).toLowerCase()]);
}
