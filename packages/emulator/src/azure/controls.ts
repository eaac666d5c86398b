/**
 * Seeding of the emulated Azure DevOps for tests and the demo: projects and
 * repositories (optionally with a first commit), created as an
 * administrator would, without going through the HTTP API.
 */
import { castVote } from './reviews';
import { ZERO_SHA } from '../git/GitRepositories';
import { EMULATOR_USER, type OrganizationState } from './model';
import {
  MINIMUM_REVIEWERS_POLICY,
  createPolicyConfiguration,
} from './policies';
import type { AzureServices } from './routes/common';
import { policyConfigurationJson } from './routes/policies';
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

/** Options of {@link requirePullRequests}. */
export interface RequirePullRequestsOptions {
  /** The policy type id; default "Minimum number of reviewers". */
  typeId?: string;
  /** Default true; a disabled policy is recorded but refuses nothing. */
  isEnabled?: boolean;
  /** Default true (required); an optional policy does not refuse pushes. */
  isBlocking?: boolean;
  /** `Exact` (default) or `Prefix` (then `branch` is a prefix such as `release/`). */
  matchKind?: 'Exact' | 'Prefix';
  /** The type's settings besides the scope; default one approver. */
  settings?: Record<string, unknown>;
}

/** Creates a branch policy configuration scoped to one branch (or branch prefix) of a repository. */
export function requirePullRequests(
  services: AzureServices,
  organization: string,
  project: string,
  repository: string,
  branch: string,
  options: RequirePullRequestsOptions = {},
) {
  const { state } = services;
  const org = organizationOrThrow(services, organization);
  const projectState = state.project(org, project);
  const repo = state.repository(org, projectState, repository);
  const typeId = options.typeId ?? MINIMUM_REVIEWERS_POLICY;
  const settings =
    options.settings ??
    (typeId === MINIMUM_REVIEWERS_POLICY
      ? { minimumApproverCount: 1, creatorVoteCounts: false }
      : {});
  const policy = createPolicyConfiguration(org, projectState, {
    type: { id: typeId },
    isEnabled: options.isEnabled ?? true,
    isBlocking: options.isBlocking ?? true,
    settings: {
      ...settings,
      scope: [
        {
          repositoryId: repo.id,
          refName: `refs/heads/${branch.replace(/^refs\/heads\//, '')}`,
          matchKind: options.matchKind ?? 'Exact',
        },
      ],
    },
  });
  return policyConfigurationJson(services, org, projectState, policy);
}

/** Casts a reviewer's vote on a pull request of a repository (10, 5, 0, -5 or -10). */
export function votePullRequest(
  services: AzureServices,
  organization: string,
  project: string,
  repository: string,
  pullRequestId: number,
  reviewer: string,
  vote: number,
) {
  const { state } = services;
  const org = organizationOrThrow(services, organization);
  const repo = state.repository(org, state.project(org, project), repository);
  const pullRequest = org.pullRequests.get(pullRequestId);
  if (!pullRequest || pullRequest.repositoryId !== repo.id)
    throw new Error(`no pull request ${pullRequestId} in ${repository}`);
  castVote(pullRequest, reviewer, vote);
}
