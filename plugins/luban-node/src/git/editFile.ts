import { ConflictError, NotFoundError } from '@backstage/errors';
import { StaleBranchError, type EditFileOptions, type EditFileResult, type GitProvider } from './GitProvider';
import type { RepoLocation } from './repoLocation';
import { describeRepo } from './support';

const DEFAULT_ATTEMPTS = 5;

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * The read–edit–compare-and-set loop behind {@link GitProvider.editFile},
 * for any provider: reads the file at the branch head, applies `edit`, and
 * commits only if the branch has not moved. When it has, everything is
 * re-read and the edit re-applied to the new content, so a concurrent
 * change is never overwritten.
 * @public
 */
export async function editFileWithRetries(
  provider: Pick<GitProvider, 'getBranch' | 'readFile' | 'commitFiles'>,
  repo: RepoLocation,
  options: EditFileOptions,
): Promise<EditFileResult> {
  const attempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    const head = await provider.getBranch(repo, options.branch);
    if (!head) {
      throw new NotFoundError(
        `Cannot edit '${options.path}' in ${describeRepo(repo)}: it has no branch '${options.branch}'. Create the branch first`,
      );
    }
    // Read at the commit, not the branch name: the content and the expected head then belong together.
    const current = await provider.readFile(repo, options.path, head);
    const next = options.edit(current?.content);
    if (next === undefined || next === current?.content) return { changed: false };
    try {
      const { commitSha } = await provider.commitFiles(repo, {
        branch: options.branch,
        expectedHeadSha: head,
        message: options.message,
        files: [{ path: options.path, content: next }],
      });
      return { changed: true, commitSha };
    } catch (error) {
      if (!(error instanceof StaleBranchError)) throw error;
      if (attempt >= attempts) {
        throw new ConflictError(
          `Could not edit '${options.path}' in ${describeRepo(repo)}@${options.branch}: the branch moved under each of ${attempts} attempts. Try again`,
        );
      }
      // Spread the retries of concurrent editors apart.
      await pause(attempt * (10 + Math.floor(Math.random() * 40)));
    }
  }
}
