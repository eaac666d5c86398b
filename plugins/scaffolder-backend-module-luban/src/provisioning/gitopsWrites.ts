import { InputError } from '@backstage/errors';
import {
  changesAt,
  GitOpsWriter,
  type FileEdit,
  type GitProvider,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';

export type { FileEdit };

/** Where changes go when the target branch is protected: a branch and its pull request. */
export interface Proposal {
  branch: string;
  title: string;
  /** The pull request's description, given the paths it changes. */
  body: (paths: string[]) => string;
}

/** What a write to a GitOps repository did. */
export interface GitopsWriteOutcome {
  /** The paths written (or proposed). */
  paths: string[];
  /** The commit, when one was needed. */
  commitSha?: string;
  /** The pull request that proposes the change, when the branch is protected. */
  pullRequestUrl?: string;
}

/** The files not yet on a branch. */
export async function missingFiles(
  provider: GitProvider,
  repo: RepoLocation,
  branch: string,
  files: Record<string, string>,
): Promise<string[]> {
  const head = await provider.getBranch(repo, branch);
  if (!head) return Object.keys(files);
  const missing: string[] = [];
  for (const path of Object.keys(files)) {
    if (!(await provider.readFile(repo, path, head))) missing.push(path);
  }
  return missing;
}

/** Commits the edits to `branch`, or proposes them when it is protected, through luban's one GitOps writer. */
async function commitOrPropose(
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; message: string; proposal: Proposal; paths: string[]; edits: Record<string, FileEdit> },
): Promise<GitopsWriteOutcome> {
  const { branch, message, proposal, paths, edits } = options;
  const writer = new GitOpsWriter({ forRepository: () => provider });
  const result = await writer.commitOrPropose(repo, {
    branch,
    message,
    edits,
    proposal: { branch: proposal.branch, title: proposal.title, body: proposal.body(paths) },
  });
  return { paths, commitSha: result.commitSha, pullRequestUrl: result.pullRequest?.webUrl };
}

/**
 * Adds the files missing on `branch` in one commit. Files that exist are
 * kept as they are: overlays carry deployed digests and teams adapt the rest.
 */
export async function addMissingFiles(
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; files: Record<string, string>; message: string; proposal: Proposal },
): Promise<GitopsWriteOutcome> {
  const { branch, files } = options;
  const missing = await missingFiles(provider, repo, branch, files);
  if (missing.length === 0) return { paths: [] };
  const edits = Object.fromEntries(
    Object.entries(files).map(([path, content]): [string, FileEdit] => [path, current => (current === undefined ? content : undefined)]),
  );
  return commitOrPropose(provider, repo, { ...options, paths: missing, edits });
}

/**
 * Applies edits to several files of `branch` in one compare-and-set commit,
 * re-reading and re-applying them when the branch moved meanwhile.
 */
export async function editFiles(
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; edits: Record<string, FileEdit>; message: string; proposal: Proposal },
): Promise<GitopsWriteOutcome> {
  const head = await provider.getBranch(repo, options.branch);
  if (!head) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${options.branch}'`);
  const needed = await changesAt(provider, repo, head, options.edits);
  if (needed.length === 0) return { paths: [] };
  return commitOrPropose(provider, repo, { ...options, paths: needed.map(change => change.path) });
}
