import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { parseUrl, readBody, sendJson } from '../http';
import type { RequestLog } from '../controls';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch';
import {
  apiGroups,
  apiResourceList,
  findResourceType,
  RESOURCE_TYPES,
  type ResourceType,
} from './resources';
import {
  badRequest,
  deleted,
  methodNotAllowed,
  notFound,
  StatusError,
  unauthorized,
  unsupportedMediaType,
} from './errors';
import type { KubeObject, KubeStore } from './state';
import { listCollection, toStatus, watchCollection } from './collections';
import { admit } from './admission';
import type { EmulatedApi } from '../system';

/** The Kubernetes version the emulated API server reports. */
export const KUBERNETES_VERSION = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-luban-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** A parsed resource path. */
interface ResourceRequest {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** A subresource handler registered by an emulated controller (e.g. pods/log). */
export type SubresourceHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  target: { type: ResourceType; namespace?: string; name: string; query: URLSearchParams },
) => Promise<void> | void;

export interface KubernetesApiOptions {
  store: KubeStore;
  /** Bearer tokens the API server accepts. */
  tokens: string[];
  requestLog: RequestLog;
  subresources?: Record<string, SubresourceHandler>;
}

/**
 * The Kubernetes API server: discovery, CRUD with optimistic concurrency,
 * selectors, pagination, patches and watches over the shared store.
 */
export class KubernetesApi implements EmulatedApi {
  private readonly openWatches = new Set<ServerResponse>();

  constructor(private readonly options: KubernetesApiOptions) {
    options.store.registerTypes(RESOURCE_TYPES);
  }

