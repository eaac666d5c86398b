import { generateKeyPairSync } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { GitHubError, notFound, validationFailed } from '../errors';
import {
  nodeId,
  timestamp,
  type Account,
  type RepoRecord,
  type RepositorySettings,
} from '../model';
import type { ApiRequest, Route } from '../router';
import type { GitHubState } from '../state';
import { organizationFull, publicUser, simpleUser } from '../views';
import {
  booleanField,
  json,
  noContent,
  page,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

/** Settings a create or update call may set directly, all booleans. */
const BOOLEAN_SETTINGS = [
  'has_issues',
  'has_projects',
  'has_wiki',
  'has_downloads',
  'has_discussions',
  'allow_merge_commit',
  'allow_squash_merge',
  'allow_rebase_merge',
  'allow_auto_merge',
  'allow_update_branch',
  'allow_forking',
  'delete_branch_on_merge',
  'archived',
  'is_template',
  'web_commit_signoff_required',
] as const;

const STRING_SETTINGS = {
  squash_merge_commit_title: ['PR_TITLE', 'COMMIT_OR_PR_TITLE'],
  squash_merge_commit_message: ['PR_BODY', 'COMMIT_MESSAGES', 'BLANK'],
  merge_commit_title: ['PR_TITLE', 'MERGE_MESSAGE'],
  merge_commit_message: ['PR_BODY', 'PR_TITLE', 'BLANK'],
} as const;

const TOPIC_PATTERN = /^[a-z0-9][a-z0-9-]{0,49}$/;

/** The settings named in a request body. */
function settingsFrom(req: ApiRequest): Partial<RepositorySettings> {
  const settings: Partial<RepositorySettings> = {};
  for (const name of BOOLEAN_SETTINGS) {
    const value = booleanField(req, name);
    if (value !== undefined) settings[name] = value;
  }
  for (const [name, allowed] of Object.entries(STRING_SETTINGS) as Array<
    [keyof typeof STRING_SETTINGS, readonly string[]]
  >) {
    const value = stringField(req, name);
    if (value === undefined) continue;
    if (!allowed.includes(value)) {
      throw new GitHubError(
        422,
        `Invalid request.\n\nFor 'properties/${name}', "${value}" is not a valid value.`,
      );
    }
    settings[name] = value;
  }
  return settings;
}

/** The visibility a create or update asks for, from `visibility` or `private`. */
function visibilityFrom(
  req: ApiRequest,
  owner: Account,
): RepoRecord['visibility'] | undefined {
  const visibility = stringField(req, 'visibility');
  if (visibility !== undefined) {
    if (!['public', 'private', 'internal'].includes(visibility)) {
      throw new GitHubError(
        422,
        `Invalid request.\n\nFor 'properties/visibility', "${visibility}" is not a valid value.`,
      );
    }
    if (visibility === 'internal' && owner.type !== 'Organization') {
      throw validationFailed(
        [
          {
            resource: 'Repository',
            code: 'custom',
            field: 'visibility',
            message:
              'visibility can only be internal for repositories owned by organizations',
          },
        ],
        'Repository creation failed.',
      );
    }
    return visibility as RepoRecord['visibility'];
  }
  const isPrivate = booleanField(req, 'private');
  if (isPrivate === undefined) return undefined;
  return isPrivate ? 'private' : 'public';
}

/** GitHub turns every run of characters it does not allow in a name into a hyphen. */
function normalizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

async function createRepository(
  state: GitHubState,
  req: ApiRequest,
  owner: Account,
) {
  const requested = stringField(req, 'name');
  if (!requested) {
    throw validationFailed(
      [{ resource: 'Repository', code: 'missing_field', field: 'name' }],
      'Repository creation failed.',
    );
  }
  const name = normalizeName(requested);
  if (name === '.' || name === '..') {
    throw validationFailed(
      [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name is invalid',
        },
      ],
      'Repository creation failed.',
    );
  }
  if (state.findRepo(owner.login, name)) {
    throw validationFailed(
      [
        {
          resource: 'Repository',
          code: 'custom',
          field: 'name',
          message: 'name already exists on this account',
        },
      ],
      'Repository creation failed.',
    );
  }
  const description = stringField(req, 'description') ?? null;
  const autoInit = booleanField(req, 'auto_init') ?? false;
  const repo = await state.createRepo(owner, name, {
    description,
    homepage: stringField(req, 'homepage') ?? null,
    visibility: visibilityFrom(req, owner) ?? 'public',
    settings: settingsFrom(req),
    files: autoInit
      ? { 'README.md': `# ${name}\n${description ? `${description}\n` : ''}` }
      : undefined,
  });
  const body = await state.repositoryJson(repo, req.viewer);
  return json(201, body, { Location: body.url });
}

