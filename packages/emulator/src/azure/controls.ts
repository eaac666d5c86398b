/**
 * Seeding of the emulated Azure DevOps for tests and the demo: projects and
 * repositories (optionally with a first commit), created as an
 * administrator would, without going through the HTTP API.
 */
import { ZERO_SHA } from '../git/GitRepositories';
import { EMULATOR_USER, type OrganizationState } from './model';
import type { AzureServices } from './routes/common';
import { projectJson, repositoryJson } from './views';

function organizationOrThrow(
  services: AzureServices,
  name: string,
): OrganizationState {
  const organization = services.state.organization(name);
  if (!organization)
    throw new Error(`unknown Azure DevOps organization ${name}`);
  return organization;
}

/** Creates a Git project (with its default repository of the same name). */
export async function createProject(
  services: AzureServices,
  organization: string,
  name: string,
) {
  const org = organizationOrThrow(services, organization);
  return projectJson(
    services.state,
    org,
    await services.state.createProject(org, { name }),
  );
}

/** Creates a repository, optionally with files committed to `branch` (default `main`). */
export async function createRepository(
  services: AzureServices,
  organization: string,
  project: string,
  name: string,
  options: { files?: Record<string, string | Buffer>; branch?: string } = {},
) {
  const { state, git, pushes } = services;
  const org = organizationOrThrow(services, organization);
  const repository = await state.createRepository(
    org,
    state.project(org, project),
    name,
  );
  const files = Object.entries(options.files ?? {});
  if (files.length > 0) {
    const branch = options.branch ?? 'main';
    await pushes.asPush(org, repository, [`refs/heads/${branch}`], () =>
      git.commit(state.pathOf(org, repository), {
        branch,
        expectedSha: ZERO_SHA,
        message: 'Initial commit',
        changes: files.map(([path, content]) => ({ path, content })),
        author: {
          name: EMULATOR_USER.displayName,
          email: EMULATOR_USER.uniqueName,
        },
      }),
    );
  }
  return repositoryJson(state, org, repository);
}

/** Where a repository lives in the shared `GitRepositories` (`azure/<org>/<project>/<repo>.git`). */
export function repositoryPath(
  services: AzureServices,
  organization: string,
  project: string,
  repository: string,
): string {
  const { state } = services;
  const org = organizationOrThrow(services, organization);
  return state.pathOf(
    org,
    state.repository(org, state.project(org, project), repository),
  );
}
