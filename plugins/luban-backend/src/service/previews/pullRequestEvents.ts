/**
 * Pull-request deliveries of the git hosts, as what a preview needs of them.
 * Only the documented fields are read: GitHub's `pull_request` webhook
 * (docs.github.com/webhooks/webhook-events-and-payloads#pull_request) and
 * Azure DevOps' `git.pullrequest.*` service hook events
 * (learn.microsoft.com/azure/devops/service-hooks/events#pull-request-created).
 */

import type { EventParams } from '@backstage/plugin-events-node';
import { headerOf, isObject, webUrlOf } from '../../webhooks/payloadFields';
import { LUBAN_WEBHOOK_TOPICS } from '../../webhooks/webhookModule';

const SHA = /^[0-9a-f]{40}$/i;

/** One change of a pull request that a preview follows. */
export interface PullRequestEvent {
  provider: 'github' | 'azure';
  /** The repository's web address, e.g. `https://github.com/o/r`. */
  repositoryUrl: string;
  number: number;
  /** `opened`: opened or reopened; `updated`: new commits; `closed`: closed, merged or abandoned. */
  action: 'opened' | 'updated' | 'closed';
  /** The commit at the head of the pull request's source branch. */
  headSha?: string;
}

const sha = (value: unknown) => (typeof value === 'string' && SHA.test(value) ? value : undefined);

const GITHUB_ACTIONS: Record<string, PullRequestEvent['action']> = { opened: 'opened', reopened: 'opened', synchronize: 'updated', closed: 'closed' };

/**
 * A GitHub `pull_request` delivery; undefined for other events and actions,
 * and for a pull request from a fork (its code is not the repository's to build).
 */
export function fromGitHubPullRequest(eventName: string | undefined, payload: unknown): PullRequestEvent | undefined {
  if (eventName !== 'pull_request' || !isObject(payload) || !isObject(payload.pull_request)) return undefined;
  const action = GITHUB_ACTIONS[String(payload.action)];
  const pull = payload.pull_request;
  const repository = isObject(payload.repository) ? payload.repository : {};
  const repositoryUrl = webUrlOf(repository.html_url);
  const number = payload.number ?? pull.number;
  if (!action || !repositoryUrl || !Number.isSafeInteger(number) || number < 1) return undefined;
  // A fork's head, or one whose repository is gone (GitHub sends `repo: null` once a fork is deleted), is never built.
  const headRepo = isObject(pull.head) && isObject(pull.head.repo) ? pull.head.repo : undefined;
  if (!headRepo || headRepo.full_name !== repository.full_name) return undefined;
  if (headRepo.id !== undefined && repository.id !== undefined && headRepo.id !== repository.id) return undefined;
  return { provider: 'github', repositoryUrl, number, action, headSha: sha(isObject(pull.head) ? pull.head.sha : undefined) };
}

/**
 * An Azure DevOps pull-request service hook delivery: `git.pullrequest.created`
 * opens, `git.pullrequest.updated` moves the preview while the pull request is
 * active and closes it once it is completed or abandoned, as does
 * `git.pullrequest.merged` once completed. Fork pull requests are left out.
 */
export function fromAzureDevOpsPullRequest(payload: unknown): PullRequestEvent | undefined {
  if (!isObject(payload) || !isObject(payload.resource) || typeof payload.eventType !== 'string') return undefined;
  const { resource, eventType } = payload;
  if (!eventType.startsWith('git.pullrequest.') || resource.forkSource) return undefined;
  const repository = isObject(resource.repository) ? resource.repository : {};
  const repositoryUrl = webUrlOf(repository.webUrl ?? repository.remoteUrl);
  const number = resource.pullRequestId;
  if (!repositoryUrl || !Number.isSafeInteger(number) || number < 1) return undefined;
  const headSha = sha(isObject(resource.lastMergeSourceCommit) ? resource.lastMergeSourceCommit.commitId : undefined);
  const closed = resource.status === 'completed' || resource.status === 'abandoned';
  let action: PullRequestEvent['action'] | undefined;
  if (eventType === 'git.pullrequest.created' && resource.status === 'active') action = 'opened';
  else if (eventType === 'git.pullrequest.updated') action = closed ? 'closed' : 'updated';
  else if (eventType === 'git.pullrequest.merged' && closed) action = 'closed';
  if (!action) return undefined;
  return { provider: 'azure', repositoryUrl, number, action, headSha };
}

/** The pull request event of a delivery on either webhook topic; undefined for anything else. */
export function pullRequestOfDelivery(event: EventParams): PullRequestEvent | undefined {
  return event.topic === LUBAN_WEBHOOK_TOPICS.github
    ? fromGitHubPullRequest(headerOf(event.metadata, 'x-github-event'), event.eventPayload)
    : fromAzureDevOpsPullRequest(event.eventPayload);
}
