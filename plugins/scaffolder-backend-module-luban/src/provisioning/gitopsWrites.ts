import { InputError } from '@backstage/errors';
import {
  BranchProtectedError,
  StaleBranchError,
  type GitProvider,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';

/** How often a commit that lost a race with another writer is retried. */
const MAX_ATTEMPTS = 5;

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

/**
 * Computes the changes against a branch head and commits them
 * compare-and-set, retrying lost races; undefined when nothing changes.
 */
async function commitChanges(
  provider: GitProvider,
  repo: RepoLocation,
  branch: string,
  message: string,
  changes: (head: string) => Promise<Array<{ path: string; content: string }>>,
): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    const head = await provider.getBranch(repo, branch);
    if (!head) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${branch}'`);
    const files = await changes(head);
    if (files.length === 0) return undefined;
    try {
      return (await provider.commitFiles(repo, { branch, expectedHeadSha: head, message, files })).commitSha;
    } catch (error) {
      if (!(error instanceof StaleBranchError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Writes `changes` to `branch`; when the branch is protected, to the
 * proposal branch (created from the branch head) with a pull request. A
 * proposal branch that exists already is kept to rather than knocking again.
 */
async function writeOrPropose(
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; message: string; proposal: Proposal; paths: string[] },
  changes: (head: string) => Promise<Array<{ path: string; content: string }>>,
): Promise<GitopsWriteOutcome> {
  const { branch, message, proposal, paths } = options;
  if (!(await provider.getBranch(repo, proposal.branch))) {
    try {
      return { paths, commitSha: await commitChanges(provider, repo, branch, message, changes) };
    } catch (error) {
      if (!(error instanceof BranchProtectedError)) throw error;
      const head = await provider.getBranch(repo, branch);
      await provider.ensureBranch(repo, proposal.branch, head!);
    }
  }
  const commitSha = await commitChanges(provider, repo, proposal.branch, message, changes);
  const pull = await provider.openOrReusePullRequest(repo, {
    head: proposal.branch,
    base: branch,
    title: proposal.title,
    body: proposal.body(paths),
  });
  return { paths, commitSha, pullRequestUrl: pull.webUrl };
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
  return writeOrPropose(provider, repo, { ...options, paths: missing }, async head => {
    const changes: Array<{ path: string; content: string }> = [];
    for (const path of Object.keys(files)) {
      if (!(await provider.readFile(repo, path, head))) changes.push({ path, content: files[path] });
    }
    return changes;
  });
}

/**
 * An edit of one file: the new content given the current one (undefined when
 * the file does not exist), or undefined to leave it. Called once per
 * attempt, so it must only compute.
 */
export type FileEdit = (current: string | undefined) => string | undefined;

/**
 * Applies edits to several files of `branch` in one compare-and-set commit,
 * re-reading and re-applying them when the branch moved meanwhile.
 */
export async function editFiles(
  provider: GitProvider,
  repo: RepoLocation,
  options: { branch: string; edits: Record<string, FileEdit>; message: string; proposal: Proposal },
): Promise<GitopsWriteOutcome> {
  const changesAt = async (head: string) => {
    const changes: Array<{ path: string; content: string }> = [];
    for (const [path, edit] of Object.entries(options.edits)) {
      const current = (await provider.readFile(repo, path, head))?.content;
      const next = edit(current);
      if (next !== undefined && next !== current) changes.push({ path, content: next });
    }
    return changes;
  };
  const head = await provider.getBranch(repo, options.branch);
  if (!head) throw new InputError(`The GitOps repository ${repo.webUrl} has no branch '${options.branch}'`);
  const needed = await changesAt(head);
  if (needed.length === 0) return { paths: [] };
  return writeOrPropose(provider, repo, { ...options, paths: needed.map(change => change.path) }, changesAt);
}
