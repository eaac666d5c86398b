import type { CommitInfo } from '../git/GitRepositories';
import type { DiffFile, TreeEntry } from './gitObjects';
import {
  GitHubUrls,
  nodeId,
  timestamp,
  type Account,
  type BranchProtection,
  type HookRecord,
  type RepoRecord,
} from './model';

/** A user or organization as `simple-user`. */
export function simpleUser(account: Account, urls: GitHubUrls) {
  const api = `${urls.api}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(
      account.type === 'User' ? 'User' : 'Organization',
      account.id,
    ),
    avatar_url: `${urls.web}/avatars/u/${account.id}?`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${account.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `GET /users/{username}`: a `public-user` (organizations answer with type Organization). */
export function publicUser(
  account: Account,
  urls: GitHubUrls,
  publicRepos: number,
) {
  return {
    ...simpleUser(account, urls),
    name: account.name,
    company: null,
    blog: '',
    location: null,
    email: account.email,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: account.createdAt,
    updated_at: account.createdAt,
  };
}

/** An organization as `organization-simple`. */
export function organizationSimple(account: Account, urls: GitHubUrls) {
  const api = `${urls.api}/orgs/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId('Organization', account.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `${urls.web}/avatars/u/${account.id}?`,
    description: null,
  };
}

/** `GET /orgs/{org}`: an `organization-full`. */
export function organizationFull(
  account: Account,
  urls: GitHubUrls,
  repos: { public: number; private: number },
) {
  return {
    ...organizationSimple(account, urls),
    name: account.name,
    blog: '',
    twitter_username: null,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: repos.public,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `${urls.web}/${account.login}`,
    created_at: account.createdAt,
    updated_at: account.createdAt,
    archived_at: null,
    type: 'Organization',
    total_private_repos: repos.private,
    owned_private_repos: repos.private,
    members_can_create_repositories: true,
    default_repository_permission: 'read',
    two_factor_requirement_enabled: false,
  };
}

/** Everything of a repository that is not a URL template, counts or settings. */
export interface RepositoryFacts {
  defaultBranch: string;
  sizeKb: number;
  openIssues: number;
  /** Permissions of the caller; omitted for anonymous callers. */
  permissions?: {
    admin: boolean;
    maintain: boolean;
    push: boolean;
    triage: boolean;
    pull: boolean;
  };
}

/** A repository as `full-repository` (create, get, update). */
export function repository(
  repo: RepoRecord,
  facts: RepositoryFacts,
  urls: GitHubUrls,
) {
  const api = urls.repoApi(repo);
  const web = urls.repoWeb(repo);
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    private: repo.visibility !== 'public',
    owner: simpleUser(repo.owner, urls),
    html_url: web,
    description: repo.description,
    fork: false,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    pushed_at: repo.pushedAt,
    git_url: `git://${urls.host}/${repo.owner.login}/${repo.name}.git`,
    ssh_url: `git@${new URL(urls.web).hostname}:${repo.owner.login}/${
      repo.name
    }.git`,
    clone_url: `${web}.git`,
    svn_url: web,
    homepage: repo.homepage,
    size: facts.sizeKb,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: repo.settings.has_issues,
    has_projects: repo.settings.has_projects,
    has_downloads: repo.settings.has_downloads,
    has_wiki: repo.settings.has_wiki,
    has_pages: false,
    has_discussions: repo.settings.has_discussions,
    forks_count: 0,
    mirror_url: null,
    archived: repo.settings.archived,
    disabled: false,
    open_issues_count: facts.openIssues,
    license: null,
    allow_forking: repo.settings.allow_forking,
    is_template: repo.settings.is_template,
    web_commit_signoff_required: repo.settings.web_commit_signoff_required,
    topics: repo.topics,
    visibility: repo.visibility,
    forks: 0,
    open_issues: facts.openIssues,
    watchers: 0,
    default_branch: facts.defaultBranch,
    ...(facts.permissions ? { permissions: facts.permissions } : {}),
    allow_squash_merge: repo.settings.allow_squash_merge,
    allow_merge_commit: repo.settings.allow_merge_commit,
    allow_rebase_merge: repo.settings.allow_rebase_merge,
    allow_auto_merge: repo.settings.allow_auto_merge,
    delete_branch_on_merge: repo.settings.delete_branch_on_merge,
    allow_update_branch: repo.settings.allow_update_branch,
    use_squash_pr_title_as_default:
      repo.settings.squash_merge_commit_title === 'PR_TITLE',
    squash_merge_commit_title: repo.settings.squash_merge_commit_title,
    squash_merge_commit_message: repo.settings.squash_merge_commit_message,
    merge_commit_title: repo.settings.merge_commit_title,
    merge_commit_message: repo.settings.merge_commit_message,
    ...(repo.owner.type === 'Organization'
      ? { organization: simpleUser(repo.owner, urls) }
      : {}),
    network_count: 0,
    subscribers_count: 0,
  };
}

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

