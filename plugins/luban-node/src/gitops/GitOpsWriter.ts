import { NotFoundError } from '@backstage/errors';
import { BranchProtectedError, type GitProvider, type OpenedPullRequest } from '../git/GitProvider';
import type { RepoLocation } from '../git/repoLocation';
import { SingleFlight } from '../git/support';
import { editFiles, type FileEdit } from './editFiles';

/**
 * A change proposed through a pull request: the branch it is made on
 * (created from the base branch's head) and the pull request's text.
 * @public
 */
export interface ChangeProposal {
  branch: string;
  title: string;
  body: string;
}

/**
 * A change to files of a GitOps repository.
 * @public
 */
export interface GitOpsChange {
  /** The branch the change is for: committed to, or the base of the pull request. */
  branch: string;
  message: string;
  /** The edit of each path; see {@link editFiles}. */
  edits: Record<string, FileEdit>;
  /** Where the change goes when it cannot (or must not) be committed to `branch`. */
  proposal: ChangeProposal;
}

/**
 * What a {@link GitOpsWriter} did.
 * @public
 */
export interface GitOpsWriteResult {
  /** The commit made, on `branch` or on the proposal branch; undefined when nothing had to change. */
  commitSha?: string;
  /** The pull request that proposes the change, when it was proposed. */
  pullRequest?: OpenedPullRequest;
}

/**
 * The one way luban writes to a GitOps repository: a compare-and-set commit
 * on the branch, or a pull request from a branch of its own. Every write is
 * idempotent by content, so identical requests — retried, concurrent, or
 * from several backend replicas — converge on one commit or one pull
 * request. Providers know nothing about it: it only uses their primitives.
 * @public
 */
export class GitOpsWriter {
  /** Concurrent identical proposals in this process share one run. */
  private readonly proposing = new SingleFlight<GitOpsWriteResult & { pullRequest: OpenedPullRequest }>();

  constructor(private readonly git: { forRepository(repo: RepoLocation): GitProvider }) {}

  /**
   * Commits the change to `branch`; when the branch is protected, proposes it
   * instead. A proposal branch that exists already is kept to, rather than
   * knocking at the protected branch again.
   */
  async commitOrPropose(repo: RepoLocation, change: GitOpsChange): Promise<GitOpsWriteResult> {
    const provider = this.git.forRepository(repo);
    if (!(await provider.getBranch(repo, change.proposal.branch))) {
      try {
        const { commitSha } = await editFiles(provider, repo, change);
        return { commitSha };
      } catch (error) {
        // The branch only takes pull requests.
        if (!(error instanceof BranchProtectedError)) throw error;
      }
    }
    return this.proposeChange(repo, change);
  }

  /**
   * Creates the proposal branch from the head of `branch` unless it exists,
   * commits the change on it (a no-op when it already holds it) and opens
   * the pull request, or reuses the open one.
   */
  proposeChange(repo: RepoLocation, change: GitOpsChange): Promise<GitOpsWriteResult & { pullRequest: OpenedPullRequest }> {
    const key = JSON.stringify([repo.webUrl, change.proposal.branch]);
    return this.proposing.run(
      key,
      async () => {
        const provider = this.git.forRepository(repo);
        const { branch, proposal } = change;
        const head = await provider.getBranch(repo, branch);
        if (!head) throw new NotFoundError(`The GitOps repository ${repo.webUrl} has no branch '${branch}'`);
        await provider.ensureBranch(repo, proposal.branch, head);
        const { commitSha } = await editFiles(provider, repo, { ...change, branch: proposal.branch });
        const pullRequest = await provider.openOrReusePullRequest(repo, {
          head: proposal.branch,
          base: branch,
          title: proposal.title,
          body: proposal.body,
        });
        return { commitSha, pullRequest };
      },
      joined => ({ ...joined, pullRequest: { ...joined.pullRequest, reused: true } }),
    );
  }
}
