import { notFound } from '../errors';
import type { Route } from '../router';
import type { GitHubState } from '../state';
import { organizationFull, publicUser } from '../views';
import { countRepos, json, organization, route } from './common';

/** The authenticated user, users and organizations. */
export function accountRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/user',
      'users/users#get-the-authenticated-user',
      async req => {
        const bot = req.viewer!;
        const repos = countRepos(state, bot);
        return json(200, {
          ...publicUser(bot, state.urls, repos.public),
          private_gists: 0,
          total_private_repos: repos.private,
          owned_private_repos: repos.private,
          disk_usage: 0,
          collaborators: 0,
          two_factor_authentication: false,
          plan: {
            name: 'enterprise',
            space: 976562499,
            collaborators: 0,
            private_repos: 9999,
          },
        });
      },
      { requiresAuth: true },
    ),
    route('GET', '/users/{username}', 'users/users#get-a-user', async req => {
      const account = state.account(req.params.username);
      if (!account) throw notFound();
      return json(
        200,
        publicUser(account, state.urls, countRepos(state, account).public),
      );
    }),
    route('GET', '/orgs/{org}', 'orgs/orgs#get-an-organization', async req => {
      const org = organization(state, req.params.org);
      return json(
        200,
        organizationFull(org, state.urls, countRepos(state, org)),
      );
    }),
  ];
}
