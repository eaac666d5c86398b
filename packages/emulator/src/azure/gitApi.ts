/**
 * The `git` area: repositories, refs, items, pushes and commits, over the
 * shared bare repositories. Pull requests live in `pullRequests.ts`.
 */
import { createHash } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  RefConflictError,
  ZERO_SHA,
  type CommitInfo,
  type FileChange,
  type GitRepositories,
} from '../git/GitRepositories';
import {
  argumentError,
  controllerNotFound,
  describeVersion,
  invalidArgument,
  itemNotFound,
  methodNotAllowed,
  noBranches,
  referenceStale,
  repositoryExists,
  unresolvableVersion,
} from './errors';
import {
  enumValue,
  flag,
  integer,
  negotiate,
  param,
  readJson,
  sendEmpty,
  sendJson,
  sendList,
  serviceHeaders,
  type RequestContext,
} from './context';
import { isCommit, listTree, repositorySize, type TreeEntry } from './gitTrees';
import { LOCATIONS } from './locations';
import type { PullRequestsApi } from './pullRequests';
import type { PushLog } from './pushes';
import {
  checkName,
  EMULATOR_USER,
  identityRef,
  type AzureOrganizations,
  type OrganizationState,
  type ProjectState,
  type RepositoryState,
} from './state';
import { zip } from './zip';

const VERSION_TYPES = { branch: 0, tag: 1, commit: 2 };
type VersionType = keyof typeof VERSION_TYPES;

const RECURSION_LEVELS = {
  none: 0,
  oneLevel: 1,
  oneLevelPlusNestedEmptyFolders: 4,
  full: 120,
};

const CHANGE_TYPES = { add: 1, edit: 2, rename: 8, delete: 16 };
const CONTENT_TYPES = { rawtext: 0, base64encoded: 1 };

const REF_UPDATE_STATUSES = {
  succeeded: 0,
  staleOldObjectId: 2,
  invalidRefName: 3,
  unresolvableToCommit: 5,
};
type RefUpdateStatus = keyof typeof REF_UPDATE_STATUSES;

/** What an item request wants back: JSON, a ZIP, text, raw bytes, or whatever suits the item. */
type MediaType = 'json' | 'zip' | 'text' | 'octetStream' | 'none';

/** A version descriptor resolved to a commit. */
interface ResolvedVersion {
  type: VersionType;
  version: string;
  commit: string;
  /** `<Branch: main >`, as messages print it. */
  described: string;
}

/** Items are cached for 72 hours when asked for by commit, which cannot change. */
const IMMUTABLE_CACHE = 'max-age=259200';

function itemPath(path: string) {
  const clean = path
    .replace(/\\/g, '/')
    .replace(/\/+/g, '/')
    .replace(/\/$/, '');
  return clean.startsWith('/') ? clean || '/' : `/${clean}`;
}

