import type { CommitInfo } from '../../git/GitRepositories';
import type { DiffFile, TreeEntry } from '../gitObjects';
import {
  GitHubUrls,
  nodeId,
  timestamp,
  type Account,
  type RepoRecord,
} from '../model';
import { simpleUser } from './accounts';

/** The signature of a commit as the REST API writes it (UTC dates). */
function signature(person: { name: string; email: string; date: string }) {
  return {
    name: person.name,
    email: person.email,
    date: timestamp(person.date),
  };
}

/** A commit's verification block; the emulator never signs. */
const UNSIGNED = {
  verified: false,
  reason: 'unsigned',
  signature: null,
  payload: null,
  verified_at: null,
};

/** A commit as the Git Database API's `git-commit`. */
export function gitCommit(
  repo: RepoRecord,
  commit: CommitInfo,
  urls: GitHubUrls,
) {
  const api = urls.repoApi(repo);
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', `${repo.id}:${commit.sha}`),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${urls.repoWeb(repo)}/commit/${commit.sha}`,
    author: signature(commit.author),
    committer: signature(commit.committer),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${urls.repoWeb(repo)}/commit/${sha}`,
    })),
    verification: UNSIGNED,
  };
}

/** A commit as the REST `commit` (lists, compare, `GET .../commits/{ref}`). */
export function restCommit(
  repo: RepoRecord,
  commit: CommitInfo,
  urls: GitHubUrls,
  accountByEmail: (email: string) => Account | undefined,
  files?: DiffFile[],
) {
  const api = urls.repoApi(repo);
  const author = accountByEmail(commit.author.email);
  const committer = accountByEmail(commit.committer.email);
  const base = {
    sha: commit.sha,
    node_id: nodeId('Commit', `${repo.id}:${commit.sha}`),
    commit: {
      author: signature(commit.author),
      committer: signature(commit.committer),
      message: commit.message,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      url: `${api}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: UNSIGNED,
    },
    url: `${api}/commits/${commit.sha}`,
    html_url: `${urls.repoWeb(repo)}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    author: author ? simpleUser(author, urls) : null,
    committer: committer ? simpleUser(committer, urls) : null,
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.repoWeb(repo)}/commit/${sha}`,
    })),
  };
  if (!files) return base;
  const additions = files.reduce((sum, file) => sum + file.additions, 0);
  const deletions = files.reduce((sum, file) => sum + file.deletions, 0);
  return {
    ...base,
    stats: { total: additions + deletions, additions, deletions },
    files: files.map(file => diffEntry(repo, commit.sha, file, urls)),
  };
}

/** A file of a diff as `diff-entry`. */
export function diffEntry(
  repo: RepoRecord,
  ref: string,
  file: DiffFile,
  urls: GitHubUrls,
) {
  const path = GitHubUrls.path(file.filename);
  return {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${urls.repoWeb(repo)}/blob/${ref}/${path}`,
    raw_url: `${urls.repoWeb(repo)}/raw/${ref}/${path}`,
    contents_url: `${urls.repoApi(repo)}/contents/${path}?ref=${ref}`,
    ...(file.patch !== undefined ? { patch: file.patch } : {}),
    ...(file.previousFilename
      ? { previous_filename: file.previousFilename }
      : {}),
  };
}

/** A ref as `git-ref`. */
export function gitRef(
  repo: RepoRecord,
  ref: string,
  sha: string,
  type: string,
  urls: GitHubUrls,
) {
  const api = urls.repoApi(repo);
  const objectKind = type === 'tag' ? 'tags' : `${type}s`;
  return {
    ref,
    node_id: nodeId('Ref', `${repo.id}:${ref}`),
    url: `${api}/git/${GitHubUrls.path(ref)}`,
    object: { sha, type, url: `${api}/git/${objectKind}/${sha}` },
  };
}

/** A tree as `git-tree`. */
export function gitTree(
  repo: RepoRecord,
  sha: string,
  entries: TreeEntry[],
  urls: GitHubUrls,
) {
  const api = urls.repoApi(repo);
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map(entry => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.type === 'blob'
        ? { size: entry.size ?? 0, url: `${api}/git/blobs/${entry.sha}` }
        : {}),
      ...(entry.type === 'tree'
        ? { url: `${api}/git/trees/${entry.sha}` }
        : {}),
    })),
    truncated: false,
  };
}
