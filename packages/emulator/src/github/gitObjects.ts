import { runGit, runGitOk, type GitRepositories } from '../git/GitRepositories';
import { parseDiffTree, parsePatches } from './diffOutput';

/** Who wrote or committed a commit, with an ISO date. */
export interface GitSignature {
  name: string;
  email: string;
  date?: string;
}

/** One entry of a git tree as `ls-tree -l` lists it. */
export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Full path from the root of the listed tree. */
  path: string;
  size?: number;
}

/** A change to a tree at a path: a new entry, or `sha: null` to delete the path. */
export interface TreeChange {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string | null;
}

/** One file of a diff, in the terms GitHub's `files[]` uses. */
export interface DiffFile {
  filename: string;
  previousFilename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'changed';
  additions: number;
  deletions: number;
  /** Blob of the file on the new side (the old side for removed files). */
  sha: string;
  /** The unified diff hunks, absent for binary files. */
  patch?: string;
}

/** A tree being edited: entries as read, and the subtrees touched so far. */
interface EditableTree {
  entries: Map<string, { mode: string; type: string; sha: string }>;
  children: Map<string, EditableTree>;
}

/** The SHA of git's empty tree. */
const EMPTY_TREE_SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** A revision named by its full SHA (or excluded by it, `^<sha>`): what it names never changes. */
const SHA_REVISION = /^\^?[0-9a-f]{40}$/;

/**
 * The git plumbing the GitHub API needs beyond {@link GitRepositories}:
 * blobs, trees and commits written object by object (as the Git Database
 * API does), merge bases, merge trees and diffs. Runs the git binary against
 * the same bare repositories.
 */
export class GitObjects {
  constructor(private readonly git: GitRepositories) {}

  /** Runs git in a repository; resolves stdout as bytes, rejects on a non-zero exit. */
  run(
    repository: string,
    args: string[],
    options: { input?: Buffer | string; env?: Record<string, string> } = {},
  ): Promise<Buffer> {
    return runGitOk(this.git.pathOf(repository), args, options);
  }

  private async text(
    repository: string,
    args: string[],
    options?: { input?: Buffer | string; env?: Record<string, string> },
  ) {
    return (await this.run(repository, args, options)).toString('utf8');
  }

  /**
   * `work`'s answer, asked of git once when every revision is named by SHA:
   * commits are immutable, so merge bases, ancestry and diffs between them
   * never change (a pull request list asks them of every open PR, each view).
   */
  private settled<T>(repository: string, revisions: string[], question: string[], work: () => Promise<T>): Promise<T> {
    return revisions.every(revision => SHA_REVISION.test(revision))
      ? // Its own keys: GitRepositories keeps answers to some of the same git commands in another shape.
        this.git.answers.once(repository, `objects: ${question.join(' ')}`, work)
      : work();
  }

  /** The revisions to judge settledness by; a date filter (`since=2 days ago`) is never settled. */
  private datedOr(revisions: string[], options: { since?: string; until?: string }): string[] {
    return options.since || options.until ? ['(dated)'] : revisions;
  }

  /** Writes a blob and returns its SHA. */
  async writeBlob(repository: string, content: Buffer): Promise<string> {
    return (
      await this.text(repository, ['hash-object', '-w', '--stdin'], {
        input: content,
      })
    ).trim();
  }