function countRepos(state: GitHubState, owner: Account) {
  const owned = state.allRepos().filter(repo => repo.owner.id === owner.id);
  return {
    public: owned.filter(repo => repo.visibility === 'public').length,
    private: owned.filter(repo => repo.visibility !== 'public').length,
  };
}

/** Repositories of an owner that the caller may see, sorted as GitHub sorts by default (full name). */
async function listRepos(
  state: GitHubState,
  req: ApiRequest,
  owner: Account | undefined,
) {
  const visible = state
    .allRepos()
    .filter(
      repo =>
        (!owner || repo.owner.id === owner.id) &&
        (repo.visibility === 'public' || req.viewer),
    )
    .filter(repo => {
      const type =
        req.query.get('type') ?? req.query.get('visibility') ?? 'all';
      if (type === 'public') return repo.visibility === 'public';
      if (type === 'private') return repo.visibility !== 'public';
      return true;
    })
    .sort((a, b) =>
      `${a.owner.login}/${a.name}`.localeCompare(`${b.owner.login}/${b.name}`),
    );
  const all = [];
  for (const repo of visible)
    all.push(await state.repositoryJson(repo, req.viewer));
  return page(req, all);
}

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

/** An organization by its login; 404 for the bot (a user) and invalid names. */
function organization(state: GitHubState, login: string): Account {
  const org = state.account(login);
  if (!org || org.type !== 'Organization') throw notFound();
  return org;
}

