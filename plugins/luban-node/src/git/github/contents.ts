import { InputError, NotFoundError } from '@backstage/errors';
import type { Octokit } from '@octokit/rest';
import type { GitFile } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { EtagCache, FULL_SHA, describeRepo, normalizePath, readKey, SingleFlight } from '../support';
import { statusOf, type GitHubClient } from './client';

/**
 * How many file reads (and branch heads) are kept: a GitOps overlay is a few
 * hundred bytes, and a thousand apps in three environments read 3,000.
 */
const FILE_CACHE_ENTRIES = 20_000;

/** How far apart two heads may be for {@link GitHubContents.changedPaths} to list what changed between them. */
const MAX_COMMITS_BETWEEN = 10;
/** GitHub lists at most 300 files of a comparison (and 3,000 of a commit): a list that long may be cut. */
const MAX_FILES_LISTED = 300;

/** The cached read of a file: the content (or its absence) at the commit the ref resolved to. */
type CachedRead = GitFile | undefined;

/** The files touched by a list of compared or committed files, renamed ones under both names. */
const touched = (files: Array<{ filename: string; previous_filename?: string }> | undefined) =>
  (files ?? []).flatMap(f => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));

/**
 * File reads from GitHub that cost as few requests as the rate limit asks:
 * a branch head by one conditional request, a file at a commit once, and
 * after a move of the branch only the files a commit since touched.
 */
export class GitHubContents {
  /** Files by repository, path and commit: what a commit holds never changes. */
  private readonly reads = new EtagCache<CachedRead>(FILE_CACHE_ENTRIES);
  /** The commit each branch or tag was last seen at, when that was asked (the watch's clock), with the ETag of the answer. */
  private readonly heads = new EtagCache<{ sha: string; askedAt: number }>(FILE_CACHE_ENTRIES);
  private readonly resolving = new SingleFlight<string | undefined>();
  /** The commit each file was last read at through a branch or tag name. */
  private readonly lastReadAt = new EtagCache<string>(FILE_CACHE_ENTRIES);
  /** The paths touched between two commits, by `from...to`. */
  private readonly changes = new EtagCache<ReadonlySet<string> | undefined>(1_000);
  private readonly comparing = new SingleFlight<ReadonlySet<string> | undefined>();

  constructor(private readonly client: GitHubClient) {}

