/** Refs: list (filtered, peeled) and compare-and-set updates. */
import { RefConflictError, ZERO_SHA } from '../../git/GitRepositories';
import { PUSH_REJECTED_BY_POLICY, invalidArgument } from '../errors';
import {
  flag,
  param,
  readJson,
  sendList,
  type RequestContext,
} from '../context';
import { isCommit } from '../gitTrees';
import type { RepositoryState } from '../model';
import { refusedByPolicy } from '../policies';
import { identityRef } from '../views';
import type { AzureServices } from './common';

const REF_UPDATE_STATUSES = {
  succeeded: 0,
  staleOldObjectId: 2,
  invalidRefName: 3,
  unresolvableToCommit: 5,
  rejectedByPolicy: 13,
};
type RefUpdateStatus = keyof typeof REF_UPDATE_STATUSES;

export async function getRefs(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  pathFilter: string,
) {
  const { organization } = ctx;
  const path = services.state.pathOf(organization, repository);
  const filter = param(ctx, 'filter') ?? pathFilter;
  const contains = param(ctx, 'filterContains')?.toLowerCase();
  const repositoryUrl = services.state.repositoryUrl(organization, repository);
  const creator = identityRef(services.state.organizationUrl(organization));
  const refs = [...(await services.git.refs(path))]
    .filter(([name]) => !filter || name.startsWith(`refs/${filter}`))
    .filter(([name]) => !contains || name.toLowerCase().includes(contains))
    .sort(([a], [b]) => a.localeCompare(b));
  const value = await Promise.all(
    refs.map(async ([name, objectId]) => {
      const peeled =
        flag(ctx, 'peelTags') && name.startsWith('refs/tags/')
          ? await services.git.resolve(path, name)
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

export async function updateRefs(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
) {
  const { organization } = ctx;
  const body = await readJson(ctx);
  if (!Array.isArray(body))
    throw invalidArgument(
      'The ref updates must be a JSON array.',
      'refUpdates',
    );
  const path = services.state.pathOf(organization, repository);
  const updates = body as Array<{
    name?: string;
    oldObjectId?: string;
    newObjectId?: string;
  }>;
  const { result } = await services.pushes.asPush(
    organization,
    repository,
    updates.map(u => u.name ?? ''),
    async () => {
      const results = [];
      for (const update of updates) {
        const refused = refusedByPolicy(
          organization,
          repository,
          update.name ?? '',
          update.oldObjectId ?? ZERO_SHA,
        );
        const status = refused
          ? 'rejectedByPolicy'
          : await updateRef(services, path, update);
        results.push({
          repositoryId: repository.id,
          name: update.name,
          oldObjectId: update.oldObjectId,
          newObjectId: update.newObjectId,
          isLocked: false,
          updateStatus: status,
          success: status === 'succeeded',
          rejectedBy: null,
          customMessage: refused ? PUSH_REJECTED_BY_POLICY : null,
        });
      }
      return results;
    },
  );
  sendList(ctx, result);
}

async function updateRef(
  services: AzureServices,
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
    !(await isCommit(services.git.pathOf(path), newObjectId))
  )
    return 'unresolvableToCommit';
  try {
    await services.git.updateRef(path, name, newObjectId, {
      expectedSha: oldObjectId,
    });
    return 'succeeded';
  } catch (error) {
    if (error instanceof RefConflictError) return 'staleOldObjectId';
    throw error;
  }
}
