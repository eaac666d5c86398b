import { GitHubError, notFound, validationFailed } from '../errors';
import { pingPayload, pushPayload } from '../events';
import {
  timestamp,
  type DeliveryRecord,
  type HookRecord,
  type RepoRecord,
} from '../model';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { hook as hookJson } from '../views';
import {
  json,
  noContent,
  page,
  route,
  visibleRepo,
  writableRepo,
} from './common';

type HookConfig = HookRecord['config'];

function findHook(repo: RepoRecord, id: string): HookRecord {
  const hook = repo.hooks.find(candidate => String(candidate.id) === id);
  if (!hook) throw notFound();
  return hook;
}

function findDelivery(state: GitHubState, hook: HookRecord, id: string) {
  const delivery = state.webhooks
    .deliveries()
    .find(candidate => candidate.hookId === hook.id && String(candidate.id) === id);
  if (!delivery) throw notFound();
  return delivery;
}

/** Merges a `config` body into a hook's config, validating it as GitHub does. */
function configFrom(
  req: ApiRequest,
  current: HookConfig | undefined,
): HookConfig {
  const raw = req.body.config as Record<string, unknown> | undefined;
  if (raw !== undefined && (raw === null || typeof raw !== 'object')) {
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/config', ${JSON.stringify(
        raw,
      )} is not an object.`,
    );
  }
  const url = raw?.url ?? current?.url;
  if (typeof url !== 'string' || url === '') {
    throw validationFailed([
      { resource: 'Hook', code: 'custom', message: 'Config must contain url' },
    ]);
  }
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new Error('scheme');
  } catch {
    throw validationFailed([
      {
        resource: 'Hook',
        code: 'custom',
        message:
          "Config url is not supported because it isn't reachable over the public Internet",
      },
    ]);
  }
  const contentType = raw?.content_type ?? current?.content_type ?? 'form';
  if (contentType !== 'json' && contentType !== 'form') {
    throw validationFailed([
      {
        resource: 'Hook',
        code: 'custom',
        message: 'Config content_type must be json or form',
      },
    ]);
  }
  let secret = current?.secret;
  if (raw && 'secret' in raw)
    secret = raw.secret ? String(raw.secret) : undefined;
  const insecure = raw?.insecure_ssl ?? current?.insecure_ssl ?? '0';
  return {
    url,
    content_type: contentType,
    secret,
    insecure_ssl: String(insecure),
  };
}

function eventsFrom(req: ApiRequest, current: string[] | undefined): string[] {
  let events = current ?? ['push'];
  if (req.body.events !== undefined) {
    if (
      !Array.isArray(req.body.events) ||
      req.body.events.some(event => typeof event !== 'string')
    ) {
      throw validationFailed([
        { resource: 'Hook', code: 'invalid', field: 'events' },
      ]);
    }
    events = req.body.events as string[];
  }
  if (Array.isArray(req.body.add_events))
    events = [...events, ...(req.body.add_events as string[])];
  if (Array.isArray(req.body.remove_events))
    events = events.filter(
      event => !(req.body.remove_events as string[]).includes(event),
    );
  return [...new Set(events)];
}

function deliveryItem(delivery: DeliveryRecord) {
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: delivery.deliveredAt,
    redelivery: delivery.redelivery,
    duration: delivery.duration,
    status: delivery.status,
    status_code: delivery.statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: null,
    repository_id: delivery.repositoryId,
    throttled_at: null,
  };
}

async function sendPing(
  state: GitHubState,
  repo: RepoRecord,
  hook: HookRecord,
) {
  state.webhooks.send(
    repo,
    'ping',
    null,
    await pingPayload(state, repo, hook),
    hook,
  );
}

async function createHook(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const name = typeof req.body.name === 'string' ? req.body.name : 'web';
  if (name !== 'web')
    throw validationFailed([
      { resource: 'Hook', code: 'custom', message: `Name must be 'web'` },
    ]);
  const config = configFrom(req, undefined);
  if (repo.hooks.some(existing => existing.config.url === config.url)) {
    throw validationFailed([
      {
        resource: 'Hook',
        code: 'custom',
        message: 'Hook already exists on this repository',
      },
    ]);
  }
  const now = timestamp();
  const hook: HookRecord = {
    id: state.nextId('hook'),
    name,
    active: req.body.active !== false,
    events: eventsFrom(req, undefined),
    config,
    createdAt: now,
    updatedAt: now,
    lastResponse: { code: null, status: 'unused', message: null },
  };
  repo.hooks.push(hook);
  if (hook.active) await sendPing(state, repo, hook);
  const body = hookJson(repo, hook, state.urls);
  return json(201, body, { Location: body.url });
}

/** Repository webhooks, their pings, tests and deliveries. */
export function hookRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/hooks',
      'repos/webhooks#list-repository-webhooks',
      async req => {
        const repo = visibleRepo(state, req);
        return page(
          req,
          repo.hooks.map(hook => hookJson(repo, hook, state.urls)),
        );
      },
      { requiresAuth: true },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/hooks',
      'repos/webhooks#create-a-repository-webhook',
      req => createHook(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/hooks/{hook_id}',
      'repos/webhooks#get-a-repository-webhook',
      async req => {
        const repo = visibleRepo(state, req);
        return json(
          200,
          hookJson(repo, findHook(repo, req.params.hook_id), state.urls),
        );
      },
      { requiresAuth: true },
    ),
    route(
      'PATCH',
      '/repos/{owner}/{repo}/hooks/{hook_id}',
      'repos/webhooks#update-a-repository-webhook',
      async req => {
        const repo = writableRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        hook.config = configFrom(req, hook.config);
        hook.events = eventsFrom(req, hook.events);
        if (typeof req.body.active === 'boolean') hook.active = req.body.active;
        hook.updatedAt = timestamp();
        return json(200, hookJson(repo, hook, state.urls));
      },
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}/hooks/{hook_id}',
      'repos/webhooks#delete-a-repository-webhook',
      async req => {
        const repo = writableRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        repo.hooks = repo.hooks.filter(candidate => candidate !== hook);
        return noContent();
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/hooks/{hook_id}/config',
      'repos/webhooks#get-a-webhook-configuration-for-a-repository',
      async req => {
        const repo = visibleRepo(state, req);
        return json(
          200,
          hookJson(repo, findHook(repo, req.params.hook_id), state.urls).config,
        );
      },
      { requiresAuth: true },
    ),
    route(
      'PATCH',
      '/repos/{owner}/{repo}/hooks/{hook_id}/config',
      'repos/webhooks#update-a-webhook-configuration-for-a-repository',
      async req => {
        const repo = writableRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        hook.config = configFrom(
          { ...req, body: { config: req.body } },
          hook.config,
        );
        hook.updatedAt = timestamp();
        return json(200, hookJson(repo, hook, state.urls).config);
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/hooks/{hook_id}/pings',
      'repos/webhooks#ping-a-repository-webhook',
      async req => {
        const repo = writableRepo(state, req);
        await sendPing(state, repo, findHook(repo, req.params.hook_id));
        return noContent();
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/hooks/{hook_id}/tests',
      'repos/webhooks#test-the-push-repository-webhook',
      async req => {
        const repo = writableRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        // GitHub re-sends a push for the latest commit of the default branch, if the hook wants pushes.
        const branch = await state.defaultBranch(repo);
        const sha = await state.branchSha(repo, branch);
        if (
          sha &&
          hook.active &&
          (hook.events.includes('push') || hook.events.includes('*'))
        ) {
          const parent = (await state.git.commitInfo(repo.path, sha))!
            .parents[0];
          const payload = await pushPayload(state, repo, {
            repository: repo.path,
            ref: `refs/heads/${branch}`,
            before: parent ?? sha,
            after: sha,
          });
          state.webhooks.send(repo, 'push', null, payload, hook);
        }
        return noContent();
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries',
      'repos/webhooks#list-deliveries-for-a-repository-webhook',
      async req => {
        const repo = visibleRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        const deliveries = state.webhooks
          .deliveries()
          .filter(
            delivery =>
              delivery.hookId === hook.id && delivery.repositoryId === repo.id,
          )
          .reverse()
          .map(deliveryItem);
        return page(req, deliveries);
      },
      { requiresAuth: true },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}',
      'repos/webhooks#get-a-delivery-for-a-repository-webhook',
      async req => {
        const repo = visibleRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        const delivery = findDelivery(state, hook, req.params.delivery_id);
        return json(200, {
          ...deliveryItem(delivery),
          url: delivery.url,
          request: {
            headers: delivery.request.headers,
            payload: delivery.request.payload,
          },
          response: delivery.response,
        });
      },
      { requiresAuth: true },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts',
      'repos/webhooks#redeliver-a-delivery-for-a-repository-webhook',
      async req => {
        const repo = writableRepo(state, req);
        const hook = findHook(repo, req.params.hook_id);
        const delivery = findDelivery(state, hook, req.params.delivery_id);
        state.webhooks.redeliver(repo, hook, delivery);
        return json(202, {});
      },
    ),
  ];
}
