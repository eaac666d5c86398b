import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  ZERO_SHA,
  type CommitInfo,
  type GitRepositories,
} from '../git/GitRepositories';
import { notFound } from './errors';
import { GitObjects, type GitSignature } from './gitObjects';
import {
  BOT_LOGIN,
  GitHubUrls,
  timestamp,
  type Account,
  type RepoRecord,
  type RepositorySettings,
} from './model';
import { installProtectionHook, writeProtectionRules } from './protection';
import { repository } from './views';
import { WebhookSender } from './webhooks';

/** GitHub's rule for user and organization names. */
const LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Settings of a new repository, as GitHub defaults them. */
const DEFAULT_SETTINGS: RepositorySettings = {
  has_issues: true,
  has_projects: true,
  has_wiki: true,
  has_downloads: true,
  has_discussions: false,
  allow_merge_commit: true,
  allow_squash_merge: true,
  allow_rebase_merge: true,
  allow_auto_merge: false,
  allow_update_branch: false,
  allow_forking: true,
  delete_branch_on_merge: false,
  archived: false,
  is_template: false,
  web_commit_signoff_required: false,
  squash_merge_commit_title: 'COMMIT_OR_PR_TITLE',
  squash_merge_commit_message: 'COMMIT_MESSAGES',
  merge_commit_title: 'MERGE_MESSAGE',
  merge_commit_message: 'PR_TITLE',
};

/** What a new repository starts with. */
export interface NewRepository {
  description?: string | null;
  homepage?: string | null;
  visibility?: RepoRecord['visibility'];
  defaultBranch?: string;
  settings?: Partial<RepositorySettings>;
  /** Files of an initial commit; none leaves the repository empty. */
  files?: Record<string, string | Buffer>;
  initialCommitMessage?: string;
}

/** A file change for {@link GitHubState.commitFiles}: content, or null to delete. */
export interface FileWrite {
  path: string;
  content: Buffer | null;
  mode?: string;
}

/**
 * The emulated GitHub's state: accounts, repository records (git data lives
 * in {@link GitRepositories}), ids, URLs and the webhook sender.
 */
export class GitHubState {
  readonly urls: GitHubUrls;
  readonly objects: GitObjects;
  readonly webhooks: WebhookSender;
  readonly bot: Account;
  private readonly accounts = new Map<string, Account>();
  private readonly repos = new Map<string, RepoRecord>();
  private nextAccountId = 2;
  private nextRepoId = 1;
  private nextIds = { pull: 1, hook: 1, review: 1, status: 1 };
  readonly createdAt = timestamp();

  constructor(readonly git: GitRepositories, baseUrl: string) {
    this.urls = new GitHubUrls(baseUrl);
    this.objects = new GitObjects(git);
    this.webhooks = new WebhookSender(new URL(baseUrl).hostname);
    this.bot = {
      login: BOT_LOGIN,
      id: 1,
      type: 'User',
      name: 'luban bot',
      email: `${BOT_LOGIN}@users.noreply.${new URL(baseUrl).hostname}`,
      createdAt: this.createdAt,
    };
    this.accounts.set(BOT_LOGIN, this.bot);
  }

  /** A new id for a pull request, hook, review or status. */
  nextId(kind: keyof GitHubState['nextIds']): number {
    return this.nextIds[kind]++;
  }

  /**
   * The account of a login. Every valid login other than the bot's is an
   * organization that exists, so callers can use any owner they like.
   */
  account(login: string): Account | undefined {
    if (!LOGIN_PATTERN.test(login)) return undefined;
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (!account) {
      account = {
        login,
        id: this.nextAccountId++,
        type: 'Organization',
        name: login,
        email: null,
        createdAt: this.createdAt,
      };
      this.accounts.set(key, account);
    }
    return account;
  }

  /** The account a commit email belongs to (only the bot has one). */
  accountByEmail(email: string): Account | undefined {
    return email.toLowerCase() === this.bot.email?.toLowerCase()
      ? this.bot
      : undefined;
  }

  /** The bot as a commit author or committer. */
  botSignature(): GitSignature {
    return { name: this.bot.login, email: this.bot.email! };
  }

  /** The committer of merges made on the web or by the API. */
  webCommitter(): GitSignature {
    return {
      name: 'GitHub Enterprise',
      email: `noreply@${new URL(this.urls.web).hostname}`,
    };
  }

  private static key(owner: string, name: string) {
    return `${owner}/${name}`.toLowerCase();
  }

