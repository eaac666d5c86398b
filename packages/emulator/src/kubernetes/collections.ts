import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLog } from '../controls';
import { BodyTooLargeError, parseUrl } from '../http';
import { apiVersionOf, type ResourceType } from './resources';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { badRequest, gone, internalError, StatusError, type KubeStatus } from './errors';
import type { KubeObject, KubeStore, StoreEvent } from './state';

/*
 * Reading collections as the API server does: lists with label and field
 * selectors and `limit`/`continue` paging, and watch streams (410 Gone
 * inside the stream for too old a resourceVersion).
 */

function encodeContinue(resourceVersion: string, lastKey: string): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(resourceVersion), start: `${lastKey}\u0000` }),
  ).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed.start !== 'string' || typeof parsed.rv !== 'number') throw new Error();
    return parsed;
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
  }
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** Strips kind/apiVersion from list items of built-in types, as the API server does. */
function listItem(type: ResourceType, object: KubeObject) {
  if (type.custom) return object;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

/** The Status body of an error, as the API server answers it. */
export function toStatus(error: unknown): KubeStatus {
  if (error instanceof StatusError) return error.status;
  if (error instanceof BodyTooLargeError) {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 };
  }
  return internalError(error instanceof Error ? error.message : String(error)).status;
}

function selectors(query: URLSearchParams) {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  return (object: KubeObject) =>
    matchesLabels(labels, object.metadata.labels) && matchesFields(fields, object.metadata);
}

/** A list of a collection, filtered by selectors and paged with `limit`/`continue`. */
export function listCollection(store: KubeStore, type: ResourceType, namespace: string | undefined, query: URLSearchParams) {
  const matches = selectors(query);
  let items = store.list(type, namespace).filter(matches);
  const resourceVersion = store.resourceVersion;
  const continueToken = query.get('continue');
  if (continueToken) {
    const { rv, start } = decodeContinue(continueToken);
    if (rv < store.oldestResumableVersion) {
      throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
    }
    items = items.filter(item => keyOf(item) >= start);
  }
  const limit = Number(query.get('limit') ?? 0);
  const metadata: Record<string, unknown> = { resourceVersion };
  if (limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    metadata.continue = encodeContinue(resourceVersion, keyOf(items[items.length - 1]));
    metadata.remainingItemCount = remaining;
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata,
    items: items.map(item => listItem(type, item)),
  };
}

/**
 * Streams the events of a collection until the client goes or `timeoutSeconds`
 * pass; `openWatches` holds the stream while it is open (closed on shutdown).
 */
export function watchCollection(
  store: KubeStore,
  requestLog: RequestLog,
  openWatches: Set<ServerResponse>,
  req: IncomingMessage,
  res: ServerResponse,
  target: { type: ResourceType; namespace: string | undefined; query: URLSearchParams },
) {
  const { type, namespace, query } = target;
  const matches = selectors(query);
  const rvParam = query.get('resourceVersion');
  const fromVersion = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
  if (fromVersion !== undefined && Number.isNaN(fromVersion)) {
    throw badRequest(`invalid resource version: ${rvParam}`);
  }
  const inScope = (object: KubeObject) =>
    (!type.namespaced || namespace === undefined || object.metadata.namespace === namespace) && matches(object);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  // Clients resolve a watch once its headers arrive, before any event.
  res.flushHeaders();
  openWatches.add(res);
  requestLog.record('kubernetes', 'GET', `${parseUrl(req).pathname}?watch=true`, 200);
  const write = (eventType: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };

  let unsubscribe: () => void = () => {};
  const onEvent = (event: StoreEvent) => {
    if (event.resourceType !== type || !inScope(event.object)) return;
    write(event.type, event.object);
  };
  try {
    if (fromVersion === undefined) {
      for (const object of store.list(type, namespace).filter(inScope)) write('ADDED', object);
    }
    unsubscribe = store.watch(fromVersion, onEvent);
  } catch (error) {
    // Too old a resourceVersion is reported inside the stream, as an ERROR event.
    write('ERROR', toStatus(error));
    res.end();
    openWatches.delete(res);
    return;
  }
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
  const close = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    openWatches.delete(res);
  };
  res.on('close', close);
  req.on('close', close);
}
