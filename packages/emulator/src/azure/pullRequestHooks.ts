/**
 * The pull-request service hook events of the `tfs` publisher
 * (learn.microsoft.com/azure/devops/service-hooks/events: "Pull request
 * created" `git.pullrequest.created`, "Pull request updated"
 * `git.pullrequest.updated` — source branch updated, status changed — and
 * "Pull request merge attempted" `git.pullrequest.merged`), resourceVersion 1.0:
 * the resource is the pull request as the REST API shows it, its repository
 * with `remoteUrl` as in the documented samples.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceHooks } from './hooks';
import type { OrganizationState, PullRequestState } from './model';
import type { AzureOrganizations } from './state';
import { eventResourceContainers, identityRef, pullRequestJson, repositoryJson } from './views';

/** The pull-request event types the emulator publishes. */
export const PULL_REQUEST_EVENT_TYPES = ['git.pullrequest.created', 'git.pullrequest.updated', 'git.pullrequest.merged'];

/** Publishes one pull-request event to the matching subscriptions (filtered by the target branch). */
export function publishPullRequestEvent(
  services: { state: AzureOrganizations; hooks: ServiceHooks },
  organization: OrganizationState,
  pullRequest: PullRequestState,
  eventType: string,
  what: string,
) {
  const { state, hooks } = services;
  const repository = organization.repositories.get(pullRequest.repositoryId);
  if (!repository) return;
  // Rendered now: the event shows the pull request as it was when it happened.
  const resource = pullRequestJson(state, organization, pullRequest);
  const repositoryBody = repositoryJson(state, organization, repository);
  const organizationUrl = state.organizationUrl(organization);
  const project = organization.projects.get(repository.projectId)!;
  const text = `${identityRef(organizationUrl).displayName} ${what} pull request ${pullRequest.pullRequestId} (${pullRequest.title}).`;
  hooks.publish(organization, {
    eventType,
    projectId: repository.projectId,
    repositoryId: repository.id,
    branches: [pullRequest.targetRefName.replace(/^refs\/heads\//, '')],
    render: (subscription, notificationId) => ({
      subscriptionId: subscription.id,
      notificationId,
      id: randomUUID(),
      eventType,
      publisherId: 'tfs',
      message: { text, html: text, markdown: text },
      detailedMessage: { text, html: text, markdown: text },
      resource: { ...resource, repository: { ...resource.repository, remoteUrl: repositoryBody.remoteUrl } },
      resourceVersion: '1.0',
      resourceContainers: eventResourceContainers(organization.id, project.id, organizationUrl),
      createdDate: new Date().toISOString(),
    }),
  });
}
