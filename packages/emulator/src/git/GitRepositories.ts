import { access, appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runGitOk } from './runGit';
import { CurrentRefs } from './currentRefs';
import { SettledAnswers } from './settledAnswers';
import { runHttpBackend } from './smartHttp';

export { runGit, runGitOk, type GitRun } from './runGit';

/** The SHA git uses for "no object" (a new or deleted ref). */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** One file change of a commit: new content, or `null` to delete the file. */
export interface FileChange {
  path: string;
  content: Buffer | string | null;
}

/** A commit as the emulated hosts describe it. */
export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

/** A ref moved by a push or an API call; what webhooks and the kpack controller react to. */
export interface RefUpdate {
  repository: string;
  ref: string;
  before: string;
  after: string;
}

/** The ref compare-and-set failed: the ref is no longer at the expected commit. */
export class RefConflictError extends Error {
  constructor(readonly ref: string, readonly expected: string, readonly actual: string) {
    super(`ref ${ref} is at ${actual}, not ${expected}`);
  }
}

const DEFAULT_AUTHOR = { name: 'luban emulator', email: 'emulator@luban.invalid' };

const FULL_SHA = /^[0-9a-f]{40}$/;
/**
 * Bare git repositories on disk, read and written with the real git binary,
 * served over smart HTTP by `git http-backend`. The GitHub and Azure DevOps
 * emulators keep their repositories here, so API writes and `git push` meet
 * the same refs.
 */
export class GitRepositories {
  private readonly listeners = new Set<(update: RefUpdate) => void>();
  /** Serialises ref updates per repository, like a host's ref lock. */
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Answers that depend only on object SHAs never change: each costs a git process once (a busy view spawned thousands). */
  readonly answers = new SettledAnswers();
  /** Refs, HEAD and other facts as last read, until a ref moves. */
  readonly current = new CurrentRefs();

  constructor(private readonly root: string) {}

  /** Where a repository (e.g. `acme/api.git`) lives on disk. */
  pathOf(repository: string): string {
    if (!/^[\w.-]+(\/[\w.-]+)*\.git$/.test(repository) || repository.includes('..')) {
      throw new Error(`invalid repository path ${repository}`);
    }
    return join(this.root, repository);
  }

  private async git(repository: string | undefined, args: string[], input?: Buffer | string, env: Record<string, string> = {}) {
    const gitDir = repository ? this.pathOf(repository) : undefined;
    return (await runGitOk(gitDir, args, { input, env: { HOME: this.root, ...env } })).toString('utf8');
  }

  private async locked<T>(repository: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(repository) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(repository, next);
    try {
      return await next;
    } catch (error) {
      // A write that failed may have failed because a ref had moved: read them afresh.
      this.current.moved(repository);
      throw error;
    } finally {
      if (this.locks.get(repository) === next) this.locks.delete(repository);
    }
  }