/** A public key for encrypting Actions secrets (sealed boxes use X25519 keys). */
function actionsPublicKey() {
  const { publicKey } = generateKeyPairSync('x25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { key_id: String(raw.readUInt32BE(0)), key: raw.toString('base64') };
}

/** Users, organizations, repositories and their settings. */
export function repositoryRoutes(state: GitHubState): Route[] {
  const secretsKey = actionsPublicKey();
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
    route(
      'GET',
      '/user/repos',
      'repos/repos#list-repositories-for-the-authenticated-user',
      req => listRepos(state, req, undefined),
      { requiresAuth: true },
    ),
    route(
      'GET',
      '/users/{username}/repos',
      'repos/repos#list-repositories-for-a-user',
      async req => {
        const account = state.account(req.params.username);
        if (!account) throw notFound();
        return listRepos(state, req, account);
      },
    ),
    route(
      'GET',
      '/orgs/{org}/repos',
      'repos/repos#list-organization-repositories',
      req => listRepos(state, req, organization(state, req.params.org)),
    ),
    route(
      'POST',
      '/user/repos',
      'repos/repos#create-a-repository-for-the-authenticated-user',
      req => createRepository(state, req, req.viewer!),
    ),
    route(
      'POST',
      '/orgs/{org}/repos',
      'repos/repos#create-an-organization-repository',
      req => createRepository(state, req, organization(state, req.params.org)),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}',
      'repos/repos#get-a-repository',
      async req =>
        json(
          200,
          await state.repositoryJson(visibleRepo(state, req), req.viewer),
        ),
    ),
    route(
      'PATCH',
      '/repos/{owner}/{repo}',
      'repos/repos#update-a-repository',
      async req => {
        const repo = visibleRepo(state, req);
        // Un-archiving is the one change an archived repository accepts.
        if (repo.settings.archived && req.body.archived !== false)
          writableRepo(state, req);
        const defaultBranch = stringField(req, 'default_branch');
        if (defaultBranch !== undefined && !(await state.isEmpty(repo))) {
          if (!(await state.branchSha(repo, defaultBranch))) {
            throw validationFailed([
              {
                resource: 'Repository',
                code: 'invalid',
                field: 'default_branch',
              },
            ]);
          }
        }
        const newName = stringField(req, 'name');
        if (newName !== undefined && newName !== repo.name) {
          const normalized = normalizeName(newName);
          if (state.findRepo(repo.owner.login, normalized)) {
            throw validationFailed([
              {
                resource: 'Repository',
                code: 'custom',
                field: 'name',
                message: 'name already exists on this account',
              },
            ]);
          }
          const oldPath = repo.path;
          const newPath = `github/${repo.owner.login}/${normalized}.git`;
          await rename(state.git.pathOf(oldPath), state.git.pathOf(newPath));
          state.renamed(repo, normalized, newPath);
        }
        if (defaultBranch !== undefined)
          await state.git.setDefaultBranch(repo.path, defaultBranch);
        const description = req.body.description;
        if (description !== undefined)
          repo.description = description === null ? null : String(description);
        const homepage = req.body.homepage;
        if (homepage !== undefined)
          repo.homepage = homepage === null ? null : String(homepage);
        repo.visibility = visibilityFrom(req, repo.owner) ?? repo.visibility;
        Object.assign(repo.settings, settingsFrom(req));
        repo.updatedAt = timestamp();
        return json(200, await state.repositoryJson(repo, req.viewer));
      },
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}',
      'repos/repos#delete-a-repository',
      async req => {
        await state.deleteRepo(visibleRepo(state, req));
        return noContent();
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/topics',
      'repos/repos#get-all-repository-topics',
      async req => json(200, { names: visibleRepo(state, req).topics }),
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/topics',
      'repos/repos#replace-all-repository-topics',
      async req => {
        const repo = writableRepo(state, req);
        const names = req.body.names;
        if (!Array.isArray(names))
          throw new GitHubError(
            422,
            `Invalid request.\n\n"names" wasn't supplied.`,
          );
        const invalid = names.filter(
          name => typeof name !== 'string' || !TOPIC_PATTERN.test(name),
        );
        if (invalid.length > 0) {
          throw validationFailed(
            invalid.map(name => ({
              resource: 'Repository',
              code: 'invalid',
              field: 'topics',
              message: `${String(
                name,
              )} is not a valid topic. Topics must start with a lowercase letter or number, consist of 50 characters or less, and can include hyphens.`,
            })),
          );
        }
        repo.topics = [...new Set(names as string[])];
        repo.updatedAt = timestamp();
        return json(200, { names: repo.topics });
      },
    ),
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
    route(
      'POST',
      '/repos/{owner}/{repo}/actions/variables',
      'actions/variables#create-a-repository-variable',
      async req => {
        const repo = writableRepo(state, req);
        const name = stringField(req, 'name', true).toUpperCase();
        const value = stringField(req, 'value', true);
        if (repo.variables.has(name))
          throw new GitHubError(
            409,
            'Already exists - Variable already exists',
          );
        repo.variables.set(name, {
          value,
          createdAt: timestamp(),
          updatedAt: timestamp(),
        });
        return json(201, {});
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/actions/variables',
      'actions/variables#list-repository-variables',
      async req => {
        const repo = visibleRepo(state, req);
        const variables = [...repo.variables].map(([name, variable]) => ({
          name,
          value: variable.value,
          created_at: variable.createdAt,
          updated_at: variable.updatedAt,
        }));
        const paged = page(req, variables);
        return {
          ...paged,
          body: { total_count: variables.length, variables: paged.body },
        };
      },
      { requiresAuth: true },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/actions/secrets/public-key',
      'actions/secrets#get-a-repository-public-key',
      async req => {
        visibleRepo(state, req);
        return json(200, secretsKey);
      },
      { requiresAuth: true },
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
      'actions/secrets#create-or-update-a-repository-secret',
      async req => {
        const repo = writableRepo(state, req);
        stringField(req, 'encrypted_value', true);
        if (stringField(req, 'key_id', true) !== secretsKey.key_id) {
          throw new GitHubError(
            422,
            'Bad request - the key_id does not match the latest public key',
          );
        }
        const name = req.params.secret_name.toUpperCase();
        const existing = repo.secrets.get(name);
        repo.secrets.set(name, {
          createdAt: existing?.createdAt ?? timestamp(),
          updatedAt: timestamp(),
        });
        return existing ? noContent() : json(201, {});
      },
    ),
  ];
}