  /** A repository by owner and name (case-insensitive), or undefined. */
  findRepo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(GitHubState.key(owner, name));
  }

  /** The repository stored at a GitRepositories path (`github/<owner>/<name>.git`). */
  repoByPath(path: string): RepoRecord | undefined {
    return [...this.repos.values()].find(repo => repo.path === path);
  }

  allRepos(): RepoRecord[] {
    return [...this.repos.values()];
  }

  /** A new repository record (no git data yet). */
  private newRecord(
    owner: Account,
    name: string,
    options: NewRepository,
  ): RepoRecord {
    const now = timestamp();
    return {
      id: this.nextRepoId++,
      owner,
      name,
      path: `github/${owner.login}/${name}.git`,
      description: options.description ?? null,
      homepage: options.homepage ?? null,
      visibility: options.visibility ?? 'public',
      createdAt: now,
      updatedAt: now,
      pushedAt: null,
      topics: [],
      settings: { ...DEFAULT_SETTINGS, ...options.settings },
      protections: new Map(),
      collaborators: new Map(),
      teams: new Map(),
      hooks: [],
      pulls: [],
      statuses: [],
      variables: new Map(),
      secrets: new Map(),
      nextNumber: 1,
    };
  }

  /** Creates a repository record and its bare git repository, with an initial commit when files are given. */
  async createRepo(
    owner: Account,
    name: string,
    options: NewRepository = {},
  ): Promise<RepoRecord> {
    const repo = this.newRecord(owner, name, options);
    // Leftovers of a failed creation may still be on disk under the same name.
    await this.git.remove(repo.path);
    await this.git.create(repo.path, options.defaultBranch ?? 'main');
    await installProtectionHook(this.git.pathOf(repo.path));
    await writeProtectionRules(this.git.pathOf(repo.path), repo);
    this.repos.set(GitHubState.key(owner.login, name), repo);
    if (options.files && Object.keys(options.files).length > 0) {
      await this.commitFiles(repo, {
        branch: options.defaultBranch ?? 'main',
        parent: undefined,
        message: options.initialCommitMessage ?? 'Initial commit',
        author: this.botSignature(),
        committer: this.botSignature(),
        files: Object.entries(options.files).map(([path, content]) => ({
          path,
          content: Buffer.isBuffer(content) ? content : Buffer.from(content),
        })),
      });
    }
    return repo;
  }

  /** Records a rename (the git data has already moved to `path`). */
  renamed(repo: RepoRecord, name: string, path: string): void {
    this.repos.delete(GitHubState.key(repo.owner.login, repo.name));
    repo.name = name;
    repo.path = path;
    this.repos.set(GitHubState.key(repo.owner.login, name), repo);
  }

  /** Deletes a repository with its git data, hooks and pull requests. */
  async deleteRepo(repo: RepoRecord): Promise<void> {
    this.repos.delete(GitHubState.key(repo.owner.login, repo.name));
    await this.git.remove(repo.path);
  }

  /**
   * Registers repositories already on disk under `github/` (left by an
   * earlier run with the same git root) as private repositories.
   */
  async adoptExisting(): Promise<void> {
    const root = this.namespaceRoot();
    let owners: string[];
    try {
      owners = await readdir(root);
    } catch {
      return; // nothing stored yet
    }
    for (const ownerName of owners.sort()) {
      const owner = this.account(ownerName);
      if (!owner) continue;
      const entries = await readdir(join(root, ownerName));
      for (const entry of entries.filter(e => e.endsWith('.git')).sort()) {
        const name = entry.slice(0, -'.git'.length);
        const path = `github/${ownerName}/${entry}`;
        if (this.findRepo(ownerName, name) || !(await this.git.exists(path))) {
          continue;
        }
        const repo = this.newRecord(owner, name, { visibility: 'private' });
        await installProtectionHook(this.git.pathOf(path));
        await writeProtectionRules(this.git.pathOf(path), repo);
        this.repos.set(GitHubState.key(owner.login, name), repo);
      }
    }
  }

  /** Where this system's repositories live on disk (`<git root>/github`). */
  private namespaceRoot(): string {
    return dirname(dirname(this.git.pathOf('github/owner/name.git')));
  }

  /** Drops every repository. */
  async reset(): Promise<void> {
    this.repos.clear();
    this.webhooks.reset();
    // Everything under github/ is this system's; repositories of other systems live elsewhere.
    await rm(this.namespaceRoot(), { recursive: true, force: true });
  }

  /** Rewrites the rules the pre-receive hook enforces after a protection change. */
  async protectionChanged(repo: RepoRecord): Promise<void> {
    await writeProtectionRules(this.git.pathOf(repo.path), repo);
  }

  /**
   * The default branch. While HEAD names a branch that does not exist (an
   * empty repository whose first push went elsewhere), the first branch
   * pushed becomes the default, as on GitHub.
   */
  async defaultBranch(repo: RepoRecord): Promise<string> {
    const head = await this.git.defaultBranch(repo.path);
    const branches = await this.branches(repo);
    if (branches.size === 0 || branches.has(head)) return head;
    const first = branches.has('main')
      ? 'main'
      : [...branches.keys()].sort()[0];
    await this.git.setDefaultBranch(repo.path, first);
    return first;
  }

  /** Branch name → tip commit. */
  async branches(repo: RepoRecord): Promise<Map<string, string>> {
    const branches = new Map<string, string>();
    for (const [ref, sha] of await this.git.refs(repo.path)) {
      if (ref.startsWith('refs/heads/'))
        branches.set(ref.slice('refs/heads/'.length), sha);
    }
    return branches;
  }

  async branchSha(
    repo: RepoRecord,
    branch: string,
  ): Promise<string | undefined> {
    return (await this.git.refs(repo.path)).get(`refs/heads/${branch}`);
  }

  /** The commit a branch, tag, full ref or (abbreviated) SHA names, or undefined. */
  async resolve(
    repo: RepoRecord,
    revision: string,
  ): Promise<string | undefined> {
    if (!revision || revision.startsWith('-')) return undefined;
    const found = await this.git.resolve(repo.path, revision);
    if (found || !/^[0-9a-f]{4,39}$/i.test(revision)) return found;
    try {
      const out = await this.objects.run(repo.path, [
        'rev-parse',
        '--verify',
        '--quiet',
        `${revision}^{commit}`,
      ]);
      return out.toString('utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  async isEmpty(repo: RepoRecord): Promise<boolean> {
    return (await this.git.refs(repo.path)).size === 0;
  }

  /** A commit by SHA; 404 when the repository has no such commit. */
  async commit(repo: RepoRecord, sha: string): Promise<CommitInfo> {
    const info =
      (await this.objects.objectType(repo.path, sha)) === 'commit'
        ? await this.git.commitInfo(repo.path, sha)
        : undefined;
    if (!info) throw notFound();
    return info;
  }

  /** The repository as `full-repository`, with the caller's permissions. */
  async repositoryJson(repo: RepoRecord, viewer: Account | undefined) {
    const admin = viewer !== undefined;
    return repository(
      repo,
      {
        defaultBranch: await this.defaultBranch(repo),
        sizeKb: await this.objects.sizeKb(repo.path),
        openIssues: repo.pulls.filter(pull => pull.state === 'open').length,
        permissions: viewer
          ? { admin, maintain: admin, push: admin, triage: admin, pull: true }
          : undefined,
      },
      this.urls,
    );
  }

  /**
   * Commits file writes on top of `parent` and moves the branch there with
   * compare-and-set (the branch must still be at `parent`; absent for a new
   * branch). Throws RefConflictError when the branch moved meanwhile.
   */
  async commitFiles(
    repo: RepoRecord,
    options: {
      branch: string;
      parent: string | undefined;
      message: string;
      author: GitSignature;
      committer: GitSignature;
      files: FileWrite[];
    },
  ): Promise<string> {
    const changes = [];
    for (const file of options.files) {
      changes.push({
        path: file.path,
        mode: file.mode ?? '100644',
        type: 'blob' as const,
        sha:
          file.content === null
            ? null
            : await this.objects.writeBlob(repo.path, file.content),
      });
    }
    const baseTree = options.parent
      ? await this.objects.treeOf(repo.path, options.parent)
      : undefined;
    const tree = await this.objects.buildTree(repo.path, baseTree, changes);
    const sha = await this.objects.writeCommit(repo.path, {
      tree,
      parents: options.parent ? [options.parent] : [],
      message: options.message,
      author: options.author,
      committer: options.committer,
    });
    await this.git.updateRef(repo.path, `refs/heads/${options.branch}`, sha, {
      expectedSha: options.parent ?? ZERO_SHA,
    });
    return sha;
  }
}
