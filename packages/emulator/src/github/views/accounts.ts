import { nodeId, type Account, type GitHubUrls } from '../model';

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
