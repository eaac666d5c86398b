/** Git repositories: list, create, read, rename, set the default branch, delete. */
import { rename } from 'node:fs/promises';
import { invalidArgument, methodNotAllowed, repositoryExists } from '../errors';
import {
  readJson,
  sendEmpty,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import { repositorySize } from '../gitTrees';
import {
  checkName,
  type OrganizationState,
  type ProjectState,
  type RepositoryState,
} from '../model';
import { repositoryJson } from '../views';
import type { AzureServices } from './common';

async function sizedRepositoryJson(
  services: AzureServices,
  organization: OrganizationState,
  repository: RepositoryState,
) {
  const size = await repositorySize(
    services.git.pathOf(services.state.pathOf(organization, repository)),
  ).catch(() => 0);
  return repositoryJson(services.state, organization, repository, size);
}

export async function listRepositories(
  services: AzureServices,
  ctx: RequestContext,
  project: ProjectState | undefined,
) {
  const repositories = services.state.repositoriesOf(ctx.organization, project);
  sendList(
    ctx,
    await Promise.all(
      repositories.map(r => sizedRepositoryJson(services, ctx.organization, r)),
    ),
  );
}

export async function createRepository(
  services: AzureServices,
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
      ? services.state.project(ctx.organization, projectKey)
      : undefined);
  if (!project)
    throw invalidArgument(
      'A project must be specified to create a repository.',
      'gitRepositoryToCreate',
    );
  const repository = await services.state.createRepository(
    ctx.organization,
    project,
    checkName(body.name),
  );
  sendJson(
    ctx,
    201,
    await sizedRepositoryJson(services, ctx.organization, repository),
  );
}

export async function repositoryResource(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
) {
  const { organization } = ctx;
  if (ctx.method === 'GET') {
    sendJson(
      ctx,
      200,
      await sizedRepositoryJson(services, organization, repository),
    );
  } else if (ctx.method === 'DELETE') {
    await services.state.deleteRepository(organization, repository);
    sendEmpty(ctx, 204);
  } else if (ctx.method === 'PATCH') {
    const body = ((await readJson(ctx)) ?? {}) as {
      name?: unknown;
      defaultBranch?: unknown;
    };
    if (body.name !== undefined && body.name !== repository.name) {
      const name = checkName(body.name);
      const project = organization.projects.get(repository.projectId)!;
      const taken = services.state
        .repositoriesOf(organization, project)
        .some(
          r =>
            r.id !== repository.id &&
            r.name.toLowerCase() === name.toLowerCase(),
        );
      if (taken) throw repositoryExists(name);
      const from = services.git.pathOf(
        services.state.pathOf(organization, repository),
      );
      const previousName = repository.name;
      repository.name = name;
      try {
        await rename(
          from,
          services.git.pathOf(services.state.pathOf(organization, repository)),
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
      await services.git.setDefaultBranch(
        services.state.pathOf(organization, repository),
        ref.slice('refs/heads/'.length),
      );
    }
    sendJson(
      ctx,
      200,
      await sizedRepositoryJson(services, organization, repository),
    );
  } else {
    throw methodNotAllowed(ctx.method);
  }
}
