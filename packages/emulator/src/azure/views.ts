/**
 * The JSON shapes the service answers with (IdentityRef, GitUserDate,
 * TeamProjectReference, GitRepository, GitCommitRef), rendered from the
 * state.
 */
import type { CommitInfo } from '../git/GitRepositories';
import {
  EMULATOR_USER,
  type OrganizationState,
  type ProjectState,
  type PullRequestState,
  type RepositoryState,
} from './model';
import type { AzureOrganizations } from './state';

/** The identity the service reports for the emulator's PAT owner. */
export function identityRef(organizationUrl: string) {
  const avatar = `${organizationUrl}/_apis/GraphProfile/MemberAvatars/${EMULATOR_USER.descriptor}`;
  return {
    displayName: EMULATOR_USER.displayName,
    url: `${organizationUrl}/_apis/Identities/${EMULATOR_USER.id}`,
    _links: { avatar: { href: avatar } },
    id: EMULATOR_USER.id,
    uniqueName: EMULATOR_USER.uniqueName,
    imageUrl: avatar,
    descriptor: EMULATOR_USER.descriptor,
  };
}

/** The author/committer block of a commit (`GitUserDate`). */
export function userDate(user: { name: string; email: string; date: string }) {
  return {
    name: user.name,
    email: user.email,
    date: new Date(user.date).toISOString(),
  };
}

/** `TeamProjectReference`. */
export function projectJson(
  state: AzureOrganizations,
  organization: OrganizationState,
  project: ProjectState,
) {
  return {
    id: project.id,
    name: project.name,
    ...(project.description ? { description: project.description } : {}),
    url: `${state.organizationUrl(organization)}/_apis/projects/${project.id}`,
    state: 'wellFormed',
    revision: project.revision,
    visibility: project.visibility,
    lastUpdateTime: project.lastUpdateTime,
  };
}

/** `GitRepository`. */
export function repositoryJson(
  state: AzureOrganizations,
  organization: OrganizationState,
  repository: RepositoryState,
  size = 0,
) {
  const project = organization.projects.get(repository.projectId)!;
  const host = new URL(state.baseUrl).hostname;
  return {
    id: repository.id,
    name: repository.name,
    url: state.repositoryUrl(organization, repository),
    project: projectJson(state, organization, project),
    ...(repository.defaultBranch
      ? { defaultBranch: repository.defaultBranch }
      : {}),
    size,
    remoteUrl: state.remoteUrl(organization, repository),
    sshUrl: `git@ssh.${host}:v3/${organization.name}/${encodeURIComponent(
      project.name,
    )}/${encodeURIComponent(repository.name)}`,
    webUrl: state.webUrl(organization, repository),
    isDisabled: false,
    isInMaintenance: false,
  };
}

/** `GitCommitRef` as lists and pushes carry it. */
export function commitJson(
  state: AzureOrganizations,
  organization: OrganizationState,
  repository: RepositoryState,
  commit: CommitInfo,
) {
  return {
    commitId: commit.sha,
    author: userDate(commit.author),
    committer: userDate(commit.committer),
    comment: commit.message,
    url: `${state.repositoryUrl(organization, repository)}/commits/${
      commit.sha
    }`,
    remoteUrl: `${state.webUrl(organization, repository)}/commit/${commit.sha}`,
  };
}

/** `GitPullRequest`. */
export function pullRequestJson(
  state: AzureOrganizations,
  organization: OrganizationState,
  pullRequest: PullRequestState,
) {
  const repository = organization.repositories.get(pullRequest.repositoryId)!;
  const organizationUrl = state.organizationUrl(organization);
  const repositoryUrl = state.repositoryUrl(organization, repository);
  const url = `${repositoryUrl}/pullRequests/${pullRequest.pullRequestId}`;
  const user = identityRef(organizationUrl);
  const commitRef = (sha?: string) =>
    sha ? { commitId: sha, url: `${repositoryUrl}/commits/${sha}` } : undefined;
  const closed = pullRequest.status !== 'active';
  const repositoryBody = repositoryJson(state, organization, repository);
  return {
    repository: {
      id: repositoryBody.id,
      name: repositoryBody.name,
      url: repositoryBody.url,
      project: repositoryBody.project,
    },
    pullRequestId: pullRequest.pullRequestId,
    codeReviewId: pullRequest.pullRequestId,
    status: pullRequest.status,
    createdBy: user,
    creationDate: pullRequest.creationDate,
    ...(closed && pullRequest.closedDate
      ? { closedDate: pullRequest.closedDate, closedBy: user }
      : {}),
    title: pullRequest.title,
    ...(pullRequest.description !== undefined
      ? { description: pullRequest.description }
      : {}),
    sourceRefName: pullRequest.sourceRefName,
    targetRefName: pullRequest.targetRefName,
    mergeStatus: pullRequest.mergeStatus ?? 'queued',
    isDraft: pullRequest.isDraft,
    mergeId: pullRequest.mergeId,
    lastMergeSourceCommit: commitRef(pullRequest.lastMergeSourceCommit),
    lastMergeTargetCommit: commitRef(pullRequest.lastMergeTargetCommit),
    ...(pullRequest.lastMergeCommit
      ? { lastMergeCommit: commitRef(pullRequest.lastMergeCommit) }
      : {}),
    ...(pullRequest.completionOptions
      ? { completionOptions: pullRequest.completionOptions }
      : {}),
    reviewers: (pullRequest.reviewers ?? []).map(reviewer => ({
      reviewerUrl: `${url}/reviewers/${reviewer.id}`,
      vote: reviewer.vote,
      hasDeclined: false,
      isFlagged: false,
      displayName: reviewer.displayName,
      url: `${organizationUrl}/_apis/Identities/${reviewer.id}`,
      id: reviewer.id,
      uniqueName: reviewer.uniqueName,
    })),
    ...(pullRequest.completionQueueTime
      ? { completionQueueTime: pullRequest.completionQueueTime }
      : {}),
    url,
    _links: {
      self: { href: url },
      repository: { href: repositoryUrl },
      workItems: { href: `${url}/workitems` },
      sourceBranch: {
        href: `${repositoryUrl}/refs/${pullRequest.sourceRefName.slice(
          'refs/'.length,
        )}`,
      },
      targetBranch: {
        href: `${repositoryUrl}/refs/${pullRequest.targetRefName.slice(
          'refs/'.length,
        )}`,
      },
      statuses: { href: `${url}/statuses` },
      createdBy: { href: user.url },
      iterations: { href: `${url}/iterations` },
    },
    supportsIterations: true,
    artifactId: `vstfs:///Git/PullRequestId/${repository.projectId}%2f${repository.id}%2f${pullRequest.pullRequestId}`,
  };
}

/** Where a service hook event happened, as Azure DevOps names it in an event's `resourceContainers`. */
export function eventResourceContainers(organizationId: string, projectId: string, organizationUrl: string) {
  const baseUrl = `${organizationUrl}/`;
  return { collection: { id: organizationId, baseUrl }, account: { id: organizationId, baseUrl }, project: { id: projectId, baseUrl } };
}
