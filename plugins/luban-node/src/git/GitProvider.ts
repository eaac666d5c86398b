import { ConflictError, NotAllowedError } from '@backstage/errors';
import type { PullRequestComment } from './pullRequestComments';
import type { RepoLocation } from './repoLocation';

/**
 * Options of {@link GitProvider.ensureRepository}.
 * @public
 */
export interface EnsureRepositoryOptions {
  /** Shown on GitHub; Azure DevOps repositories have no description (it goes into the initial README only). */
  description?: string;
  /** GitHub only (default true); on Azure DevOps the project decides who sees a repository. */
  private?: boolean;
  /** The branch the initial commit goes to. Default `main`. */
  defaultBranch?: string;
  /** Read only, report what would happen. */
  dryRun?: boolean;
}

/**
 * What {@link GitProvider.ensureRepository} did and where the repository is.
 * @public
 */
export interface EnsuredRepository {
  result: 'created' | 'unchanged';
  webUrl: string;
  cloneUrl: string;
  defaultBranch: string;
}

/**
 * A file as read at a ref.
 * @public
 */
export interface GitFile {
  /** The file's text (UTF-8). */
  content: string;
  /** The blob sha (GitHub) or objectId (Azure DevOps) of this content. */
  version: string;
  /** The commit the ref pointed to when the file was read. */
  commitSha: string;
}

/**
 * One file of a commit: new content, or `null` to delete it.
 * @public
 */
export interface FileChange {
  path: string;
  content: string | null;
}

/**
 * Options of {@link GitProvider.commitFiles}.
 * @public
 */
export interface CommitFilesOptions {
  branch: string;
  /** The commit the branch must still point to; otherwise a {@link StaleBranchError} is thrown and nothing is written. */
  expectedHeadSha: string;
  message: string;
  files: FileChange[];
}

/**
 * What an edit of files did (see `editFiles`).
 * @public
 */
export interface EditFileResult {
  changed: boolean;
  /** The new commit, when something changed. */
  commitSha?: string;
}

/**
 * The state of a pull request.
 * @public
 */
export type PullRequestState = 'open' | 'merged' | 'closed';

/**
 * Options of {@link GitProvider.openOrReusePullRequest}.
 * @public
 */
export interface PullRequestOptions {
  /** The source branch. */
  head: string;
  /** The target branch. */
  base: string;
  title: string;
  body: string;
}

/**
 * A pull request opened or found by {@link GitProvider.openOrReusePullRequest}.
 * @public
 */
export interface OpenedPullRequest {
  number: number;
  /** The pull request in the provider's REST API. */
  url: string;
  /** The pull request's web page. */
  webUrl: string;
  state: PullRequestState;
  /** Whether an open pull request for the same branches already existed. */
  reused: boolean;
}

/**
 * A pull request as read by {@link GitProvider.getPullRequest}.
 * @public
 */
export interface PullRequestInfo {
  number: number;
  state: PullRequestState;
  title: string;
  webUrl: string;
}

/**
 * An open pull request from a branch of the repository itself, as listed by
 * {@link GitProvider.listOpenPullRequests}.
 * @public
 */
