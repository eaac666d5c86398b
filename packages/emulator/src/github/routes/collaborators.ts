import { notFound, validationFailed } from '../errors';
import { nodeId, timestamp, type Account } from '../model';
import type { Route } from '../router';
import type { GitHubState } from '../state';
import { organizationFull, simpleUser } from '../views';
import {
  countRepos,
  json,
  noContent,
  organization,
  page,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

function team(state: GitHubState, org: Account, slug: string) {
  const id = [...`${org.login}/${slug}`].reduce(
    (hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_000,
    7,
  );
  const url = `${state.urls.api}/organizations/${org.id}/team/${id}`;
  return {
    id,
    node_id: nodeId('Team', id),
    url,
    html_url: `${state.urls.web}/orgs/${org.login}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
    members_count: 0,
    repos_count: state
      .allRepos()
      .filter(repo => repo.teams.has(slug.toLowerCase())).length,
    created_at: state.createdAt,
    updated_at: state.createdAt,
    organization: organizationFull(org, state.urls, countRepos(state, org)),
  };
}

/** Who may access a repository: collaborators and teams. */
export function collaboratorRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/collaborators',
      'collaborators/collaborators#list-repository-collaborators',
      async req => {
        const repo = visibleRepo(state, req);
        const collaborators = [
          state.bot,
          ...[...repo.collaborators.keys()].map(login => state.account(login)!),
        ].map(account => ({
          ...simpleUser({ ...account, type: 'User' }, state.urls),
          permissions: {
            admin:
              account === state.bot ||
              repo.collaborators.get(account.login.toLowerCase()) === 'admin',
            maintain: true,
            push: true,
            triage: true,
            pull: true,
          },
          role_name:
            account === state.bot
              ? 'admin'
              : repo.collaborators.get(account.login.toLowerCase()),
        }));
        return page(req, collaborators);
      },
      { requiresAuth: true },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/collaborators/{username}',
      'collaborators/collaborators#check-if-a-user-is-a-repository-collaborator',
      async req => {
        const repo = visibleRepo(state, req);
        const login = req.params.username.toLowerCase();
        if (login === state.bot.login || repo.collaborators.has(login))
          return noContent();
        throw notFound();
      },
      { requiresAuth: true },
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/collaborators/{username}',
      'collaborators/collaborators#add-a-repository-collaborator',
      async req => {
        const repo = writableRepo(state, req);
        const account = state.account(req.params.username);
        if (!account) throw notFound();
        const permission = stringField(req, 'permission') ?? 'push';
        if (
          !['pull', 'triage', 'push', 'maintain', 'admin'].includes(permission)
        ) {
          throw validationFailed([
            { resource: 'Repository', code: 'invalid', field: 'permission' },
          ]);
        }
        const login = account.login.toLowerCase();
        const existing =
          login === state.bot.login || repo.collaborators.has(login);
        repo.collaborators.set(login, permission);
        // An existing collaborator gets the new permission silently; anyone else is invited.
        if (existing) return noContent();
        return json(201, {
          id: repo.collaborators.size,
          node_id: nodeId('RepositoryInvitation', repo.collaborators.size),
          repository: {
            id: repo.id,
            name: repo.name,
            full_name: `${repo.owner.login}/${repo.name}`,
            owner: simpleUser(repo.owner, state.urls),
            private: repo.visibility !== 'public',
            html_url: state.urls.repoWeb(repo),
            url: state.urls.repoApi(repo),
          },
          invitee: simpleUser({ ...account, type: 'User' }, state.urls),
          inviter: simpleUser(state.bot, state.urls),
          permissions: permission === 'push' ? 'write' : permission,
          created_at: timestamp(),
          expired: false,
          url: `${state.urls.api}/user/repository_invitations/${repo.collaborators.size}`,
          html_url: `${state.urls.repoWeb(repo)}/invitations`,
        });
      },
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}/collaborators/{username}',
      'collaborators/collaborators#remove-a-repository-collaborator',
      async req => {
        writableRepo(state, req).collaborators.delete(
          req.params.username.toLowerCase(),
        );
        return noContent();
      },
    ),
    route(
      'GET',
      '/orgs/{org}/teams/{team_slug}',
      'teams/teams#get-a-team-by-name',
      async req =>
        json(
          200,
          team(
            state,
            organization(state, req.params.org),
            req.params.team_slug,
          ),
        ),
      { requiresAuth: true },
    ),
    route(
      'PUT',
      '/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}',
      'teams/teams#add-or-update-team-repository-permissions',
      async req => {
        organization(state, req.params.org);
        const repo = writableRepo(state, req);
        repo.teams.set(
          req.params.team_slug.toLowerCase(),
          stringField(req, 'permission') ?? 'push',
        );
        return noContent();
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/teams',
      'repos/repos#list-repository-teams',
      async req => {
        const repo = visibleRepo(state, req);
        if (repo.owner.type !== 'Organization') return page(req, []);
        return page(
          req,
          [...repo.teams].map(([slug, permission]) => ({
            ...team(state, repo.owner, slug),
            permission,
          })),
        );
      },
      { requiresAuth: true },
    ),
  ];
}
