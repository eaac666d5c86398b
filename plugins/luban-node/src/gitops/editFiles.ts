import { ConflictError, NotFoundError } from '@backstage/errors';
import { StaleBranchError, type EditFileResult, type FileChange, type GitProvider } from '../git/GitProvider';
import type { RepoLocation } from '../git/repoLocation';
import { describeRepo } from '../git/support';

/**
 * An edit of one file: the new content given the current one (`undefined`
 * when the file does not exist), or `undefined` to leave it. It may be called
 * once per attempt, so it must only compute, never have side effects.
 * @public
 */
export type FileEdit = (current: string | undefined) => string | undefined;

/**
 * Options of {@link editFiles}.
 * @public
 */
export interface EditFilesOptions {
  branch: string;
  message: string;
  /** The edit of each path; a path whose edit changes nothing is not committed. */
  edits: Record<string, FileEdit>;
  /** How many read–edit–write attempts before giving up. Default 5. */
  maxAttempts?: number;
}

/**
 * The provider primitives a compare-and-set edit needs.
 * @public
 */
export type EditingProvider = Pick<GitProvider, 'getBranch' | 'readFile' | 'commitFiles'>;

const DEFAULT_ATTEMPTS = 5;

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * The changes the edits make to the files as they are at `head`: read at the
 * commit, not the branch name, so that the content and the expected head
 * belong together.
 * @public
 */
export async function changesAt(
  provider: Pick<GitProvider, 'readFile'>,
  repo: RepoLocation,
  head: string,
  edits: Record<string, FileEdit>,
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  for (const [path, edit] of Object.entries(edits)) {
    const current = (await provider.readFile(repo, path, head))?.content;
    const next = edit(current);
    if (next !== undefined && next !== current) changes.push({ path, content: next });
  }
  return changes;
}

/**
 * The one read–edit–compare-and-set loop, for any provider: reads the files
 * at the branch head, applies the edits, and commits only if the branch has
 * not moved. When it has, everything is re-read and the edits re-applied to
 * the new content, so a concurrent change is never overwritten. Edits that
 * change nothing commit nothing.
 * @public
 */
export async function editFiles(
  provider: EditingProvider,
  repo: RepoLocation,
  options: EditFilesOptions,
): Promise<EditFileResult> {
  const attempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  const paths = Object.keys(options.edits).map(path => `'${path}'`).join(', ');
  for (let attempt = 1; ; attempt++) {
    const head = await provider.getBranch(repo, options.branch);
    if (!head) {
      throw new NotFoundError(
        `Cannot edit ${paths} in ${describeRepo(repo)}: it has no branch '${options.branch}'. Create the branch first`,
      );
    }
    const files = await changesAt(provider, repo, head, options.edits);
    if (files.length === 0) return { changed: false };
    try {
      const { commitSha } = await provider.commitFiles(repo, {
        branch: options.branch,
        expectedHeadSha: head,
        message: options.message,
        files,
      });
      return { changed: true, commitSha };
    } catch (error) {
      if (!(error instanceof StaleBranchError)) throw error;
      if (attempt >= attempts) {
        throw new ConflictError(
          `Could not edit ${paths} in ${describeRepo(repo)}@${options.branch}: the branch moved under each of ${attempts} attempts. Try again`,
        );
      }
      // Spread the retries of concurrent editors apart.
      await pause(attempt * (10 + Math.floor(Math.random() * 40)));
    }
  }
}
