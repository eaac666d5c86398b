/** The user every accepted token authenticates as. */
export const BOT_LOGIN = 'luban-bot';

/** The GitHub Enterprise Server version the emulator reports (and whose OpenAPI description its answers follow). */
export const GHES_VERSION = '3.17';

/** A user or organization. */
export interface Account {
  login: string;
  id: number;
  type: 'User' | 'Organization';
  /** Display name (users) or organization name. */
  name: string;
  email: string | null;
  createdAt: string;
}

/** Repository settings PATCH can change, with GitHub's field names. */
export interface RepositorySettings {
  has_issues: boolean;
  has_projects: boolean;
  has_wiki: boolean;
  has_downloads: boolean;
  has_discussions: boolean;
  allow_merge_commit: boolean;
  allow_squash_merge: boolean;
  allow_rebase_merge: boolean;
  allow_auto_merge: boolean;
  allow_update_branch: boolean;
  allow_forking: boolean;
  delete_branch_on_merge: boolean;
  archived: boolean;
  is_template: boolean;
  web_commit_signoff_required: boolean;
  squash_merge_commit_title: string;
  squash_merge_commit_message: string;
  merge_commit_title: string;
  merge_commit_message: string;
}

/** Classic branch protection as stored from `PUT .../branches/{branch}/protection`. */
export interface BranchProtection {
  requiredStatusChecks: { strict: boolean; contexts: string[] } | null;
  enforceAdmins: boolean;
  requiredPullRequestReviews: {
    dismissStaleReviews: boolean;
    requireCodeOwnerReviews: boolean;
    requiredApprovingReviewCount: number;
    requireLastPushApproval: boolean;
    /** Logins that may push without a pull request, and merge one without its approvals (`bypass_pull_request_allowances.users`). */
    bypassUsers: string[];
  } | null;
  restrictions: { users: string[]; teams: string[]; apps: string[] } | null;
  requiredLinearHistory: boolean;
  allowForcePushes: boolean;
  allowDeletions: boolean;
  blockCreations: boolean;
  requiredConversationResolution: boolean;
  lockBranch: boolean;
  allowForkSyncing: boolean;
  requiredSignatures: boolean;
}

/** A review of a pull request. */
export interface ReviewRecord {
  id: number;
  user: Account;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  body: string;
  commitId: string;
  submittedAt: string;
}

/** A pull request between two branches of one repository. */
export interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  user: Account;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  maintainerCanModify: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: Account | null;
  reviews: ReviewRecord[];
}

/** One attempt to deliver a webhook event. */
export interface DeliveryRecord {
  id: number;
  guid: string;
  hookId: number;
  repositoryId: number;
  /** Full name of the repository, for tests that look across repositories. */
  repository: string;
  event: string;
  action: string | null;
  url: string;
  deliveredAt: string;
  redelivery: boolean;
  /** Seconds the receiver took. */
  duration: number;
  /** `OK`, `Invalid HTTP Response: <code>` or the connection failure. */
  status: string;
  /** The receiver's status code; 0 when it could not be reached. */
  statusCode: number;
  request: { headers: Record<string, string>; payload: unknown; body: string };
  response: { headers: Record<string, string>; payload: string | null };
}

/** A repository webhook. */
export interface HookRecord {
  id: number;
  name: string;
  active: boolean;
  events: string[];
  config: {
    url: string;
    content_type: 'json' | 'form';
    secret?: string;
    insecure_ssl: string;
  };
  createdAt: string;
  updatedAt: string;
  lastResponse: { code: number | null; status: string; message: string | null };
}

/** A commit status (`POST .../statuses/{sha}`), what required status checks wait for. */
export interface StatusRecord {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

/** Everything the emulator keeps about a repository besides its git data. */
export interface RepoRecord {
  id: number;
  owner: Account;
  name: string;
  /** Where the bare repository lives in {@link GitRepositories}: `github/<owner>/<name>.git`. */
  path: string;
  description: string | null;
  homepage: string | null;
  visibility: 'public' | 'private' | 'internal';
  createdAt: string;
  updatedAt: string;
  pushedAt: string | null;
  topics: string[];
  settings: RepositorySettings;
  protections: Map<string, BranchProtection>;
  collaborators: Map<string, string>;
  teams: Map<string, string>;
  hooks: HookRecord[];
  pulls: PullRecord[];
  statuses: StatusRecord[];
  variables: Map<
    string,
    { value: string; createdAt: string; updatedAt: string }
  >;
  secrets: Map<string, { createdAt: string; updatedAt: string }>;
  /** Issues and pull requests share one number sequence. */
  nextNumber: number;
}

/** The emulator's web and API base URLs. */
export class GitHubUrls {
  /** REST base, as on GitHub Enterprise Server. */
  readonly api: string;
  readonly host: string;

  constructor(readonly web: string) {
    this.api = `${web}/api/v3`;
    this.host = new URL(web).host;
  }

  repoApi(repo: RepoRecord): string {
    return `${this.api}/repos/${repo.owner.login}/${repo.name}`;
  }

  repoWeb(repo: RepoRecord): string {
    return `${this.web}/${repo.owner.login}/${repo.name}`;
  }

  /** Encodes a path for a URL, keeping its slashes. */
  static path(path: string): string {
    return path.split('/').map(encodeURIComponent).join('/');
  }
}

/** An ISO timestamp without milliseconds, as GitHub writes them. */
export function timestamp(date: Date | string = new Date()): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A legacy (base64) GraphQL node id, e.g. `MDEwOlJlcG9zaXRvcnkx` for repository 1. */
export function nodeId(type: string, id: number | string): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}
