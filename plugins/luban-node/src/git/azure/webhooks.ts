import { InputError } from '@backstage/errors';
import type { ClientApiBase } from 'azure-devops-node-api/ClientApiBases';
import type { WebhookOptions, WebhookResult } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { describeRepo, gitUpstreamError } from '../support';
import { API_VERSION, type AzureDevOpsClient } from './client';
import { readRepository } from './repositories';

/** The REST resource location of service-hook subscriptions, which azure-devops-node-api has no client for. */
const SUBSCRIPTIONS_LOCATION = 'fc50d02a-849f-41fb-8af1-0a5216103269';

/** A service-hook subscription, as far as luban reads it. */
interface Subscription {
  id: string;
  eventType?: string;
  status?: string;
  publisherInputs?: Record<string, string>;
  consumerInputs?: Record<string, string>;
}

/** A raw REST call of the service-hooks area. */
async function hooksRequest<T>(
  hooks: ClientApiBase,
  method: 'GET' | 'POST' | 'PUT',
  routeValues: Record<string, string>,
  query: Record<string, string>,
  body?: unknown,
): Promise<T> {
  const { apiVersion, requestUrl } = await hooks.vsoClient.getVersioningData(API_VERSION, 'hooks', SUBSCRIPTIONS_LOCATION, routeValues, query);
  const options = hooks.createRequestOptions('application/json', apiVersion);
  let response;
  if (method === 'GET') response = await hooks.rest.get<T>(requestUrl!, options);
  else if (method === 'POST') response = await hooks.rest.create<T>(requestUrl!, body, options);
  else response = await hooks.rest.replace<T>(requestUrl!, body, options);
  return response.result as T;
}

/**
 * The `tfs` publisher's event ids for each requested event
 * (learn.microsoft.com/azure/devops/service-hooks/events): one subscription each.
 */
const AZURE_EVENT_TYPES: Record<WebhookOptions['events'][number], string[]> = {
  push: ['git.push'],
  pull_request: ['git.pullrequest.created', 'git.pullrequest.updated', 'git.pullrequest.merged'],
};

/** Several subscriptions' outcomes as one: created only when all were new, unchanged only when none moved. */
function combined(results: WebhookResult[]): WebhookResult {
  if (results.every(r => r === 'unchanged')) return 'unchanged';
  return results.every(r => r === 'created') ? 'created' : 'updated';
}

/** Creates a service hook per event type for the URL, or brings the existing ones in line. */
export async function registerAzureWebhook(client: AzureDevOpsClient, repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
  const host = new URL(options.url).host;
  const action = `register the service hooks to ${host} on ${describeRepo(repo)}`;
  const eventTypes = [...new Set(options.events)].flatMap(e => {
    const types = AZURE_EVENT_TYPES[e];
    if (!types) throw new InputError(`${action}: unsupported event ${e}`);
    return types;
  });
  const found = await readRepository(client, repo);
  if (!found?.id || !found.project?.id) {
    throw gitUpstreamError(404, `there is no repository ${describeRepo(repo)}`, { system: client.system(repo), action });
  }
  const results: WebhookResult[] = [];
  // One after the other: a failure leaves the earlier ones registered, and a re-run finds them unchanged.
  for (const eventType of eventTypes) {
    results.push(await ensureSubscription(client, repo, options, { action, eventType, projectId: found.project.id, repositoryId: found.id }));
  }
  return combined(results);
}

/** Creates one event type's subscription for the URL, or brings the existing one in line. */
async function ensureSubscription(
  client: AzureDevOpsClient,
  repo: RepoLocation,
  options: WebhookOptions,
  target: { action: string; eventType: string; projectId: string; repositoryId: string },
): Promise<WebhookResult> {
  const { action, eventType, projectId, repositoryId } = target;
  const desired = {
    publisherId: 'tfs',
    eventType,
    resourceVersion: '1.0',
    consumerId: 'webHooks',
    consumerActionId: 'httpRequest',
    publisherInputs: { projectId, repository: repositoryId },
    consumerInputs: {
      url: options.url,
      // Argo Events' generic webhook accepts exactly `Authorization: Bearer <secret>`; the built-in basic auth sends `Basic …`.
      httpHeaders: `Authorization: Bearer ${options.secret}`,
      resourceDetailsToSend: 'all',
      messagesToSend: 'none',
      detailedMessagesToSend: 'none',
    },
  };
  return client.call(repo, action, async ({ hooks }) => {
    const list = await hooksRequest<{ value?: Subscription[] }>(hooks, 'GET', {}, {
      publisherId: desired.publisherId,
      eventType: desired.eventType,
      consumerId: desired.consumerId,
      consumerActionId: desired.consumerActionId,
    });
    const existing = (list?.value ?? []).find(
      s =>
        (s.eventType ?? eventType) === eventType &&
        s.consumerInputs?.url === options.url &&
        s.publisherInputs?.repository?.toLowerCase() === repositoryId.toLowerCase(),
    );
    if (!existing) {
      await hooksRequest(hooks, 'POST', {}, {}, desired);
      return 'created';
    }
    // The headers (with the secret) are confidential: whether they are set can be compared, not what they say.
    const matches = existing.status === 'enabled' && Boolean(existing.consumerInputs?.httpHeaders) && !existing.publisherInputs?.branch;
    if (matches) return 'unchanged';
    await hooksRequest(hooks, 'PUT', { subscriptionId: existing.id }, {}, { ...desired, id: existing.id });
    return 'updated';
  });
}