/** Branch protection as `branch-protection` / `protected-branch`. */
export function protection(
  repo: RepoRecord,
  branch: string,
  rules: BranchProtection,
  urls: GitHubUrls,
) {
  const url = `${urls.repoApi(repo)}/branches/${encodeURIComponent(
    branch,
  )}/protection`;
  return {
    url,
    required_status_checks: rules.requiredStatusChecks
      ? {
          url: `${url}/required_status_checks`,
          strict: rules.requiredStatusChecks.strict,
          contexts: rules.requiredStatusChecks.contexts,
          contexts_url: `${url}/required_status_checks/contexts`,
          checks: rules.requiredStatusChecks.contexts.map(context => ({
            context,
            app_id: null,
          })),
        }
      : undefined,
    required_pull_request_reviews: rules.requiredPullRequestReviews
      ? {
          url: `${url}/required_pull_request_reviews`,
          dismiss_stale_reviews:
            rules.requiredPullRequestReviews.dismissStaleReviews,
          require_code_owner_reviews:
            rules.requiredPullRequestReviews.requireCodeOwnerReviews,
          required_approving_review_count:
            rules.requiredPullRequestReviews.requiredApprovingReviewCount,
          require_last_push_approval:
            rules.requiredPullRequestReviews.requireLastPushApproval,
        }
      : undefined,
    required_signatures: {
      url: `${url}/required_signatures`,
      enabled: rules.requiredSignatures,
    },
    enforce_admins: {
      url: `${url}/enforce_admins`,
      enabled: rules.enforceAdmins,
    },
    required_linear_history: { enabled: rules.requiredLinearHistory },
    allow_force_pushes: { enabled: rules.allowForcePushes },
    allow_deletions: { enabled: rules.allowDeletions },
    block_creations: { enabled: rules.blockCreations },
    required_conversation_resolution: {
      enabled: rules.requiredConversationResolution,
    },
    lock_branch: { enabled: rules.lockBranch },
    allow_fork_syncing: { enabled: rules.allowForkSyncing },
    ...(rules.restrictions
      ? {
          restrictions: {
            url: `${url}/restrictions`,
            users_url: `${url}/restrictions/users`,
            teams_url: `${url}/restrictions/teams`,
            apps_url: `${url}/restrictions/apps`,
            users: [],
            teams: [],
            apps: [],
          },
        }
      : {}),
  };
}

/** A webhook as `hook`; the secret is masked, as GitHub never returns it. */
export function hook(repo: RepoRecord, record: HookRecord, urls: GitHubUrls) {
  const url = `${urls.repoApi(repo)}/hooks/${record.id}`;
  return {
    type: 'Repository',
    id: record.id,
    name: record.name,
    active: record.active,
    events: record.events,
    config: {
      content_type: record.config.content_type,
      insecure_ssl: record.config.insecure_ssl,
      url: record.config.url,
      ...(record.config.secret ? { secret: '********' } : {}),
    },
    updated_at: record.updatedAt,
    created_at: record.createdAt,
    url,
    test_url: `${url}/test`,
    ping_url: `${url}/pings`,
    deliveries_url: `${url}/deliveries`,
    last_response: record.lastResponse,
  };
}
