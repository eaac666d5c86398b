/** Items: one file or folder, or a listing, as JSON, text, raw bytes or a ZIP, by any version. */
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import {
  argumentError,
  invalidArgument,
  itemNotFound,
  noBranches,
} from '../errors';
import {
  enumValue,
  flag,
  param,
  sendEmpty,
  serviceHeaders,
  type RequestContext,
} from '../context';
import { listTree, type TreeEntry } from '../gitTrees';
import type { OrganizationState, RepositoryState } from '../model';
import { zip } from '../zip';
import { itemPath, type AzureServices } from './common';
import {
  VERSION_TYPES,
  resolveVersion,
  type ResolvedVersion,
} from './versions';

const RECURSION_LEVELS = {
  none: 0,
  oneLevel: 1,
  oneLevelPlusNestedEmptyFolders: 4,
  full: 120,
};

/** What an item request wants back: JSON, a ZIP, text, raw bytes, or whatever suits the item. */
type MediaType = 'json' | 'zip' | 'text' | 'octetStream' | 'none';

/** Items are cached for 72 hours when asked for by commit, which cannot change. */
const IMMUTABLE_CACHE = 'max-age=259200';

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

/** The ETag to send for an answer whose content-derived ETag is `natural`, as the emulator is told to. */
function etagFor(services: AzureServices, natural: string): string | undefined {
  if (services.itemEtags === 'none') return undefined;
  return services.itemEtags === 'constant' ? '"0"' : natural;
}

function matchesEtag(ctx: RequestContext, etag: string | undefined) {
  const header = ctx.req.headers['if-none-match'];
  if (!header || !etag) return false;
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

function itemUrl(
  services: AzureServices,
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
  return `${services.state.repositoryUrl(
    organization,
    repository,
  )}/items?${query}`;
}

function itemJson(
  services: AzureServices,
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
    url: itemUrl(services, ctx.organization, repository, path, version),
  };
}

export async function getItems(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  routePath: string,
) {
  const { organization } = ctx;
  const path = services.state.pathOf(organization, repository);
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
  const branches = [...(await services.git.refs(path)).keys()].filter(ref =>
    ref.startsWith('refs/heads/'),
  );
  if (byBranch && branches.length === 0) throw noBranches(repository.name);
  const version = await resolveVersion(
    services,
    ctx,
    repository,
    'versionDescriptor',
  );
  if (!version) throw noBranches(repository.name);
  const target = itemPath(singleMode ? single! : scopePath?.trim() || '/');
  const entry = await services.git.treeEntry(path, version.commit, target);
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
    await sendZip(services, ctx, repository, version, root, cacheHeaders);
    return;
  }
  const raw =
    media === 'octetStream' ||
    media === 'text' ||
    (media === 'none' && entry.type === 'blob');
  if (raw && entry.type === 'blob') {
    await sendContent(
      services,
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
    const item: Record<string, unknown> = itemJson(
      services,
      ctx,
      repository,
      root,
      version,
    );
    if (flag(ctx, 'includeContent') && entry.type === 'blob') {
      const file = await services.git.readFile(path, version.commit, target);
      item.content = file?.content.toString('utf8') ?? '';
    }
    sendCached(services, ctx, JSON.stringify(item), cacheHeaders);
    return;
  }
  let entries: TreeEntry[] = [];
  if (entry.type === 'tree' && recursion !== 'none') {
    entries = await listTree(
      services.git.pathOf(path),
      version.commit,
      target,
      recursion === 'full',
    );
  }
  const value = [root, ...entries].map(e =>
    itemJson(services, ctx, repository, e, version),
  );
  sendCached(services, ctx, JSON.stringify({ count: value.length, value }), cacheHeaders);
}

/** A JSON item answer with an ETag, or 304 when the client has it already. */
function sendCached(
  services: AzureServices,
  ctx: RequestContext,
  text: string,
  headers: Record<string, string>,
) {
  const etag = etagFor(services, etagOf(text));
  if (matchesEtag(ctx, etag)) {
    sendEmpty(ctx, 304, { ETag: etag!, ...headers });
    return;
  }
  ctx.res.writeHead(200, {
    ...serviceHeaders(),
    'Content-Type': `application/json; charset=utf-8; api-version=${ctx.apiVersion}`,
    'Content-Length': String(Buffer.byteLength(text)),
    ...(etag ? { ETag: etag } : {}),
    ...headers,
  });
  ctx.res.end(text);
}

async function sendContent(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  version: ResolvedVersion,
  target: string,
  blobSha: string,
  headers: Record<string, string>,
) {
  const etag = etagFor(services, `"${blobSha}"`);
  if (matchesEtag(ctx, etag)) {
    sendEmpty(ctx, 304, { ETag: etag!, ...headers });
    return;
  }
  const file = await services.git.readFile(
    services.state.pathOf(ctx.organization, repository),
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
    ...(etag ? { ETag: etag } : {}),
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

async function sendZip(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  version: ResolvedVersion,
  root: { path: string; type: string; sha: string },
  headers: Record<string, string>,
) {
  const path = services.state.pathOf(ctx.organization, repository);
  const files =
    root.type === 'tree'
      ? (
          await listTree(
            services.git.pathOf(path),
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
        (await services.git.readFile(path, version.commit, f.path))?.content ??
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
