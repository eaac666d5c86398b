import { rename } from 'node:fs/promises';
import { GitHubError, notFound, validationFailed } from '../errors';
import {
  timestamp,
  type Account,
  type RepoRecord,
  type RepositorySettings,
} from '../model';
import type { ApiRequest, Route } from '../router';
import type { GitHubState } from '../state';
import {
  booleanField,
  json,
  organization,
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

/** Repositories: list, create, read, update, delete, topics. */
export function repositoryRoutes(state: GitHubState): Route[] {
  return [
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
  ];
}