  /** Subscribes to every ref update (API commits and pushes alike). */
  onRefUpdate(listener: (update: RefUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(update: RefUpdate) {
    for (const listener of this.listeners) listener(update);
  }

  /** Creates an empty bare repository whose HEAD names `defaultBranch`. */
  async create(repository: string, defaultBranch = 'main'): Promise<void> {
    const path = this.pathOf(repository);
    await mkdir(dirname(path), { recursive: true });
    await this.git(undefined, ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
    // Pushes over smart HTTP, and fetches of any commit: appended as `git config` would write them (one git process less each).
    await appendFile(join(path, 'config'), '[http]\n\treceivepack = true\n[uploadpack]\n\tallowAnySHA1InWant = true\n');
    this.answers.forget(repository); // a reset may have removed the former one without remove()
    this.current.moved(repository);
  }

  async exists(repository: string): Promise<boolean> {
    // A bare repository is a directory with a HEAD (git's own test); no git process.
    try {
      await access(join(this.pathOf(repository), 'HEAD'));
      return true;
    } catch {
      return false;
    }
  }

  async remove(repository: string): Promise<void> {
    await rm(this.pathOf(repository), { recursive: true, force: true });
    this.answers.forget(repository);
    this.current.moved(repository);
  }

  /** The branch HEAD points at. */
  async defaultBranch(repository: string): Promise<string> {
    const head = await this.current.head(repository, () => this.git(repository, ['symbolic-ref', 'HEAD']));
    return head.trim().replace(/^refs\/heads\//, '');
  }

  async setDefaultBranch(repository: string, branch: string): Promise<void> {
    await this.git(repository, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
    this.current.moved(repository);
  }

  /** Every ref and the commit it points at, e.g. `refs/heads/main`. */
  async refs(repository: string): Promise<Map<string, string>> {
    return this.current.refs(repository, () => this.readRefs(repository));
  }

  private async readRefs(repository: string): Promise<Map<string, string>> {
    const out = await this.git(repository, ['for-each-ref', '--format=%(refname) %(objectname)']);
    const refs = new Map<string, string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [name, sha] = line.split(' ');
      refs.set(name, sha);
    }
    return refs;
  }

  /** The commit a branch, full ref or SHA resolves to, or undefined. */
  async resolve(repository: string, revision: string): Promise<string | undefined> {
    if (FULL_SHA.test(revision)) return this.answers.onceFound(repository, `resolve ${revision}`, () => this.resolveNow(repository, revision));
    return this.resolveNow(repository, revision);
  }

  private async resolveNow(repository: string, revision: string): Promise<string | undefined> {
    const candidates =
      FULL_SHA.test(revision) || revision.startsWith('refs/')
        ? [revision]
        : [`refs/heads/${revision}`, `refs/tags/${revision}`];
    const refs = await this.refs(repository);
    for (const candidate of candidates) {
      // A branch points at a commit: its ref answers without a git process.
      if (candidate.startsWith('refs/heads/') && refs.has(candidate)) return refs.get(candidate);
      try {
        return (await this.git(repository, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`])).trim();
      } catch {
        // try the next form
      }
    }
    return undefined;
  }

  /** A file's content and blob SHA at a revision, or undefined when absent. */
  async readFile(
    repository: string,
    revision: string,
    path: string,
  ): Promise<{ content: Buffer; blobSha: string; commitSha: string } | undefined> {
    const commitSha = await this.resolve(repository, revision);
    if (!commitSha) return undefined;
    const entry = await this.treeEntry(repository, commitSha, path);
    if (!entry || entry.type !== 'blob') return undefined;
    const content = await this.answers.once(repository, `blob ${entry.sha}`, () => runGitOk(this.pathOf(repository), ['cat-file', 'blob', entry.sha]));
    return { content, blobSha: entry.sha, commitSha };
  }

  /** One entry of a tree (file or folder) at a commit. */
  async treeEntry(
    repository: string,
    commitSha: string,
    path: string,
  ): Promise<{ type: 'blob' | 'tree'; sha: string; mode: string; size?: number } | undefined> {
    if (FULL_SHA.test(commitSha)) {
      return this.answers.once(repository, `entry ${commitSha} ${path}`, () => this.treeEntryNow(repository, commitSha, path));
    }
    return this.treeEntryNow(repository, commitSha, path);
  }

  private async treeEntryNow(
    repository: string,
    commitSha: string,
    path: string,
  ): Promise<{ type: 'blob' | 'tree'; sha: string; mode: string; size?: number } | undefined> {
    const clean = path.replace(/^\/+|\/+$/g, '');
    if (clean === '') {
      const tree = (await this.git(repository, ['rev-parse', `${commitSha}^{tree}`])).trim();
      return { type: 'tree', sha: tree, mode: '040000' };
    }
    const out = await this.git(repository, ['ls-tree', '-l', commitSha, '--', clean]);
    const line = out.split('\n').find(Boolean);
    if (!line) return undefined;
    const [meta, name] = line.split('\t');
    if (name !== clean) return undefined;
    const [mode, type, sha, size] = meta.split(/\s+/);
    return { type: type as 'blob' | 'tree', sha, mode, size: size === '-' ? undefined : Number(size) };
  }

  /** The entries directly inside a folder at a revision. */
  async listFolder(
    repository: string,
    revision: string,
    path: string,
  ): Promise<Array<{ name: string; path: string; type: 'blob' | 'tree'; sha: string; size?: number }> | undefined> {
    const commitSha = await this.resolve(repository, revision);
    if (!commitSha) return undefined;
    const entry = await this.treeEntry(repository, commitSha, path);
    if (!entry || entry.type !== 'tree') return undefined;
    const out = await this.git(repository, ['ls-tree', '-l', entry.sha]);
    const prefix = path.replace(/^\/+|\/+$/g, '');
    return out
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [meta, name] = line.split('\t');
        const [, type, sha, size] = meta.split(/\s+/);
        return {
          name,
          path: prefix ? `${prefix}/${name}` : name,
          type: type as 'blob' | 'tree',
          sha,
          size: size === '-' ? undefined : Number(size),
        };
      });
  }

  /** Every file path in the tree of a revision. */
  async listFiles(repository: string, revision: string): Promise<string[]> {
    const commitSha = await this.resolve(repository, revision);
    if (!commitSha) return [];
    return (await this.git(repository, ['ls-tree', '-r', '--name-only', commitSha])).split('\n').filter(Boolean);
  }

  async commitInfo(repository: string, sha: string): Promise<CommitInfo | undefined> {
    if (FULL_SHA.test(sha)) return this.answers.onceFound(repository, `commit ${sha}`, () => this.commitInfoNow(repository, sha));
    return this.commitInfoNow(repository, sha);
  }

  private async commitInfoNow(repository: string, sha: string): Promise<CommitInfo | undefined> {
    try {
      const out = await this.git(repository, [
        'show', '-s', '--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B', sha,
      ]);
      const [hash, tree, parents, an, ae, ad, cn, ce, cd, ...message] = out.split('\u0000');
      return {
        sha: hash,
        tree,
        parents: parents.split(' ').filter(Boolean),
        message: message.join('\u0000').replace(/\n+$/, ''),
        author: { name: an, email: ae, date: ad },
        committer: { name: cn, email: ce, date: cd },
      };
    } catch {
      return undefined;
    }
  }

  /** Commits reachable from a revision, newest first; only those touching `path` when given. */
  async log(repository: string, revision: string, options: { path?: string; limit?: number } = {}): Promise<CommitInfo[]> {
    const start = await this.resolve(repository, revision);
    if (!start) return [];
    const args = ['rev-list', `--max-count=${options.limit ?? 100}`, start];
    if (options.path) args.push('--', options.path);
    // What is reachable from a commit never changes.
    const shas = await this.answers.once(repository, args.join(' '), async () => (await this.git(repository, args)).split('\n').filter(Boolean));
    const commits = await Promise.all(shas.map(sha => this.commitInfo(repository, sha)));
    return commits.filter((c): c is CommitInfo => c !== undefined);
  }

  /**
   * Commits file changes on top of `branch`, which must be at `expectedSha`
   * (compare-and-set; ZERO_SHA for a new branch of an empty repository, or
   * `from` to start a new branch at another commit). Returns the new commit.
   */
  async commit(
    repository: string,
    options: {
      branch: string;
      expectedSha?: string;
      /** Start the branch from this commit when it does not exist yet. */
      from?: string;
      message: string;
      changes: FileChange[];
      author?: { name: string; email: string };
    },
  ): Promise<CommitInfo> {
    return this.locked(repository, async () => {
      const ref = `refs/heads/${options.branch}`;
      const current = (await this.refs(repository)).get(ref) ?? ZERO_SHA;
      if (options.expectedSha !== undefined && options.expectedSha !== current) {
        throw new RefConflictError(ref, options.expectedSha, current);
      }
      const parent = current !== ZERO_SHA ? current : options.from;
      const index = join(this.pathOf(repository), `index-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const env = { GIT_INDEX_FILE: index };
      try {
        if (parent) await this.git(repository, ['read-tree', parent], undefined, env);
        else await this.git(repository, ['read-tree', '--empty'], undefined, env);
        const written = options.changes.filter(change => change.content !== null);
        const blobs = await this.writeBlobs(repository, written.map(change => change.content!));
        const blobOf = new Map(written.map((change, i) => [change, blobs[i]]));
        // --index-info works without a work tree (bare repositories); mode 0 removes an entry.
        const entries = options.changes.map(change => {
          const path = change.path.replace(/^\/+/, '');
          return change.content === null ? `0 ${ZERO_SHA}\t${path}` : `100644 ${blobOf.get(change)}\t${path}`;
        });
        if (entries.length) {
          await this.git(repository, ['update-index', '--index-info'], `${entries.join('\n')}\n`, env);
        }
        const tree = (await this.git(repository, ['write-tree'], undefined, env)).trim();
        const author = options.author ?? DEFAULT_AUTHOR;
        const sha = (
          await this.git(
            repository,
            ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'],
            options.message,
            {
              GIT_AUTHOR_NAME: author.name,
              GIT_AUTHOR_EMAIL: author.email,
              GIT_COMMITTER_NAME: author.name,
              GIT_COMMITTER_EMAIL: author.email,
            },
          )
        ).trim();
        await this.git(repository, ['update-ref', ref, sha, current]);
        this.current.moved(repository);
        this.emit({ repository, ref, before: current, after: sha });
        return (await this.commitInfo(repository, sha))!;
      } finally {
        await rm(index, { force: true });
      }
    });
  }

  /**
   * Writes file contents as blobs with one git process, whatever their
   * number: a GitOps commit of a dozen files on a busy machine otherwise
   * spawns a dozen, and the client's request timeout runs meanwhile.
   */
  private async writeBlobs(repository: string, contents: Array<Buffer | string>): Promise<string[]> {
    if (contents.length === 0) return [];
    // Beside the temporary index, inside the bare repository: nothing else reads there.
    const staging = await mkdtemp(join(this.pathOf(repository), 'blobs-'));
    try {
      const files = contents.map((_, i) => join(staging, String(i)));
      await Promise.all(contents.map((content, i) => writeFile(files[i], content)));
      // --no-filters: the bytes as given, whatever attributes the paths would have.
      const out = await this.git(repository, ['hash-object', '-w', '--no-filters', '--stdin-paths'], `${files.join('\n')}\n`);
      return out.trim().split('\n');
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Sets a ref to a commit if it is at `expectedSha` (ZERO_SHA: must not
   * exist). `force` skips the check.
   */
  async updateRef(
    repository: string,
    ref: string,
    sha: string,
    options: { expectedSha?: string; force?: boolean } = {},
  ): Promise<void> {
    await this.locked(repository, async () => {
      const current = (await this.refs(repository)).get(ref) ?? ZERO_SHA;
      if (!options.force && options.expectedSha !== undefined && options.expectedSha !== current) {
        throw new RefConflictError(ref, options.expectedSha, current);
      }
      if (sha === ZERO_SHA) {
        await this.git(repository, ['update-ref', '-d', ref, current]);
      } else {
        await this.git(repository, ['update-ref', ref, sha, current]);
      }
      this.current.moved(repository);
      this.emit({ repository, ref, before: current, after: sha });
    });
  }

  /** Whether `ancestor` is reachable from `descendant`. */
  async isAncestor(repository: string, ancestor: string, descendant: string): Promise<boolean> {
    try {
      await this.git(repository, ['merge-base', '--is-ancestor', ancestor, descendant]);
      return true;
    } catch {
      return false;
    }
  }

  /** Commits in `head` that are not in `base`, oldest first. */
  async commitsBetween(repository: string, base: string, head: string): Promise<CommitInfo[]> {
    const shas = (await this.git(repository, ['rev-list', '--reverse', `${base}..${head}`])).split('\n').filter(Boolean);
    const commits = await Promise.all(shas.map(sha => this.commitInfo(repository, sha)));
    return commits.filter((c): c is CommitInfo => c !== undefined);
  }

  /** The paths that differ between two commits. */
  async changedFiles(repository: string, base: string, head: string): Promise<Array<{ status: string; path: string }>> {
    const out = await this.git(repository, ['diff', '--name-status', base, head]);
    return out
      .split('\n')
      .filter(Boolean)
      .map(line => {
        const [status, path] = line.split('\t');
        return { status, path };
      });
  }

  /**
   * Merges `head` into `base` with a merge commit (no fast-forward), as a
   * pull request merge does; fails with a conflict when the trees conflict.
   */
  async merge(repository: string, options: { base: string; head: string; message: string }): Promise<CommitInfo> {
    return this.locked(repository, async () => {
      const ref = `refs/heads/${options.base}`;
      const baseSha = (await this.refs(repository)).get(ref);
      const headSha = await this.resolve(repository, options.head);
      if (!baseSha || !headSha) throw new Error('branch not found');
      let tree: string;
      try {
        tree = (await this.git(repository, ['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0].trim();
      } catch {
        throw new RefConflictError(ref, baseSha, headSha);
      }
      const sha = (
        await this.git(repository, ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-F', '-'], options.message, {
          GIT_AUTHOR_NAME: DEFAULT_AUTHOR.name,
          GIT_AUTHOR_EMAIL: DEFAULT_AUTHOR.email,
          GIT_COMMITTER_NAME: DEFAULT_AUTHOR.name,
          GIT_COMMITTER_EMAIL: DEFAULT_AUTHOR.email,
        })
      ).trim();
      await this.git(repository, ['update-ref', ref, sha, baseSha]);
      this.current.moved(repository);
      this.emit({ repository, ref, before: baseSha, after: sha });
      return (await this.commitInfo(repository, sha))!;
    });
  }

  /**
   * Serves git's smart HTTP protocol for one repository through
   * `git http-backend`: `info/refs`, `git-upload-pack`, `git-receive-pack`.
   * Ref updates made by a push are reported to listeners afterwards.
   */
  async serveSmartHttp(
    req: IncomingMessage,
    res: ServerResponse,
    repository: string,
    pathInRepo: string,
    remoteUser: string,
  ): Promise<void> {
    const isPush = pathInRepo === '/git-receive-pack';
    const before = isPush ? await this.refs(repository) : undefined;
    try {
      await runHttpBackend(this.root, req, res, `/${repository}${pathInRepo}`, remoteUser);
    } finally {
      // Even a push that failed half-way may have moved some refs.
      if (isPush) this.current.moved(repository);
    }
    // Listeners (webhooks, kpack) hear of a push before its client sees it finish, as on a real host.
    if (before) {
      const after = await this.refs(repository);
      for (const ref of new Set([...before.keys(), ...after.keys()])) {
        const was = before.get(ref) ?? ZERO_SHA;
        const now = after.get(ref) ?? ZERO_SHA;
        if (was !== now) this.emit({ repository, ref, before: was, after: now });
      }
    }
    res.end();
  }
}