  /** The type of an object, or undefined when the repository lacks it. */
  async objectType(
    repository: string,
    sha: string,
  ): Promise<'blob' | 'tree' | 'commit' | 'tag' | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    // An object's type never changes once it is there: asked of git once (trees name the same objects again and again).
    return this.git.answers.onceFound(repository, `type ${sha}`, async () => {
      try {
        return (await this.text(repository, ['cat-file', '-t', sha])).trim() as
          | 'blob'
          | 'tree'
          | 'commit'
          | 'tag';
      } catch {
        return undefined;
      }
    });
  }

  async readBlob(repository: string, sha: string): Promise<Buffer> {
    return this.git.answers.once(repository, `blob ${sha}`, () => this.run(repository, ['cat-file', 'blob', sha]));
  }

  /** The tree SHA of a tree-ish (a tree, a commit or a ref), or undefined. */
  async treeOf(
    repository: string,
    treeish: string,
  ): Promise<string | undefined> {
    if (treeish.startsWith('-')) return undefined;
    try {
      return (
        (
          await this.text(repository, [
            'rev-parse',
            '--verify',
            '--quiet',
            `${treeish}^{tree}`,
          ])
        ).trim() || undefined
      );
    } catch {
      return undefined;
    }
  }

  /** The entries of a tree: only its own, or (recursive) every blob and subtree below it. */
  async listTree(
    repository: string,
    tree: string,
    options: { recursive?: boolean; prefix?: string } = {},
  ): Promise<TreeEntry[]> {
    const args = [
      'ls-tree',
      '-l',
      '-z',
      ...(options.recursive ? ['-r', '-t'] : []),
      tree,
    ];
    // A tree's SHA names its content: its listing is asked of git once.
    const list = () => this.text(repository, args);
    const out = /^[0-9a-f]{40}$/.test(tree) ? await this.git.answers.once(repository, args.join(' '), list) : await list();
    return out
      .split('\u0000')
      .filter(Boolean)
      .map(record => {
        const tab = record.indexOf('\t');
        const [mode, type, sha, size] = record.slice(0, tab).split(/\s+/);
        const name = record.slice(tab + 1);
        return {
          mode,
          type: type as TreeEntry['type'],
          sha,
          path: options.prefix ? `${options.prefix}/${name}` : name,
          size: size === '-' ? undefined : Number(size),
        };
      });
  }

  private async loadTree(
    repository: string,
    sha: string | undefined,
  ): Promise<EditableTree> {
    const tree: EditableTree = { entries: new Map(), children: new Map() };
    if (sha) {
      for (const entry of await this.listTree(repository, sha)) {
        tree.entries.set(entry.path, {
          mode: entry.mode,
          type: entry.type,
          sha: entry.sha,
        });
      }
    }
    return tree;
  }

  /**
   * Writes a new tree: `base` (or an empty tree) with the changes applied.
   * Paths may be nested (`a/b/c.yaml`); folders left empty disappear, as in git.
   */
  async buildTree(
    repository: string,
    base: string | undefined,
    changes: TreeChange[],
  ): Promise<string> {
    const root = await this.loadTree(repository, base);
    for (const change of changes) {
      const parts = change.path.split('/').filter(Boolean);
      let node = root;
      for (const folder of parts.slice(0, -1)) {
        let child = node.children.get(folder);
        if (!child) {
          const existing = node.entries.get(folder);
          child = await this.loadTree(
            repository,
            existing?.type === 'tree' ? existing.sha : undefined,
          );
          node.children.set(folder, child);
        }
        node = child;
      }
      const name = parts[parts.length - 1];
      node.children.delete(name);
      if (change.sha === null) node.entries.delete(name);
      else
        node.entries.set(name, {
          mode: change.mode,
          type: change.type,
          sha: change.sha,
        });
    }
    return this.writeTree(repository, root);
  }

  private async writeTree(
    repository: string,
    tree: EditableTree,
  ): Promise<string> {
    for (const [name, child] of tree.children) {
      const sha = await this.writeTree(repository, child);
      if (sha === EMPTY_TREE_SHA) tree.entries.delete(name);
      else tree.entries.set(name, { mode: '040000', type: 'tree', sha });
    }
    const input = [...tree.entries]
      .map(
        ([name, entry]) =>
          `${entry.mode} ${entry.type} ${entry.sha}\t${name}\u0000`,
      )
      .join('');
    return (
      await this.text(repository, ['mktree', '-z', '--missing'], { input })
    ).trim();
  }

  /** Writes a commit object (no ref moves) and returns its SHA. */
  async writeCommit(
    repository: string,
    options: {
      tree: string;
      parents: string[];
      message: string;
      author: GitSignature;
      committer: GitSignature;
    },
  ): Promise<string> {
    const args = [
      'commit-tree',
      options.tree,
      ...options.parents.flatMap(parent => ['-p', parent]),
      '-F',
      '-',
    ];
    const env: Record<string, string> = {
      GIT_AUTHOR_NAME: options.author.name,
      GIT_AUTHOR_EMAIL: options.author.email,
      GIT_COMMITTER_NAME: options.committer.name,
      GIT_COMMITTER_EMAIL: options.committer.email,
    };
    if (options.author.date) env.GIT_AUTHOR_DATE = options.author.date;
    if (options.committer.date) env.GIT_COMMITTER_DATE = options.committer.date;
    // commit-tree keeps the message as given; git itself ends messages with a newline.
    const message = options.message.endsWith('\n')
      ? options.message
      : `${options.message}\n`;
    return (await this.text(repository, args, { input: message, env })).trim();
  }

  /** The best common ancestor of two commits, or undefined for unrelated histories. */
  async mergeBase(
    repository: string,
    a: string,
    b: string,
  ): Promise<string | undefined> {
    const args = ['merge-base', a, b];
    try {
      const base = await this.settled(repository, [a, b], args, () => this.text(repository, args));
      return base.trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether `ancestor` is reachable from `descendant`. */
  async isAncestor(
    repository: string,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const args = ['merge-base', '--is-ancestor', ancestor, descendant];
    // Exit 0: it is; 1: it is not (both settled); anything else (a missing
    // commit) is asked again next time.
    const answer = () =>
      runGit(this.git.pathOf(repository), args).then(({ code }) => {
        if (code > 1) throw new Error(`git merge-base exited ${code}`);
        return code === 0;
      });
    return this.settled(repository, [ancestor, descendant], args, answer).catch(() => false);
  }

  /** The tree a merge of two commits would have, or `conflict` when it does not merge cleanly. */
  async mergeTree(
    repository: string,
    ours: string,
    theirs: string,
  ): Promise<{ tree: string } | 'conflict'> {
    const args = ['merge-tree', '--write-tree', '--allow-unrelated-histories', ours, theirs];
    return this.settled(repository, [ours, theirs], args, async () => {
      try {
        const out = await this.text(repository, args);
        return { tree: out.split('\n')[0].trim() };
      } catch (error) {
        // Exit code 1 means conflicts; anything else is a real failure.
        if ((error as { exitCode?: unknown }).exitCode === 1) return 'conflict' as const;
        throw error;
      }
    });
  }

  /** Commit SHAs reachable from `revision`, newest first, optionally only those touching `path`. */
  async revList(
    repository: string,
    revision: string | string[],
    options: {
      path?: string;
      skip?: number;
      maxCount?: number;
      since?: string;
      until?: string;
      reverse?: boolean;
    } = {},
  ): Promise<string[]> {
    const args = ['rev-list'];
    if (options.skip) args.push(`--skip=${options.skip}`);
    if (options.maxCount !== undefined)
      args.push(`--max-count=${options.maxCount}`);
    if (options.since) args.push(`--since=${options.since}`);
    if (options.until) args.push(`--until=${options.until}`);
    if (options.reverse) args.push('--reverse');
    const revisions = Array.isArray(revision) ? revision : [revision];
    args.push(...revisions);
    if (options.path) args.push('--', options.path);
    const out = await this.settled(repository, this.datedOr(revisions, options), args, () => this.text(repository, args));
    return out.split('\n').filter(Boolean);
  }

  /** How many commits {@link revList} would list without paging. */
  async countCommits(
    repository: string,
    revision: string | string[],
    options: { path?: string; since?: string; until?: string } = {},
  ): Promise<number> {
    const args = ['rev-list', '--count'];
    if (options.since) args.push(`--since=${options.since}`);
    if (options.until) args.push(`--until=${options.until}`);
    const revisions = Array.isArray(revision) ? revision : [revision];
    args.push(...revisions);
    if (options.path) args.push('--', options.path);
    return Number((await this.settled(repository, this.datedOr(revisions, options), args, () => this.text(repository, args))).trim());
  }

  /**
   * The files that differ between two commits (`base` undefined: the root
   * commit's files), with line counts and patches like GitHub's `files[]`.
   */
  async diff(
    repository: string,
    base: string | undefined,
    head: string,
  ): Promise<DiffFile[]> {
    const from = base ?? EMPTY_TREE_SHA;
    const files = await this.settled(repository, [from, head], ['diff', from, head], () => this.diffNow(repository, from, head));
    return files.map(file => ({ ...file })); // a copy: callers may change theirs
  }

  private async diffNow(repository: string, from: string, head: string): Promise<DiffFile[]> {
    const raw = await this.text(repository, [
      '-c',
      'core.quotepath=false',
      'diff-tree',
      '-r',
      '-z',
      '-M',
      '--raw',
      '--numstat',
      from,
      head,
    ]);
    const patches = await this.patches(repository, from, head);
    return parseDiffTree(raw, patches);
  }

  /** Unified diff hunks per new path (old path for deletions). */
  private async patches(
    repository: string,
    from: string,
    head: string,
  ): Promise<Map<string, string>> {
    const out = await this.text(repository, [
      '-c',
      'core.quotepath=false',
      'diff',
      '-M',
      '--no-color',
      '--no-ext-diff',
      from,
      head,
    ]);
    return parsePatches(out);
  }

  /** The size of the repository on disk in KiB, as GitHub's `size` reports it. */
  async sizeKb(repository: string): Promise<number> {
    // GitHub recomputes it now and then, not per request: kept until a ref moves.
    const out = await this.git.current.fact(repository, 'count-objects', () => this.text(repository, ['count-objects', '-v']));
    let total = 0;
    for (const line of out.split('\n')) {
      const [key, value] = line.split(': ');
      if (key === 'size' || key === 'size-pack') total += Number(value) || 0;
    }
    return total;
  }

  /** A tar.gz or zip archive of a commit, with every path under `prefix/`. */
  async archive(
    repository: string,
    commit: string,
    format: 'tar.gz' | 'zip',
    prefix: string,
  ): Promise<Buffer> {
    return this.run(repository, [
      'archive',
      `--format=${format === 'zip' ? 'zip' : 'tar.gz'}`,
      `--prefix=${prefix}/`,
      commit,
    ]);
  }
}