  async readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    const file = normalizePath(path, repo);
    const action = `read '${file}' in ${describeRepo(repo)}@${ref}`;
    const octokit = await this.client.octokit(repo);
    if (FULL_SHA.test(ref)) return this.readCached(octokit, repo, file, ref, action);
    const commitSha = await this.resolveRef(octokit, repo, ref, action);
    // No commits yet: no file either.
    if (!commitSha) return undefined;
    const atRef = readKey(repo, file, ref);
    const previousSha = this.lastReadAt.get(atRef)?.value;
    let value: GitFile | undefined;
    const previous = previousSha && previousSha !== commitSha ? this.reads.get(readKey(repo, file, previousSha)) : undefined;
    if (previous && !this.reads.get(readKey(repo, file, commitSha))) {
      // The branch moved: when no commit since touched the file, what was read before still holds.
      const changed = await this.changedPaths(repo, previousSha!, commitSha);
      if (changed && !changed.has(file)) {
        value = previous.value && { ...previous.value, commitSha };
        this.reads.set(readKey(repo, file, commitSha), '', value);
      }
    }
    if (!value) value = await this.readCached(octokit, repo, file, commitSha, action);
    this.lastReadAt.set(atRef, '', commitSha);
    return value;
  }

  /** A file at a commit: what a commit holds never changes, so each is read once. */
  private async readCached(octokit: Octokit, repo: RepoLocation, file: string, commitSha: string, action: string) {
    const key = readKey(repo, file, commitSha);
    const cached = this.reads.get(key);
    if (cached) return cached.value;
    const value = await this.readAtCommit(octokit, repo, file, commitSha, action);
    this.reads.set(key, '', value);
    return value;
  }

  async changedPaths(repo: RepoLocation, fromSha: string, toSha: string): Promise<ReadonlySet<string> | undefined> {
    const key = readKey(repo, '', `${fromSha}...${toSha}`);
    const known = this.changes.get(key);
    if (known) return known.value;
    return this.comparing.run(key, async () => {
      let paths: ReadonlySet<string> | undefined;
      try {
        paths = await this.compare(repo, fromSha, toSha);
      } catch {
        // Reading the files one by one still works, and reports the failure if it persists.
        return undefined;
      }
      this.changes.set(key, '', paths);
      return paths;
    });
  }

  /** The paths the commits from `fromSha` to `toSha` touched; undefined when that is not a short, straight line. */
  private async compare(repo: RepoLocation, fromSha: string, toSha: string): Promise<Set<string> | undefined> {
    const octokit = await this.client.octokit(repo);
    const names = this.client.names(repo);
    const { data } = await octokit.repos.compareCommitsWithBasehead({ ...names, basehead: `${fromSha}...${toSha}` });
    // Anything but a short, straight line forward (a force push, a long gap) is read file by file.
    if (data.status !== 'ahead' || data.total_commits > MAX_COMMITS_BETWEEN) return undefined;
    if (data.total_commits === 1 && (data.files?.length ?? 0) < MAX_FILES_LISTED) return new Set(touched(data.files));
    // The comparison's files are the net change; a path changed and changed back counts too.
    const paths = new Set<string>();
    for (const commit of data.commits) {
      const { data: detail } = await octokit.repos.getCommit({ ...names, ref: commit.sha });
      if ((detail.files?.length ?? 0) >= MAX_FILES_LISTED) return undefined;
      for (const path of touched(detail.files)) paths.add(path);
    }
    return paths;
  }

  /**
   * The commit a branch or tag points at: while a webhook watches the
   * repository, what was last asked, until the watch says it changed (no
   * request); otherwise one conditional request per repository and ref,
   * answered 304 while it has not moved (which GitHub does not count against
   * the rate limit), and shared by concurrent reads of the same ref (a view
   * reads one overlay per environment at once). Undefined for a repository
   * without commits.
   */
  private async resolveRef(octokit: Octokit, repo: RepoLocation, ref: string, action: string): Promise<string | undefined> {
    const key = readKey(repo, '', ref);
    const known = this.heads.get(key);
    if (known && this.client.watch.trusts(repo, known.value.askedAt)) return known.value.sha;
    const names = this.client.names(repo);
    try {
      return await this.resolving.run(key, async () => {
        const cached = this.heads.get(key);
        const askedAt = this.client.watch.now();
        try {
          const response = await octokit.repos.getCommit({
            ...names,
            ref,
            mediaType: { format: 'sha' },
            headers: cached ? { 'if-none-match': cached.etag } : {},
          });
          const commitSha = String(response.data as unknown).trim();
          if (response.headers.etag) this.heads.set(key, response.headers.etag, { sha: commitSha, askedAt });
          return commitSha;
        } catch (error) {
          if (statusOf(error) === 304 && cached) {
            this.heads.set(key, cached.etag, { sha: cached.value.sha, askedAt });
            return cached.value.sha;
          }
          // 409: the repository has no commits yet.
          if (statusOf(error) === 409) return undefined;
          throw error;
        }
      });
    } catch (error) {
      // Each caller names its own file: concurrent reads share the request, not the message.
      if (statusOf(error) === 422) {
        throw new NotFoundError(`${this.client.system(repo)} could not ${action}: there is no branch, tag or commit '${ref}'`);
      }
      throw this.client.fail(error, repo, action);
    }
  }

  private async readAtCommit(octokit: Octokit, repo: RepoLocation, file: string, commitSha: string, action: string) {
    const names = this.client.names(repo);
    try {
      const { data } = await octokit.repos.getContent({ ...names, path: file, ref: commitSha });
      if (Array.isArray(data) || data.type !== 'file') {
        throw new InputError(
          `${this.client.system(repo)} could not ${action}: it is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`,
        );
      }
      let base64 = data.content ?? '';
      // Files over 1 MB come without content; their blob has it.
      if (data.encoding === 'none' || (!base64 && data.size > 0)) {
        base64 = (await octokit.git.getBlob({ ...names, file_sha: data.sha })).data.content;
      }
      return { content: Buffer.from(base64, 'base64').toString('utf8'), version: data.sha, commitSha };
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (statusOf(error) === 404) return undefined;
      throw this.client.fail(error, repo, action);
    }
  }
}
