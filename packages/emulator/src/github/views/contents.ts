import type { TreeEntry } from '../gitObjects';
import { GitHubUrls, type RepoRecord } from '../model';

/** Base64 the way the contents API sends it: a newline after every 60 characters. */
export function wrappedBase64(content: Buffer): string {
  const flat = content.toString('base64');
  if (flat === '') return '';
  return `${flat.match(/.{1,60}/g)!.join('\n')}\n`;
}

/** Where raw file content is served. */
function rawUrl(
  repo: RepoRecord,
  ref: string,
  path: string,
  urls: GitHubUrls,
): string {
  return `${urls.web}/raw/${repo.owner.login}/${repo.name}/${GitHubUrls.path(
    ref,
  )}/${GitHubUrls.path(path)}`;
}

/** One entry of the contents API (a folder listing entry, or a file without its content). */
export function contentEntry(
  repo: RepoRecord,
  ref: string,
  entry: {
    path: string;
    type: 'file' | 'dir' | 'symlink' | 'submodule';
    sha: string;
    size: number;
  },
  urls: GitHubUrls,
) {
  const api = urls.repoApi(repo);
  const path = GitHubUrls.path(entry.path);
  const self = `${api}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const git =
    entry.type === 'dir'
      ? `${api}/git/trees/${entry.sha}`
      : `${api}/git/blobs/${entry.sha}`;
  const html = `${urls.repoWeb(repo)}/${
    entry.type === 'dir' ? 'tree' : 'blob'
  }/${GitHubUrls.path(ref)}/${path}`;
  return {
    name: entry.path.split('/').pop()!,
    path: entry.path,
    sha: entry.sha,
    size: entry.size,
    url: self,
    html_url: html,
    git_url: git,
    download_url:
      entry.type === 'file' ? rawUrl(repo, ref, entry.path, urls) : null,
    type: entry.type,
    _links: { self, git, html },
  };
}

/** A file of the contents API as `content-file`. */
export function contentFile(
  repo: RepoRecord,
  ref: string,
  path: string,
  sha: string,
  content: Buffer,
  urls: GitHubUrls,
) {
  // Files over 1 MB come without content, as on GitHub.
  const tooLarge = content.length > 1024 * 1024;
  const entry = contentEntry(
    repo,
    ref,
    { path, type: 'file', sha, size: content.length },
    urls,
  );
  return {
    type: 'file' as const,
    encoding: tooLarge ? 'none' : 'base64',
    size: entry.size,
    name: entry.name,
    path: entry.path,
    content: tooLarge ? '' : wrappedBase64(content),
    sha,
    url: entry.url,
    git_url: entry.git_url,
    html_url: entry.html_url,
    download_url: entry.download_url,
    _links: entry._links,
  };
}

/** The contents-API type of a tree entry. */
export function contentType(
  entry: Pick<TreeEntry, 'type' | 'mode'>,
): 'file' | 'dir' | 'symlink' | 'submodule' {
  if (entry.type === 'tree') return 'dir';
  if (entry.type === 'commit') return 'submodule';
  return entry.mode === '120000' ? 'symlink' : 'file';
}