  /** Closes every open watch stream (on shutdown). */
  close() {
    for (const res of this.openWatches) res.end();
    this.openWatches.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req);
    try {
      this.authenticate(req);
      await this.route(req, res, url);
    } catch (error) {
      const status = toStatus(error);
      if (!res.headersSent) {
        sendJson(res, status.code ?? 500, status);
      } else {
        res.end();
      }
    } finally {
      if (!url.searchParams.has('watch') || url.searchParams.get('watch') === 'false') {
        this.options.requestLog.record('kubernetes', req.method ?? 'GET', url.pathname + url.search, res.statusCode);
      }
    }
  }

  private authenticate(req: IncomingMessage) {
    const header = req.headers.authorization ?? '';
    const match = header.match(/^Bearer\s+(.+)$/i);
    if (!match || !this.options.tokens.includes(match[1].trim())) {
      throw unauthorized();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    if (segments[0] === 'version' && segments.length === 1) {
      sendJson(res, 200, KUBERNETES_VERSION);
      return;
    }
    if (segments[0] === 'api') {
      if (segments.length === 1) {
        sendJson(res, 200, {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }],
        });
        return;
      }
      if (segments[1] !== 'v1') throw notFound('', '', url.pathname);
      if (segments.length === 2) {
        sendJson(res, 200, apiResourceList('', 'v1'));
        return;
      }
      await this.resource(req, res, url, '', 'v1', segments.slice(2), method);
      return;
    }
    if (segments[0] === 'apis') {
      const groups = apiGroups();
      if (segments.length === 1) {
        sendJson(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
        return;
      }
      const group = groups.find(g => g.name === segments[1]);
      if (!group) throw this.pathNotFound(url);
      if (segments.length === 2) {
        sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
        return;
      }
      if (!group.versions.some(v => v.version === segments[2])) throw this.pathNotFound(url);
      if (segments.length === 3) {
        sendJson(res, 200, apiResourceList(segments[1], segments[2]));
        return;
      }
      await this.resource(req, res, url, segments[1], segments[2], segments.slice(3), method);
      return;
    }
    throw this.pathNotFound(url);
  }

  private pathNotFound(_url: URL) {
    // The API server answers unknown paths with a bare 404 Status.
    return new StatusError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  }

  private parse(group: string, version: string, rest: string[], url: URL): ResourceRequest {
    // namespaces/<ns>/<plural>[/<name>[/<sub>]] for namespaced types
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const type = findResourceType(group, version, rest[2]);
      if (type?.namespaced) {
        return { type, namespace: rest[1], name: rest[3], subresource: rest[4] };
      }
      if (group === '' && rest.length === 3) {
        // namespaces/<name>/<subresource>, e.g. namespaces/foo/status
        return { type: findResourceType('', 'v1', 'namespaces')!, name: rest[1], subresource: rest[2] };
      }
      throw this.pathNotFound(url);
    }
    const type = findResourceType(group, version, rest[0]);
    if (!type || rest.length > 3) throw this.pathNotFound(url);
    if (type.namespaced && rest.length > 1) {
      // A namespaced type addressed without a namespace can only be listed/watched.
      throw this.pathNotFound(url);
    }
    return { type, name: rest[1], subresource: rest[2] };
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    group: string,
    version: string,
    rest: string[],
    method: string,
  ) {
    const target = this.parse(group, version, rest, url);
    const { type, namespace, name, subresource } = target;
    const store = this.options.store;
    const query = url.searchParams;

    if (subresource && subresource !== 'status') {
      const handler = this.options.subresources?.[`${type.plural}/${subresource}`];
      if (!handler || !name) throw this.pathNotFound(url);
      store.get(type, namespace, name);
      await handler(req, res, { type, namespace, name, query });
      return;
    }
    if (subresource === 'status' && !type.statusSubresource) {
      throw this.pathNotFound(url);
    }

    if (!name) {
      if (method === 'GET') {
        if (query.get('watch') === 'true' || query.get('watch') === '1') {
          watchCollection(this.options.store, this.options.requestLog, this.openWatches, req, res, { type, namespace, query });
          return;
        }
        sendJson(res, 200, listCollection(this.options.store, type, namespace, query));
        return;
      }
      if (method === 'POST') {
        if (type.namespaced && !namespace) throw methodNotAllowed();
        const body = await this.readObject(req);
        const created = this.create(type, namespace, body);
        sendJson(res, 201, created);
        return;
      }
      if (method === 'DELETE') {
        const items = listCollection(this.options.store, type, namespace, query).items as KubeObject[];
        for (const item of items) store.delete(type, item.metadata.namespace, item.metadata.name);
        sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
        return;
      }
      throw methodNotAllowed();
    }

    switch (method) {
      case 'GET':
        sendJson(res, 200, store.get(type, namespace, name));
        return;
      case 'PUT': {
        const body = await this.readObject(req);
        const updated = this.update(type, namespace, name, body, {
          subresource: subresource === 'status' ? 'status' : undefined,
        });
        sendJson(res, 200, updated);
        return;
      }
      case 'PATCH': {
        const updated = await this.patch(req, type, namespace, name, query, subresource === 'status');
        sendJson(res, updated.created ? 201 : 200, updated.object);
        return;
      }
      case 'DELETE': {
        const raw = await readBody(req);
        let preconditions: { resourceVersion?: string; uid?: string } = {};
        if (raw.length) {
          try {
            preconditions = JSON.parse(raw.toString('utf8')).preconditions ?? {};
          } catch {
            throw badRequest('the body of the request could not be decoded as DeleteOptions');
          }
        }
        const result = store.delete(type, namespace, name, preconditions);
        if (type.deleteReturnsObject || result.pending) {
          sendJson(res, result.pending && type.plural !== 'namespaces' ? 202 : 200, result.object);
        } else {
          sendJson(res, 200, deleted(type.plural, type.group, name, result.object.metadata.uid ?? ''));
        }
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  /** Creates through the admission webhooks, which kube-apiserver calls before it stores. */
  private create(type: ResourceType, namespace: string | undefined, body: KubeObject): KubeObject {
    const object = admit(type, { operation: 'CREATE', object: body, store: this.options.store });
    return this.options.store.create(type, namespace, object);
  }

  /**
   * Updates through the admission webhooks. A stale resourceVersion is a
   * 409 before admission is asked; status writes are not sent to the
   * webhooks here (luban never writes status, the emulated controllers write the store).
   */
  private update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    options: Parameters<KubeStore['update']>[4] = {},
  ): KubeObject {
    const store = this.options.store;
    const current = store.get(type, namespace, name);
    const sent = body.metadata?.resourceVersion;
    const admitted =
      options.subresource === 'status' || (sent && sent !== current.metadata.resourceVersion)
        ? body
        : admit(type, { operation: 'UPDATE', object: body, oldObject: current, store });
    return store.update(type, namespace, name, admitted, options);
  }

  private async readObject(req: IncomingMessage): Promise<KubeObject> {
    const raw = (await readBody(req)).toString('utf8');
    let parsed: unknown;
    try {
      parsed = (req.headers['content-type'] ?? '').includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
    } catch (error) {
      throw badRequest(`the object provided is unrecognized (must be of type Object): couldn't get version/kind; json parse error: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('the object provided is unrecognized (must be of type Object)');
    }
    const object = parsed as KubeObject;
    object.metadata = object.metadata ?? ({} as KubeObject['metadata']);
    return object;
  }

  private async patch(
    req: IncomingMessage,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    query: URLSearchParams,
    statusOnly: boolean,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim();
    const raw = (await readBody(req)).toString('utf8');
    const store = this.options.store;
    const parse = () => {
      try {
        return contentType === 'application/apply-patch+yaml' ? parseYaml(raw) : JSON.parse(raw);
      } catch (error) {
        throw badRequest(`error decoding patch: ${(error as Error).message}`);
      }
    };
    if (contentType === 'application/apply-patch+yaml') {
      if (!query.get('fieldManager')) {
        throw new StatusError({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          reason: 'Invalid',
          details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
          code: 422,
        });
      }
      const applied = parse() as KubeObject;
      const existing = store.find(type, namespace, name);
      if (!existing) {
        return { object: this.create(type, namespace, { ...applied, metadata: { ...applied.metadata, name } }), created: true };
      }
      const merged = mergePatch(existing, applied) as KubeObject;
      merged.metadata.resourceVersion = existing.metadata.resourceVersion;
      return { object: this.update(type, namespace, name, merged, { subresource: statusOnly ? 'status' : undefined }), created: false };
    }
    const current = store.get(type, namespace, name);
    let next: KubeObject;
    switch (contentType) {
      case 'application/merge-patch+json':
        next = mergePatch(current, parse()) as KubeObject;
        break;
      case 'application/strategic-merge-patch+json':
        if (type.custom) throw unsupportedMediaType(contentType);
        next = strategicMergePatch(current, parse()) as KubeObject;
        break;
      case 'application/json-patch+json':
        next = jsonPatch(current, parse()) as KubeObject;
        break;
      default:
        throw unsupportedMediaType(contentType || '(none)');
    }
    if (!next.metadata?.resourceVersion) {
      next.metadata = { ...next.metadata, resourceVersion: current.metadata.resourceVersion };
    }
    return {
      object: this.update(type, namespace, name, next, {
        subresource: statusOnly ? 'status' : undefined,
        requireResourceVersion: false,
      }),
      created: false,
    };
  }
}
