import { createHash } from 'node:crypto';
import { NotFoundError } from '@backstage/errors';
import { StaleBranchError, type OpenedPullRequest, type PullRequestOptions } from './GitProvider';
import type { RepoLocation } from './repoLocation';
import { normalizeBranch, readKey, SingleFlight } from './support';

/** How many clients a provider keeps; credentials that rotate make new ones. */
const MAX_CLIENTS = 20;

/**
 * The API clients of a provider, one per host and credential. Keyed by a
 * hash: the credential itself is kept only inside the client.
 */
export class ClientCache<T> {
  private readonly clients = new Map<string, T>();

  /** The client for these parts (host, credential…); `create` gets a callback that forgets it again. */
  get(parts: string[], create: (forget: () => void) => T): T {
    const key = createHash('sha256').update(parts.join('\n')).digest('hex');
    let client = this.clients.get(key);
    if (!client) {
      // App installation and bearer tokens rotate; forget old clients rather than grow.
      if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
      client = create(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }
}

/** What a write to a branch is, for the stale-branch check. */
export interface BranchWrite {
  /** Who answers, e.g. `GitHub at github.com`. */
  system: string;
  /** What was being done, e.g. `commit 'a.yaml' to acme/gitops@main`. */
  action: string;
  branch: string;
  expectedHeadSha: string;
}

/** The error of a write whose branch moved since it was read. */
export function staleBranch(write: BranchWrite, actual?: string): StaleBranchError {
  return new StaleBranchError(
    `${write.system} could not ${write.action}: the branch is at ${actual ?? 'another commit'}, not ${write.expectedHeadSha}; someone else committed meanwhile. Read again and retry`,
    write.branch,
    write.expectedHeadSha,
    actual,
  );
}

/**
 * The head of the branch a write is about to go to: a missing branch is
 * not found, a branch that moved is a {@link StaleBranchError}.
 */
export async function currentHead(
  getBranch: (branch: string) => Promise<string | undefined>,
  write: BranchWrite,
): Promise<string> {
  const head = await getBranch(write.branch);
  if (!head) throw new NotFoundError(`${write.system} could not ${write.action}: there is no branch '${write.branch}'`);
  if (head !== write.expectedHeadSha) throw staleBranch(write, head);
  return head;
}

/** The provider calls behind {@link PullRequestOpener.openOrReuse}. */
export interface PullRequestCalls {
  /** The open pull request from head to base, if any (marked reused). */
  findOpen(): Promise<OpenedPullRequest | undefined>;
  create(): Promise<OpenedPullRequest>;
  /** Whether a failed create means that the pull request was opened meanwhile. */
  alreadyOpen(error: unknown): boolean;
  /** The typed error of a failed create. */
  fail(error: unknown): Error;
}

/**
 * Opens a pull request, or returns the open one with the same head and
 * base. Concurrent requests in this process share one call; a create that
 * lost a race with another process finds the winner.
 */
export class PullRequestOpener {
  private readonly opening = new SingleFlight<OpenedPullRequest>();

  openOrReuse(repo: RepoLocation, options: PullRequestOptions, calls: PullRequestCalls): Promise<OpenedPullRequest> {
    const key = readKey(repo, normalizeBranch(options.head, repo), normalizeBranch(options.base, repo));
    const open = async () => {
      const existing = await calls.findOpen();
      if (existing) return existing;
      try {
        return await calls.create();
      } catch (error) {
        if (calls.alreadyOpen(error)) {
          const raced = await calls.findOpen();
          if (raced) return raced;
        }
        throw calls.fail(error);
      }
    };
    return this.opening.run(key, open, opened => ({ ...opened, reused: true }));
  }
}