export interface OpenPullRequestSummary {
  number: number;
  title: string;
  /** The description (GitHub's body, Azure DevOps' description). */
  body: string;
  /** The source branch, without `refs/heads/`. */
  head: string;
  /** The target branch, without `refs/heads/`. */
  base: string;
  /** The pull request's web page. */
  webUrl: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * A pull request in any state, as listed by {@link GitProvider.listPullRequestsFromBranch}.
 * @public
 */
export interface PullRequestSummary {
  number: number;
  title: string;
  state: PullRequestState;
  /** The source branch, without `refs/heads/`. */
  head: string;
  /** The target branch, without `refs/heads/`. */
  base: string;
  /** The pull request's web page. */
  webUrl: string;
  /** ISO 8601. */
  createdAt: string;
  /** When it was merged (completed) or closed (abandoned), ISO 8601. */
  closedAt?: string;
}

/**
 * Options of {@link GitProvider.listOpenPullRequests}.
 * @public
 */
export interface ListPullRequestsOptions {
  /** Only pull requests whose source branch starts with this, e.g. `luban/`. */
  headPrefix: string;
  /** Only pull requests into this branch. */
  base: string;
}

/**
 * Options of {@link GitProvider.registerWebhook}.
 * @public
 */
export interface WebhookOptions {
  /** Where the provider posts events; the webhook is found again by this URL. */
  url: string;
  /**
   * GitHub signs deliveries with it (`X-Hub-Signature-256`); Azure DevOps
   * sends it as `Authorization: Bearer <secret>`. Neither provider shows it
   * again, so a changed secret on an existing webhook is not detected.
   */
  secret: string;
  /** `pull_request` is what pull-request previews need (GitHub's event; Azure DevOps' created, updated and merged). */
  events: Array<'push' | 'pull_request'>;
}

/**
 * A commit in a file's history.
 * @public
 */
export interface FileCommit {
  sha: string;
  message: string;
  /** ISO 8601. */
  date: string;
  /** The author's name. */
  author: string;
}

/**
 * Options of {@link GitProvider.protectBranch}.
 * @public
 */
export interface BranchProtectionOptions {
  /** Approving reviews a pull request into the branch needs; 0 leaves the branch as it is. */
  requiredApprovals: number;
  /** Read only, report what would happen. */
  dryRun?: boolean;
}

/**
 * The reviews of a pull request: the latest verdict of each reviewer, and
 * the checks of its head where the host reports them.
 * @public
 */
export interface PullRequestReviews {
  /** Display names (Azure DevOps) or logins (GitHub) of who approved. */
  approvedBy: string[];
  /** Who asked for changes (GitHub) or voted "waiting for author" or "rejected" (Azure DevOps). */
  changesRequestedBy: string[];
  /** The head's commit statuses (GitHub's combined status); absent when there are none. */
  checks?: { state: 'success' | 'pending' | 'failure'; total: number };
}

/**
 * Create or update result of an ensure call.
 * @public
 */
export type WebhookResult = 'created' | 'updated' | 'unchanged';

/**
 * One code path for GitHub and Azure DevOps repositories. Credentials come
 * from `integrations` config only. Errors are `@backstage/errors` types that
 * name the host, the repository and the object, never a credential.
 * @public
 */
export interface GitProvider {
  /** Creates the repository with an initial commit on its default branch, unless it exists. */
  ensureRepository(repo: RepoLocation, options?: EnsureRepositoryOptions): Promise<EnsuredRepository>;
  /**
   * Reads a text file at a branch, tag or commit; undefined when the file
   * (or any commit) does not exist. A repeated read is one conditional request.
   */
  readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined>;
  /** The commit a branch points to; undefined when there is no such branch. */
  getBranch(repo: RepoLocation, branch: string): Promise<string | undefined>;
  /** Creates the branch at `fromSha` unless it exists (wherever it points). */
  ensureBranch(repo: RepoLocation, branch: string, fromSha: string): Promise<'created' | 'unchanged'>;
  /**
   * Commits the changes on top of `expectedHeadSha` and moves the branch
   * only if it still points there (compare-and-set). Changes that change
   * nothing make no commit: the head is returned.
   */
  commitFiles(repo: RepoLocation, options: CommitFilesOptions): Promise<{ commitSha: string }>;
  /** Opens a pull request, or returns the open one with the same head and base. */
  openOrReusePullRequest(repo: RepoLocation, options: PullRequestOptions): Promise<OpenedPullRequest>;
  /** Reads a pull request by number. */
  getPullRequest(repo: RepoLocation, number: number): Promise<PullRequestInfo>;
  /**
   * The open pull requests from branches of the repository itself (never a
   * fork's) with the prefix, into `base`, newest first: one request per call
   * (conditional where the host supports it), never joined to one under way,
   * so that every call sees the host's state as of the call.
   */
  listOpenPullRequests(repo: RepoLocation, options: ListPullRequestsOptions): Promise<OpenPullRequestSummary[]>;
  /**
   * Every pull request from one branch of the repository itself (open,
   * merged or closed), newest first: one request, of at most 100.
   */
  listPullRequestsFromBranch(repo: RepoLocation, head: string): Promise<PullRequestSummary[]>;
  /**
   * Closes (GitHub) or abandons (Azure DevOps) an open pull request and sets
   * its description in the same request, so that a closed one never lacks
   * the reason; a pull request that is no longer open is left as it is.
   */
  closePullRequest(repo: RepoLocation, number: number, options: { description: string }): Promise<'closed' | 'unchanged'>;
  /** Creates a push webhook for the URL, or brings the existing one in line. */
  registerWebhook(repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult>;
  /**
   * Requires approving reviews for pull requests into a branch, while the
   * identity luban writes with may still commit to it directly (GitHub: a
   * `bypass_pull_request_allowances` user; Azure DevOps: a "Minimum number of
   * reviewers" policy, which binds completing pull requests, not pushes of an
   * identity allowed to bypass policies). Never lowers a stricter rule.
   */
  protectBranch(repo: RepoLocation, branch: string, options: BranchProtectionOptions): Promise<WebhookResult>;
  /** The reviews of an open pull request from branch `head`: one request (Azure DevOps) or two (GitHub: reviews, the head's statuses). */
  pullRequestReviews(repo: RepoLocation, number: number, head: string): Promise<PullRequestReviews>;
  /** The commits that changed a file, newest first. */
  fileHistory(repo: RepoLocation, path: string, ref: string, limit: number): Promise<FileCommit[]>;
  /**
   * The author date of one commit (ISO 8601), as {@link GitProvider.fileHistory}
   * gives it; undefined when the repository has no such commit. One request;
   * a commit never changes, so callers may keep the answer.
   */
  commitDate?(repo: RepoLocation, sha: string): Promise<string | undefined>;
  /**
   * The paths that any commit after `fromSha` up to `toSha` touched, when the
   * provider can tell cheaply (`toSha` descends from `fromSha` by a few
   * commits); undefined otherwise. A path not in the set has the same
   * content and the same last change at both commits, so what was read at
   * `fromSha` still holds: one answer serves every file of the repository.
   */
  changedPaths?(repo: RepoLocation, fromSha: string, toSha: string): Promise<ReadonlySet<string> | undefined>;
  /** The web page of a file at a ref. */
  webUrlOfFile(repo: RepoLocation, path: string, ref: string): string;
  /** The web page of a commit. */
  webUrlOfCommit(repo: RepoLocation, sha: string): string;
  /** The web page comparing two commits: what changed from `fromSha` to `toSha`. */
  webUrlOfCompare(repo: RepoLocation, fromSha: string, toSha: string): string;
  /** The web page of a pull request. */
  webUrlOfPullRequest(repo: RepoLocation, number: number): string;
  /**
   * Creates luban's comment with this marker on a pull request, or updates
   * the one already there: one comment per marker, never duplicated.
   */
  upsertPullRequestComment?(repo: RepoLocation, number: number, comment: PullRequestComment): Promise<'created' | 'updated' | 'unchanged'>;
}

/**
 * The host refused a direct write to a protected branch: changes must go
 * through a pull request.
 * @public
 */
export class BranchProtectedError extends NotAllowedError {
  constructor(
    message: string,
    readonly branch: string,
  ) {
    super(message);
  }
}

/**
 * A write compared against a branch head that has moved since it was read.
 * @public
 */
export class StaleBranchError extends ConflictError {
  constructor(
    message: string,
    readonly branch: string,
    readonly expectedHeadSha: string,
    readonly actualHeadSha?: string,
  ) {
    super(message);
  }
}
