import type { IncomingHttpHeaders } from 'node:http';
import { GHES_VERSION, type Account } from './model';

/** What a route handler gets. */
export interface ApiRequest {
  method: string;
  url: URL;
  /** Path parameters, URL-decoded (`{path+}` keeps its slashes). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; `{}` when there is none. */
  body: Record<string, unknown>;
  /** The authenticated user, undefined for anonymous requests. */
  viewer: Account | undefined;
}

/** What a route handler answers. */
export interface ApiResponse {
  status: number;
  /** JSON body; omitted for 204. */
  body?: unknown;
  /** A non-JSON body (raw file content, archives, SHA as text). */
  raw?: { content: Buffer | string; contentType: string };
  headers?: Record<string, string>;
}

/** One REST operation. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /**
   * GitHub's path template under /api/v3, e.g. `/repos/{owner}/{repo}/contents/{path+}`;
   * a `+` parameter matches the rest of the path, slashes included.
   */
  path: string;
  /** The operation's documentation anchor under `rest/`, e.g. `repos/repos#get-a-repository`. */
  docs: string;
  /** Whether anonymous callers are turned away with 401 before the handler runs. */
  requiresAuth: boolean;
  handle(req: ApiRequest): Promise<ApiResponse>;
}

/** Documentation URL of an operation, as the GHES OpenAPI description links it. */
export function documentationUrl(docs: string): string {
  return `https://docs.github.com/enterprise-server@${GHES_VERSION}/rest/${docs}`;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** Matches request paths against GitHub's path templates. */
export class RouteTable {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map(route => {
      const names: string[] = [];
      const source = route.path
        .split(/(\{[^}]+\})/)
        .map(part => {
          const param = part.match(/^\{([^}+]+)(\+?)\}$/);
          if (!param) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(param[1]);
          return param[2] ? '(.+)' : '([^/]+)';
        })
        .join('');
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  /** The route for a method and raw (still encoded) path, with its decoded parameters. */
  match(
    method: string,
    rawPath: string,
  ): { route: Route; params: Record<string, string> } | undefined {
    for (const { route, pattern, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = pattern.exec(rawPath);
      if (!found) continue;
      const params: Record<string, string> = {};
      try {
        names.forEach((name, index) => {
          params[name] = decodeURIComponent(found[index + 1]);
        });
      } catch {
        continue; // malformed escapes match nothing, as on GitHub
      }
      return { route, params };
    }
    return undefined;
  }
}
