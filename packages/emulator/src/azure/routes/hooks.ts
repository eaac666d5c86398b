/** Service hooks: subscriptions (list, create, read, replace, delete). */
import { methodNotAllowed } from '../errors';
import {
  negotiate,
  readJson,
  sendEmpty,
  sendJson,
  sendList,
  type RequestContext,
} from '../context';
import type { ServiceHooks } from '../hooks';
import { LOCATIONS } from '../locations';
import { identityRef } from '../views';
import type { AzureServices } from './common';

/** `hooks/subscriptions[/{subscriptionId}]`. */
export async function subscriptionsResource(
  services: AzureServices,
  ctx: RequestContext,
  id: string | undefined,
) {
  negotiate(ctx, LOCATIONS.subscriptions);
  const { organization } = ctx;
  const organizationUrl = services.state.organizationUrl(organization);
  const user = identityRef(organizationUrl);
  const toJson = (s: Parameters<ServiceHooks['toJson']>[0]) =>
    services.hooks.toJson(s, organizationUrl, user);
  const projectExists = (projectId: string) => {
    try {
      services.state.project(organization, projectId);
      return true;
    } catch {
      return false;
    }
  };
  const repositoryExists = (projectId: string, repositoryId: string) => {
    try {
      services.state.repository(
        organization,
        services.state.project(organization, projectId),
        repositoryId,
      );
      return true;
    } catch {
      return false;
    }
  };
  /** Creates (no id) or replaces a subscription from the request body and answers with it. */
  const save = async (subscriptionId: string | undefined) => {
    const body = ((await readJson(ctx)) ?? {}) as Record<string, unknown>;
    const saved = services.hooks.save(
      organization,
      body,
      projectExists,
      repositoryExists,
      subscriptionId,
    );
    sendJson(ctx, 200, toJson(saved));
  };
  if (id === undefined) {
    if (ctx.method === 'GET') {
      const query = ctx.url.searchParams;
      const filter = {
        publisherId: query.get('publisherId'),
        eventType: query.get('eventType'),
        consumerId: query.get('consumerId'),
        consumerActionId: query.get('consumerActionId'),
      };
      sendList(ctx, services.hooks.list(organization, filter).map(toJson));
    } else if (ctx.method === 'POST') {
      await save(undefined);
    } else {
      throw methodNotAllowed(ctx.method);
    }
    return;
  }
  if (ctx.method === 'GET') {
    sendJson(ctx, 200, toJson(services.hooks.get(organization, id)));
  } else if (ctx.method === 'PUT') {
    services.hooks.get(organization, id);
    await save(id);
  } else if (ctx.method === 'DELETE') {
    services.hooks.remove(organization, id);
    sendEmpty(ctx, 204);
  } else {
    throw methodNotAllowed(ctx.method);
  }
}
