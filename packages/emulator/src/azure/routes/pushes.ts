/** Pushes: list, read, and create (one commit onto one branch, with compare-and-set). */
import {
  RefConflictError,
  ZERO_SHA,
  type CommitInfo,
  type FileChange,
} from '../../git/GitRepositories';
import {
  describeVersion,
  invalidArgument,
  methodNotAllowed,
  referenceStale,
  refUpdateRejectedByPolicy,
  unresolvableVersion,
} from '../errors';
import {
  enumValue,
  flag,
  integer,
  param,
  readJson,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import { isCommit } from '../gitTrees';
import { EMULATOR_USER, type RepositoryState } from '../model';
import { refusedByPolicy } from '../policies';
import { commitJson } from '../views';
import { commitsJson, itemPath, type AzureServices } from './common';

const CHANGE_TYPES = { add: 1, edit: 2, rename: 8, delete: 16 };
const CONTENT_TYPES = { rawtext: 0, base64encoded: 1 };

export async function pushesResource(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  pushId: string | undefined,
) {
  const { organization } = ctx;
  if (pushId !== undefined) {
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
    const push = services.pushes.get(organization, repository, Number(pushId));
    if (!push) {
      sendJson(ctx, 404, null);
      return;
    }
    const limit = integer(ctx, ['includeCommits'], 100);
    const commits = await commitsJson(
      services,
      organization,
      repository,
      push.commitIds.slice(0, limit),
    );
    sendJson(
      ctx,
      200,
      services.pushes.toJson(organization, repository, push, {
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
    const pushes = services.pushes
      .list(organization, repository)
      .filter(p => !refName || p.refUpdates.some(u => u.name === refName))
      .slice(skip, skip + top);
    sendList(
      ctx,
      pushes.map(p =>
        services.pushes.toJson(organization, repository, p, { refUpdates }),
      ),
    );
  } else if (ctx.method === 'POST') {
    await createPush(services, ctx, repository);
  } else {
    throw methodNotAllowed(ctx.method);
  }
}

/**
 * `POST pushes`: exactly one commit onto exactly one ref, based on the
 * ref update's `oldObjectId` or the commit's single parent (the Git
 * server's `GitPushes2Controller.CreatePush` and `ModifyPaths`).
 */
async function createPush(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
) {
  const { organization } = ctx;
  const path = services.state.pathOf(organization, repository);
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
  // Policies are validated before the ref is written, so a stale old id on
  // a protected branch is refused by policy, not reported as stale.
  const oldObjectId = refUpdate.oldObjectId?.toLowerCase() ?? base;
  if (refusedByPolicy(organization, repository, refName, oldObjectId))
    throw refUpdateRejectedByPolicy();
  const current = (await services.git.refs(path)).get(refName);
  if (current && current !== base) throw referenceStale(refName);
  if (base !== ZERO_SHA && !(await isCommit(services.git.pathOf(path), base))) {
    throw unresolvableVersion(describeVersion('commit', base), repository.name);
  }
  const changes = await fileChanges(services, path, base, commit.changes);
  const author =
    commit.author?.name && commit.author.email
      ? { name: commit.author.name, email: commit.author.email }
      : { name: EMULATOR_USER.displayName, email: EMULATOR_USER.uniqueName };
  let created: CommitInfo;
  let push;
  try {
    ({ result: created, push } = await services.pushes.asPush(
      organization,
      repository,
      [refName],
      () =>
        services.git.commit(path, {
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
  const createdJson = {
    treeId: created.tree,
    ...commitJson(services.state, organization, repository, created),
    parents: created.parents,
  };
  sendJson(
    ctx,
    201,
    services.pushes.toJson(organization, repository, push!, {
      refUpdates: true,
      commits: [createdJson],
    }),
  );
}

/** Validates push changes against the base commit's tree and turns them into file changes. */
async function fileChanges(
  services: AzureServices,
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
      : services.git.treeEntry(path, base, file.replace(/^\/+/, ''));
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
        throw fail(`Multiple operations were specified for the path '${key}'.`);
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
      throw fail(`The path '${normalized}' is not a file at commit '${base}'.`);
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
          : await services.git.readFile(path, base, source.slice(1));
      if (!sourceFile)
        throw fail(`The path '${source}' does not exist at commit '${base}'.`);
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