/** The content type the service derives from a file name. */
function contentTypeOf(path: string) {
  const types: Record<string, string> = {
    '.txt': 'text/plain',
    '.md': 'text/plain',
    '.json': 'application/json',
    '.xml': 'text/xml',
    '.css': 'text/css',
    '.js': 'application/javascript',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.gif': 'image/gif',
  };
  return types[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function etagOf(body: Buffer | string) {
  return `"${createHash('sha1').update(body).digest('hex')}"`;
}

function matchesEtag(ctx: RequestContext, etag: string) {
  const header = ctx.req.headers['if-none-match'];
  if (!header) return false;
  return header
    .split(',')
    .map(tag => tag.trim().replace(/^W\//, ''))
    .some(tag => tag === '*' || tag === etag);
}

function mediaTypeOf(ctx: RequestContext): MediaType {
  const format = param(ctx, '$format');
  if (format) {
    const formats: Record<string, MediaType> = {
      json: 'json',
      zip: 'zip',
      text: 'text',
      octetstream: 'octetStream',
    };
    const chosen = formats[format.toLowerCase()];
    if (!chosen)
      throw invalidArgument(
        `The value '${format}' is not a supported format.`,
        '$format',
      );
    return chosen;
  }
  const types: Record<string, MediaType> = {
    'application/json': 'json',
    'application/zip': 'zip',
    'text/plain': 'text',
    'application/octet-stream': 'octetStream',
  };
  const accepted = String(ctx.req.headers.accept ?? '')
    .split(',')
    .map((entry, index) => {
      const [type, ...parameters] = entry
        .split(';')
        .map(s => s.trim().toLowerCase());
      const q = Number(parameters.find(p => p.startsWith('q='))?.slice(2) ?? 1);
      return { type, q, index };
    })
    .filter(entry => entry.type)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of accepted) {
    if (types[entry.type]) return types[entry.type];
  }
  return 'none';
}

/** Serves the `git` area of one organization (and optionally one project). */
export class GitApi {
  constructor(
    private readonly state: AzureOrganizations,
    private readonly git: GitRepositories,
    private readonly pushes: PushLog,
    private readonly pullRequests: PullRequestsApi,
  ) {}

  /** Routes `…/_apis/git/<rest>`. */
  async route(
    ctx: RequestContext,
    project: ProjectState | undefined,
    rest: string[],
  ) {
    const [resource, repositoryId, child, ...tail] = rest;
    const { organization } = ctx;
    if (resource?.toLowerCase() === 'pullrequests') {
      await this.pullRequests.routeByProject(ctx, project, rest.slice(1));
      return;
    }
    if (resource?.toLowerCase() !== 'repositories')
      throw controllerNotFound(ctx.url.pathname);
    if (repositoryId === undefined) {
      negotiate(ctx, LOCATIONS.repositories);
      if (ctx.method === 'GET') await this.listRepositories(ctx, project);
      else if (ctx.method === 'POST') await this.createRepository(ctx, project);
      else throw methodNotAllowed(ctx.method);
      return;
    }
    const repository = this.state.repository(
      organization,
      project,
      repositoryId,
    );
    switch (child?.toLowerCase()) {
      case undefined:
        negotiate(ctx, LOCATIONS.repositories);
        await this.repositoryResource(ctx, repository);
        return;
      case 'refs':
        negotiate(ctx, LOCATIONS.refs);
        if (ctx.method === 'GET')
          await this.getRefs(ctx, repository, tail.join('/'));
        else if (ctx.method === 'POST') await this.updateRefs(ctx, repository);
        else throw methodNotAllowed(ctx.method);
        return;
      case 'items':
        negotiate(ctx, LOCATIONS.items);
        if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
        await this.getItems(ctx, repository, tail.join('/'));
        return;
      case 'pushes':
        negotiate(ctx, LOCATIONS.pushes);
        await this.pushesResource(ctx, repository, tail[0]);
        return;
      case 'commits':
        negotiate(ctx, LOCATIONS.commits);
        if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
        if (tail[0]) await this.getCommit(ctx, repository, tail[0]);
        else await this.getCommits(ctx, repository);
        return;
      case 'pullrequests':
        await this.pullRequests.routeByRepository(ctx, repository, tail);
        return;
      default:
        throw controllerNotFound(ctx.url.pathname);
    }
  }

  private pathOf(organization: OrganizationState, repository: RepositoryState) {
    return this.state.pathOf(organization, repository);
  }

  private async repositoryJson(
    organization: OrganizationState,
    repository: RepositoryState,
  ) {
    const size = await repositorySize(
      this.git.pathOf(this.pathOf(organization, repository)),
    ).catch(() => 0);
    return this.state.repositoryJson(organization, repository, size);
  }

  // ---- repositories -------------------------------------------------------

  private async listRepositories(
    ctx: RequestContext,
    project: ProjectState | undefined,
  ) {
    const repositories = this.state.repositoriesOf(ctx.organization, project);
    sendList(
      ctx,
      await Promise.all(
        repositories.map(r => this.repositoryJson(ctx.organization, r)),
      ),
    );
  }

  private async createRepository(
    ctx: RequestContext,
    routeProject: ProjectState | undefined,
  ) {
    const body = ((await readJson(ctx)) ?? {}) as {
      name?: unknown;
      project?: { id?: string; name?: string };
    };
    const projectKey = body.project?.id ?? body.project?.name;
    const project =
      routeProject ??
      (projectKey
        ? this.state.project(ctx.organization, projectKey)
        : undefined);
    if (!project)
      throw invalidArgument(
        'A project must be specified to create a repository.',
        'gitRepositoryToCreate',
      );
    const repository = await this.state.createRepository(
      ctx.organization,
      project,
      checkName(body.name),
    );
    sendJson(ctx, 201, await this.repositoryJson(ctx.organization, repository));
  }

  private async repositoryResource(
    ctx: RequestContext,
    repository: RepositoryState,
  ) {
    const { organization } = ctx;
    if (ctx.method === 'GET') {
      sendJson(ctx, 200, await this.repositoryJson(organization, repository));
    } else if (ctx.method === 'DELETE') {
      await this.state.deleteRepository(organization, repository);
      sendEmpty(ctx, 204);
    } else if (ctx.method === 'PATCH') {
      const body = ((await readJson(ctx)) ?? {}) as {
        name?: unknown;
        defaultBranch?: unknown;
      };
      if (body.name !== undefined && body.name !== repository.name) {
        const name = checkName(body.name);
        const project = organization.projects.get(repository.projectId)!;
        const taken = this.state
          .repositoriesOf(organization, project)
          .some(
            r =>
              r.id !== repository.id &&
              r.name.toLowerCase() === name.toLowerCase(),
          );
        if (taken) throw repositoryExists(name);
        const from = this.git.pathOf(this.pathOf(organization, repository));
        const previousName = repository.name;
        repository.name = name;
        try {
          await rename(
            from,
            this.git.pathOf(this.pathOf(organization, repository)),
          );
        } catch (error) {
          repository.name = previousName;
          throw error;
        }
      }
      if (typeof body.defaultBranch === 'string') {
        const ref = body.defaultBranch.startsWith('refs/')
          ? body.defaultBranch
          : `refs/heads/${body.defaultBranch}`;
        if (!ref.startsWith('refs/heads/'))
          throw invalidArgument(
            'The default branch must be a branch.',
            'defaultBranch',
          );
        repository.defaultBranch = ref;
        await this.git.setDefaultBranch(
          this.pathOf(organization, repository),
          ref.slice('refs/heads/'.length),
        );
      }
      sendJson(ctx, 200, await this.repositoryJson(organization, repository));
    } else {
      throw methodNotAllowed(ctx.method);
    }
  }

  // ---- refs ---------------------------------------------------------------

  private async getRefs(
    ctx: RequestContext,
    repository: RepositoryState,
    pathFilter: string,
  ) {
    const { organization } = ctx;
    const path = this.pathOf(organization, repository);
    const filter = param(ctx, 'filter') ?? pathFilter;
    const contains = param(ctx, 'filterContains')?.toLowerCase();
    const repositoryUrl = this.state.repositoryUrl(organization, repository);
    const creator = identityRef(this.state.organizationUrl(organization));
    const refs = [...(await this.git.refs(path))]
      .filter(([name]) => !filter || name.startsWith(`refs/${filter}`))
      .filter(([name]) => !contains || name.toLowerCase().includes(contains))
      .sort(([a], [b]) => a.localeCompare(b));
    const value = await Promise.all(
      refs.map(async ([name, objectId]) => {
        const peeled =
          flag(ctx, 'peelTags') && name.startsWith('refs/tags/')
            ? await this.git.resolve(path, name)
            : undefined;
        return {
          name,
          objectId,
          ...(peeled && peeled !== objectId ? { peeledObjectId: peeled } : {}),
          creator,
          url: `${repositoryUrl}/refs?filter=${encodeURIComponent(
            name.slice('refs/'.length),
          )}`,
        };
      }),
    );
    sendList(ctx, value);
  }

  private async updateRefs(ctx: RequestContext, repository: RepositoryState) {
    const { organization } = ctx;
    const body = await readJson(ctx);
    if (!Array.isArray(body))
      throw invalidArgument(
        'The ref updates must be a JSON array.',
        'refUpdates',
      );
    const path = this.pathOf(organization, repository);
    const updates = body as Array<{
      name?: string;
      oldObjectId?: string;
      newObjectId?: string;
    }>;
    const { result } = await this.pushes.asPush(
      organization,
      repository,
      updates.map(u => u.name ?? ''),
      async () => {
        const results = [];
        for (const update of updates) {
          const status = await this.updateRef(path, update);
          results.push({
            repositoryId: repository.id,
            name: update.name,
            oldObjectId: update.oldObjectId,
            newObjectId: update.newObjectId,
            isLocked: false,
            updateStatus: status,
            success: status === 'succeeded',
            rejectedBy: null,
            customMessage: null,
          });
        }
        return results;
      },
    );
    sendList(ctx, result);
  }

  private async updateRef(
    path: string,
    update: { name?: string; oldObjectId?: string; newObjectId?: string },
  ): Promise<RefUpdateStatus> {
    const name = update.name ?? '';
    const oldObjectId = (update.oldObjectId ?? ZERO_SHA).toLowerCase();
    const newObjectId = (update.newObjectId ?? ZERO_SHA).toLowerCase();
    if (
      !/^refs\/(heads|tags)\/[^\s~^:?*[\\]+$/.test(name) ||
      name.endsWith('/') ||
      name.includes('..')
    ) {
      return 'invalidRefName';
    }
    if (
      !/^[0-9a-f]{40}$/.test(oldObjectId) ||
      !/^[0-9a-f]{40}$/.test(newObjectId)
    )
      return 'unresolvableToCommit';
    if (
      newObjectId !== ZERO_SHA &&
      !(await isCommit(this.git.pathOf(path), newObjectId))
    )
      return 'unresolvableToCommit';
    try {
      await this.git.updateRef(path, name, newObjectId, {
        expectedSha: oldObjectId,
      });
      return 'succeeded';
    } catch (error) {
      if (error instanceof RefConflictError) return 'staleOldObjectId';
      throw error;
    }
  }

  // ---- versions -----------------------------------------------------------

  /**
   * Resolves `<prefix>.version`/`<prefix>.versionType` (names or the
   * client's enum numbers) to a commit; undefined when none was given and
   * the repository has no default branch.
   */
  private async resolveVersion(
    ctx: RequestContext,
    repository: RepositoryState,
    prefix: string,
  ): Promise<ResolvedVersion | undefined> {
    const path = this.pathOf(ctx.organization, repository);
    const typeParam = param(ctx, `${prefix}.versionType`, 'versionType');
    const type = enumValue(typeParam, VERSION_TYPES);
    if (typeParam && !type)
      throw invalidArgument(
        `The value '${typeParam}' is not a valid version type.`,
        'versionType',
      );
    let version = param(ctx, `${prefix}.version`, 'version');
    const versionType = type ?? 'branch';
    if (!version) {
      if (versionType !== 'branch' || !repository.defaultBranch)
        return undefined;
      version = repository.defaultBranch.slice('refs/heads/'.length);
    }
    const described = describeVersion(versionType, version);
    let commit: string | undefined;
    if (versionType === 'commit') {
      commit = /^[0-9a-f]{4,40}$/i.test(version)
        ? (await this.git.commitInfo(path, version))?.sha
        : undefined;
    } else {
      const name = version.replace(
        versionType === 'branch' ? /^refs\/heads\// : /^refs\/tags\//,
        '',
      );
      commit = await this.git.resolve(
        path,
        `refs/${versionType === 'branch' ? 'heads' : 'tags'}/${name}`,
      );
    }
    if (!commit) throw unresolvableVersion(described, repository.name);
    return { type: versionType, version, commit, described };
  }

  // ---- items --------------------------------------------------------------

  private itemUrl(
    organization: OrganizationState,
    repository: RepositoryState,
    path: string,
    version?: ResolvedVersion,
  ) {
    const query = new URLSearchParams({
      path,
      versionType: version
        ? version.type.charAt(0).toUpperCase() + version.type.slice(1)
        : 'Branch',
    });
    if (version) query.set('version', version.version);
    query.set('versionOptions', 'None');
    return `${this.state.repositoryUrl(
      organization,
      repository,
    )}/items?${query}`;
  }

  private itemJson(
    ctx: RequestContext,
    repository: RepositoryState,
    entry: { path: string; type: string; sha: string },
    version: ResolvedVersion,
  ) {
    const path = itemPath(entry.path);
    const metadata =
      flag(ctx, 'includeContentMetadata') && entry.type === 'blob'
        ? {
            contentMetadata: {
              fileName: path.split('/').pop(),
              extension: extname(path).replace(/^\./, ''),
              contentType: contentTypeOf(path),
              encoding: 65001,
            },
          }
        : {};
    return {
      objectId: entry.sha,
      gitObjectType: entry.type,
      commitId: version.commit,
      path,
      ...(entry.type === 'tree' ? { isFolder: true } : {}),
      ...metadata,
      url: this.itemUrl(ctx.organization, repository, path, version),
    };
  }

  private async getItems(
    ctx: RequestContext,
    repository: RepositoryState,
    routePath: string,
  ) {
    const { organization } = ctx;
    const path = this.pathOf(organization, repository);
    const single =
      param(ctx, 'path') ?? (routePath ? `/${routePath}` : undefined);
    const scopePath = param(ctx, 'scopePath');
    const recursionParam = param(ctx, 'recursionLevel');
    const recursion =
      enumValue(recursionParam, RECURSION_LEVELS) ??
      (recursionParam ? undefined : 'none');
    if (!recursion) {
      throw argumentError(
        `The value '${recursionParam}' of the query parameter 'recursionLevel' is not valid. Valid values are: ${Object.keys(
          RECURSION_LEVELS,
        ).join(',')}`,
      );
    }
    const singleMode = Boolean(single && single.trim());
    if (singleMode && scopePath?.trim()) {
      throw argumentError(
        'Cannot specify both a single item "path" and a "scopePath". Use one or the other.',
      );
    }
    if (singleMode && recursion !== 'none') {
      throw argumentError(
        'Cannot specify a "recursionLevel" other than "None" when providing a single item "path". Use the "scopePath" query parameter filter instead to get a collection of items.',
      );
    }
    const media = mediaTypeOf(ctx);
    const versionType = param(
      ctx,
      'versionDescriptor.versionType',
      'versionType',
    );
    const byBranch =
      !versionType || enumValue(versionType, VERSION_TYPES) === 'branch';
    // A repository without branches has nothing to read by branch, whichever branch is asked for.
    const branches = [...(await this.git.refs(path)).keys()].filter(ref =>
      ref.startsWith('refs/heads/'),
    );
    if (byBranch && branches.length === 0) throw noBranches(repository.name);
    const version = await this.resolveVersion(
      ctx,
      repository,
      'versionDescriptor',
    );
    if (!version) throw noBranches(repository.name);
    const target = itemPath(singleMode ? single! : scopePath?.trim() || '/');
    const entry = await this.git.treeEntry(path, version.commit, target);
    if (!entry)
      throw itemNotFound(
        target,
        repository.name,
        version.described,
        version.commit,
      );
    const cacheHeaders: Record<string, string> =
      version.type === 'commit' ? { 'Cache-Control': IMMUTABLE_CACHE } : {};
    const root = { path: target, type: entry.type, sha: entry.sha };

    if (media === 'zip') {
      await this.sendZip(ctx, repository, version, root, cacheHeaders);
      return;
    }
    const raw =
      media === 'octetStream' ||
      media === 'text' ||
      (media === 'none' && entry.type === 'blob');
    if (raw && entry.type === 'blob') {
      await this.sendContent(
        ctx,
        repository,
        version,
        target,
        entry.sha,
        cacheHeaders,
      );
      return;
    }
    if (singleMode) {
      const item: Record<string, unknown> = this.itemJson(
        ctx,
        repository,
        root,
        version,
      );
      if (flag(ctx, 'includeContent') && entry.type === 'blob') {
        const file = await this.git.readFile(path, version.commit, target);
        item.content = file?.content.toString('utf8') ?? '';
      }
      this.sendCached(ctx, JSON.stringify(item), cacheHeaders);
      return;
    }
    let entries: TreeEntry[] = [];
    if (entry.type === 'tree' && recursion !== 'none') {
      entries = await listTree(
        this.git.pathOf(path),
        version.commit,
        target,
        recursion === 'full',
      );
    }
    const value = [root, ...entries].map(e =>
      this.itemJson(ctx, repository, e, version),
    );
    this.sendCached(
      ctx,
      JSON.stringify({ count: value.length, value }),
      cacheHeaders,
    );
  }

  /** A JSON item answer with an ETag, or 304 when the client has it already. */
  private sendCached(
    ctx: RequestContext,
    text: string,
    headers: Record<string, string>,
  ) {
    const etag = etagOf(text);
    if (matchesEtag(ctx, etag)) {
      sendEmpty(ctx, 304, { ETag: etag, ...headers });
      return;
    }
    ctx.res.writeHead(200, {
      ...serviceHeaders(),
      'Content-Type': `application/json; charset=utf-8; api-version=${ctx.apiVersion}`,
      'Content-Length': String(Buffer.byteLength(text)),
      ETag: etag,
      ...headers,
    });
    ctx.res.end(text);
  }

  private async sendContent(
    ctx: RequestContext,
    repository: RepositoryState,
    version: ResolvedVersion,
    target: string,
    blobSha: string,
    headers: Record<string, string>,
  ) {
    const etag = `"${blobSha}"`;
    if (matchesEtag(ctx, etag)) {
      sendEmpty(ctx, 304, { ETag: etag, ...headers });
      return;
    }
    const file = await this.git.readFile(
      this.pathOf(ctx.organization, repository),
      version.commit,
      target,
    );
    const content = file?.content ?? Buffer.alloc(0);
    const contentType = contentTypeOf(target);
    const download =
      flag(ctx, 'download') || contentType === 'application/octet-stream';
    const fileName = target.split('/').pop()!;
    ctx.res.writeHead(200, {
      ...serviceHeaders(),
      'Content-Type': `${contentType}; api-version=${ctx.apiVersion}`,
      'Content-Length': String(content.length),
      ETag: etag,
      ...(download
        ? {
            'Content-Disposition': `attachment; filename=${fileName}; filename*=utf-8''${encodeURIComponent(
              fileName,
            )}`,
          }
        : {}),
      ...headers,
    });
    ctx.res.end(content);
  }

  private async sendZip(
    ctx: RequestContext,
    repository: RepositoryState,
    version: ResolvedVersion,
    root: { path: string; type: string; sha: string },
    headers: Record<string, string>,
  ) {
    const path = this.pathOf(ctx.organization, repository);
    const files =
      root.type === 'tree'
        ? (
            await listTree(
              this.git.pathOf(path),
              version.commit,
              root.path,
              true,
            )
          ).filter(e => e.type === 'blob')
        : [
            {
              path: root.path.replace(/^\//, ''),
              type: 'blob' as const,
              sha: root.sha,
            },
          ];
    const entries = await Promise.all(
      files.map(async f => ({
        name: f.path,
        content:
          (await this.git.readFile(path, version.commit, f.path))?.content ??
          Buffer.alloc(0),
      })),
    );
    const archive = zip(entries);
    const name =
      root.path === '/' ? repository.name : root.path.split('/').pop()!;
    ctx.res.writeHead(200, {
      ...serviceHeaders(),
      'Content-Type': `${contentTypeOf(root.path)}; api-version=${
        ctx.apiVersion
      }`,
      'Content-Length': String(archive.length),
      'Content-Disposition': `attachment; filename=${name}.zip; filename*=utf-8''${encodeURIComponent(
        name,
      )}.zip`,
      ...headers,
    });
    ctx.res.end(archive);
  }

  // ---- pushes -------------------------------------------------------------

  private async pushesResource(
    ctx: RequestContext,
    repository: RepositoryState,
    pushId: string | undefined,
  ) {
    const { organization } = ctx;
    if (pushId !== undefined) {
      if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
      const push = this.pushes.get(organization, repository, Number(pushId));
      if (!push) {
        sendJson(ctx, 404, null);
        return;
      }
      const limit = integer(ctx, ['includeCommits'], 100);
      const commits = await this.commitsJson(
        organization,
        repository,
        push.commitIds.slice(0, limit),
      );
      sendJson(
        ctx,
        200,
        this.pushes.toJson(organization, repository, push, {
          refUpdates: flag(ctx, 'includeRefUpdates'),
          commits,
        }),
      );
      return;
    }
    if (ctx.method === 'GET') {
      const skip = integer(ctx, ['$skip', 'searchCriteria.$skip'], 0);
      const top = integer(ctx, ['$top', 'searchCriteria.$top'], 100);
      const refName = param(ctx, 'searchCriteria.refName', 'refName');
      const refUpdates =
        flag(ctx, 'searchCriteria.includeRefUpdates') ||
        flag(ctx, 'includeRefUpdates');
      const pushes = this.pushes
        .list(organization, repository)
        .filter(p => !refName || p.refUpdates.some(u => u.name === refName))
        .slice(skip, skip + top);
      sendList(
        ctx,
        pushes.map(p =>
          this.pushes.toJson(organization, repository, p, { refUpdates }),
        ),
      );
    } else if (ctx.method === 'POST') {
      await this.createPush(ctx, repository);
    } else {
      throw methodNotAllowed(ctx.method);
    }
  }

  private async commitsJson(
    organization: OrganizationState,
    repository: RepositoryState,
    shas: string[],
  ) {
    const path = this.pathOf(organization, repository);
    const commits = await Promise.all(
      shas.map(sha => this.git.commitInfo(path, sha)),
    );
    return commits
      .filter((c): c is CommitInfo => c !== undefined)
      .map(c => this.state.commitJson(organization, repository, c));
  }

  /**
   * `POST pushes`: exactly one commit onto exactly one ref, based on the
   * ref update's `oldObjectId` or the commit's single parent (the Git
   * server's `GitPushes2Controller.CreatePush` and `ModifyPaths`).
   */
  private async createPush(ctx: RequestContext, repository: RepositoryState) {
    const { organization } = ctx;
    const path = this.pathOf(organization, repository);
    const body = (await readJson(ctx)) as
      | {
          refUpdates?: Array<{
            name?: string;
            oldObjectId?: string;
            newObjectId?: string;
          }>;
          commits?: Array<{
            commitId?: string;
            comment?: string;
            parents?: string[];
            author?: { name?: string; email?: string };
            changes?: Array<{
              changeType?: unknown;
              item?: { path?: string };
              sourceServerItem?: string;
              newContent?: { content?: string; contentType?: unknown };
            }>;
          }>;
          pushId?: number;
        }
      | undefined;
    const invalid = (parameter: string) =>
      invalidArgument('The parameters supplied are not valid.', parameter);
    if (!body || typeof body !== 'object' || body.pushId)
      throw invalid('newPush');
    if (
      body.commits?.length !== 1 ||
      body.refUpdates?.length !== 1 ||
      !body.commits[0] ||
      !body.refUpdates[0]
    ) {
      throw invalidArgument(
        'A push must contain exactly one commit and exactly one ref update.',
        'newPush',
      );
    }
    const refUpdate = body.refUpdates[0];
    const commit = body.commits[0];
    if (!refUpdate.name || refUpdate.newObjectId) throw invalid('refUpdate');
    if (commit.commitId || !commit.comment || !commit.changes?.length)
      throw invalid('newCommit');
    if (commit.changes.some(c => !c)) throw invalid('Changes');
    if ((commit.parents?.length ?? 0) > 1) throw invalid('newCommit');
    let base: string | undefined;
    if (refUpdate.oldObjectId) {
      if (!/^[0-9a-fA-F]{40}$/.test(refUpdate.oldObjectId))
        throw invalid('OldObjectId');
      base = refUpdate.oldObjectId.toLowerCase();
    }
    const parent = commit.parents?.[0];
    if (parent) {
      if (!/^[0-9a-fA-F]{40}$/.test(parent)) throw invalid('parentCommitId');
      if (base && base !== ZERO_SHA && base !== parent.toLowerCase())
        throw invalid('baseCommitId');
      base = parent.toLowerCase();
    }
    if (!base) throw invalid('baseCommitId');
    const refName = refUpdate.name;
    if (
      !/^refs\/heads\/[^\s~^:?*[\\]+$/.test(refName) ||
      refName.includes('..') ||
      refName.endsWith('/')
    ) {
      throw invalidArgument(
        `The ref name '${refName}' is not valid: pushes through the API may only update branches.`,
        'newPush',
      );
    }
    const current = (await this.git.refs(path)).get(refName);
    if (current && current !== base) throw referenceStale(refName);
    if (base !== ZERO_SHA && !(await isCommit(this.git.pathOf(path), base))) {
      throw unresolvableVersion(
        describeVersion('commit', base),
        repository.name,
      );
    }
    const changes = await this.fileChanges(path, base, commit.changes);
    const author =
      commit.author?.name && commit.author.email
        ? { name: commit.author.name, email: commit.author.email }
        : { name: EMULATOR_USER.displayName, email: EMULATOR_USER.uniqueName };
    let created: CommitInfo;
    let push;
    try {
      ({ result: created, push } = await this.pushes.asPush(
        organization,
        repository,
        [refName],
        () =>
          this.git.commit(path, {
            branch: refName.slice('refs/heads/'.length),
            expectedSha: current ?? ZERO_SHA,
            from: current || base === ZERO_SHA ? undefined : base,
            message: commit.comment!,
            changes,
            author,
          }),
      ));
    } catch (error) {
      if (error instanceof RefConflictError) throw referenceStale(refName);
      throw error;
    }
    const commitJson = {
      treeId: created.tree,
      ...this.state.commitJson(organization, repository, created),
      parents: created.parents,
    };
    sendJson(
      ctx,
      201,
      this.pushes.toJson(organization, repository, push!, {
        refUpdates: true,
        commits: [commitJson],
      }),
    );
  }

  /** Validates push changes against the base commit's tree and turns them into file changes. */
  private async fileChanges(
    path: string,
    base: string,
    changes: Array<{
      changeType?: unknown;
      item?: { path?: string };
      sourceServerItem?: string;
      newContent?: { content?: string; contentType?: unknown };
    }>,
  ): Promise<FileChange[]> {
    const fail = (message: string) => invalidArgument(message, 'newPush');
    const invalid = () => fail('The parameters supplied are not valid.');
    const exists = async (file: string) =>
      base === ZERO_SHA
        ? undefined
        : this.git.treeEntry(path, base, file.replace(/^\/+/, ''));
    const touched = new Set<string>();
    const result: FileChange[] = [];
    for (const change of changes) {
      const changeType = enumValue(change.changeType, CHANGE_TYPES);
      const file = change.item?.path?.trim();
      if (!changeType || !file || file.includes('\u0000')) throw invalid();
      const withContent = changeType === 'add' || changeType === 'edit';
      if (
        withContent !==
        (change.newContent?.content !== undefined &&
          change.newContent?.content !== null)
      ) {
        throw invalid();
      }
      const contentType = withContent
        ? enumValue(change.newContent!.contentType ?? 'rawtext', CONTENT_TYPES)
        : undefined;
      if (withContent && !contentType) throw invalid();
      if ((changeType === 'rename') !== Boolean(change.sourceServerItem))
        throw invalid();
      const normalized = itemPath(file);
      for (const key of changeType === 'rename'
        ? [normalized, itemPath(change.sourceServerItem!)]
        : [normalized]) {
        if (touched.has(key))
          throw fail(
            `Multiple operations were specified for the path '${key}'.`,
          );
        touched.add(key);
      }
      const entry = await exists(normalized);
      if (changeType === 'add' && entry) {
        throw fail(
          `The path '${normalized}' specified in the add operation already exists. Please specify a new path.`,
        );
      }
      if ((changeType === 'edit' || changeType === 'delete') && !entry) {
        throw fail(
          `The path '${normalized}' does not exist at commit '${base}'.`,
        );
      }
      if (changeType === 'edit' && entry?.type !== 'blob') {
        throw fail(
          `The path '${normalized}' is not a file at commit '${base}'.`,
        );
      }
      if (changeType === 'delete') {
        result.push({ path: normalized, content: null });
      } else if (changeType === 'rename') {
        const source = itemPath(change.sourceServerItem!);
        if (entry)
          throw fail(
            `The target path '${normalized}' of the rename operation already exists.`,
          );
        const sourceFile =
          base === ZERO_SHA
            ? undefined
            : await this.git.readFile(path, base, source.slice(1));
        if (!sourceFile)
          throw fail(
            `The path '${source}' does not exist at commit '${base}'.`,
          );
        result.push(
          { path: source, content: null },
          { path: normalized, content: sourceFile.content },
        );
      } else {
        const { content } = change.newContent!;
        result.push({
          path: normalized,
          content:
            contentType === 'base64encoded'
              ? Buffer.from(content!, 'base64')
              : Buffer.from(content!, 'utf8'),
        });
      }
    }
    return result;
  }

  // ---- commits ------------------------------------------------------------

  private async getCommits(ctx: RequestContext, repository: RepositoryState) {
    const { organization } = ctx;
    const path = this.pathOf(organization, repository);
    const skip = integer(ctx, ['searchCriteria.$skip', '$skip'], 0);
    const top = integer(ctx, ['searchCriteria.$top', '$top', 'top'], 100);
    const ids = param(ctx, 'searchCriteria.ids', 'ids');
    if (ids) {
      sendList(
        ctx,
        await this.commitsJson(
          organization,
          repository,
          ids.split(',').map(id => id.trim()),
        ),
      );
      return;
    }
    const version = await this.resolveVersion(
      ctx,
      repository,
      'searchCriteria.itemVersion',
    );
    if (!version) {
      sendList(ctx, []);
      return;
    }
    const filePath = (
      param(ctx, 'searchCriteria.itemPath', 'itemPath') ?? ''
    ).replace(/^\/+|\/+$/g, '');
    const commits = await this.git.log(path, version.commit, {
      path: filePath || undefined,
      limit: skip + top,
    });
    sendList(
      ctx,
      commits
        .slice(skip)
        .map(c => this.state.commitJson(organization, repository, c)),
    );
  }

  private async getCommit(
    ctx: RequestContext,
    repository: RepositoryState,
    commitId: string,
  ) {
    const { organization } = ctx;
    const path = this.pathOf(organization, repository);
    const commit = /^[0-9a-f]{4,40}$/i.test(commitId)
      ? await this.git.commitInfo(path, commitId)
      : undefined;
    if (!commit)
      throw unresolvableVersion(
        describeVersion('commit', commitId),
        repository.name,
      );
    const push = this.pushes
      .list(organization, repository)
      .find(p => p.commitIds.includes(commit.sha));
    const json = this.state.commitJson(organization, repository, commit);
    const organizationUrl = this.state.organizationUrl(organization);
    const repositoryUrl = this.state.repositoryUrl(organization, repository);
    sendJson(ctx, 200, {
      treeId: commit.tree,
      ...json,
      parents: commit.parents,
      ...(push
        ? {
            push: {
              pushedBy: identityRef(organizationUrl),
              pushId: push.pushId,
              date: push.date,
            },
          }
        : {}),
      _links: {
        self: { href: json.url },
        repository: { href: repositoryUrl },
        web: { href: json.remoteUrl },
        changes: { href: `${json.url}/changes` },
        tree: { href: `${repositoryUrl}/trees/${commit.tree}` },
      },
    });
  }
}
