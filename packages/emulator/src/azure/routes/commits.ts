/** Commits: search (by version, path, ids) and read one with its push. */
import { describeVersion, unresolvableVersion } from '../errors';
import {
  integer,
  param,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import type { RepositoryState } from '../model';
import { commitJson, identityRef } from '../views';
import { commitsJson, type AzureServices } from './common';
import { resolveVersion } from './versions';

export async function getCommits(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
) {
  const { organization } = ctx;
  const path = services.state.pathOf(organization, repository);
  const skip = integer(ctx, ['searchCriteria.$skip', '$skip'], 0);
  const top = integer(ctx, ['searchCriteria.$top', '$top', 'top'], 100);
  const ids = param(ctx, 'searchCriteria.ids', 'ids');
  if (ids) {
    sendList(
      ctx,
      await commitsJson(
        services,
        organization,
        repository,
        ids.split(',').map(id => id.trim()),
      ),
    );
    return;
  }
  const version = await resolveVersion(
    services,
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
  const commits = await services.git.log(path, version.commit, {
    path: filePath || undefined,
    limit: skip + top,
  });
  sendList(
    ctx,
    commits
      .slice(skip)
      .map(c => commitJson(services.state, organization, repository, c)),
  );
}

export async function getCommit(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  commitId: string,
) {
  const { organization } = ctx;
  const path = services.state.pathOf(organization, repository);
  const commit = /^[0-9a-f]{4,40}$/i.test(commitId)
    ? await services.git.commitInfo(path, commitId)
    : undefined;
  if (!commit)
    throw unresolvableVersion(
      describeVersion('commit', commitId),
      repository.name,
    );
  const push = services.pushes
    .list(organization, repository)
    .find(p => p.commitIds.includes(commit.sha));
  const json = commitJson(services.state, organization, repository, commit);
  const organizationUrl = services.state.organizationUrl(organization);
  const repositoryUrl = services.state.repositoryUrl(organization, repository);
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
