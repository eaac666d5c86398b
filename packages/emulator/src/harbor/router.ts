import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './access';

/** One request being answered. */
export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: Principal;
  /** Path parameters, decoded as Harbor decodes them. */
  params: Record<string, string>;
}

/** What answers one method of a route. */
export type Handler = (call: Call) => Promise<void> | void;

/** One path template of the API (under `/api/v2.0`) and its methods. */
export interface Route {
  segments: string[];
  methods: Partial<Record<string, Handler>>;
}

/** Declares a route from its swagger path template, e.g. `/projects/{project_name}`. */
export function route(path: string, methods: Route['methods']): Route {
  return { segments: path.split('/').filter(Boolean), methods };
}

/**
 * The first route whose template fits the path segments, with its decoded
 * parameters. Routes are tried in order, so literal segments are listed
 * before parameters to win, as in go-openapi's router.
 */
export function matchRoute(
  routes: Route[],
  segments: string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const candidate of routes) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = candidate.segments.every((pattern, index) => {
      if (!pattern.startsWith('{')) return pattern === segments[index];
      try {
        params[pattern.slice(1, -1)] = decodeURIComponent(segments[index]);
      } catch {
        params[pattern.slice(1, -1)] = segments[index];
      }
      return true;
    });
    if (matches) return { route: candidate, params };
  }
  return undefined;
}
