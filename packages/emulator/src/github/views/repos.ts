import {
  nodeId,
  type Account,
  type BranchProtection,
  type GitHubUrls,
  type HookRecord,
  type RepoRecord,
} from '../model';
import { simpleUser } from './accounts';

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

/** Branch protection as `branch-protection` / `protected-branch`. */
export function protection(
  repo: RepoRecord,
  branch: string,
  rules: BranchProtection,
  urls: GitHubUrls,
  accountOf: (login: string) => Account | undefined = () => undefined,
) {
  const bypassUsers = (rules.requiredPullRequestReviews?.bypassUsers ?? [])
    .map(login => accountOf(login))
    .filter((account): account is Account => Boolean(account))
    .map(account => simpleUser({ ...account, type: 'User' }, urls));
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
          ...(bypassUsers.length > 0
            ? {
                bypass_pull_request_allowances: {
                  users: bypassUsers,
                  teams: [],
                  apps: [],
                },
              }
            : {}),
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
