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

/** Creates a push service hook for the URL, or brings the existing one in line. */
export async function registerAzureWebhook(client: AzureDevOpsClient, repo: RepoLocation, options: WebhookOptions): Promise<WebhookResult> {
  const host = new URL(options.url).host;
  const action = `register the push service hook to ${host} on ${describeRepo(repo)}`;
  if (options.events.some(e => e !== 'push')) throw new InputError(`${action}: only push events are supported`);
  const found = await readRepository(client, repo);
  if (!found?.id || !found.project?.id) {
    throw gitUpstreamError(404, `there is no repository ${describeRepo(repo)}`, { system: client.system(repo), action });
  }
  const repositoryId = found.id;
  const desired = {
    publisherId: 'tfs',
    eventType: 'git.push',
    resourceVersion: '1.0',
    consumerId: 'webHooks',
    consumerActionId: 'httpRequest',
    publisherInputs: { projectId: found.project.id, repository: repositoryId },
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
      s => s.consumerInputs?.url === options.url && s.publisherInputs?.repository?.toLowerCase() === repositoryId.toLowerCase(),
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
