/**
 * One REST request as the Azure DevOps routes see it, and how they answer:
 * JSON whose Content-Type names the api-version it was served at
 * (`application/json; charset=utf-8; api-version=7.1`), as the service does.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBody } from '../http';
import { invalidJsonBody, requestTooLarge } from './errors';
import { negotiateVersion, type ApiResourceLocation } from './locations';
import type { OrganizationState } from './model';

/** A REST request of one organization. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  organization: OrganizationState;
  /** The api-version the response is served at; set by {@link negotiate}. */
  apiVersion?: string;
}

/** Checks the request's api-version against a resource location (400 when it does not fit). */
export function negotiate(ctx: RequestContext, target: ApiResourceLocation) {
  ctx.apiVersion = negotiateVersion(ctx.req, ctx.url, target);
}

/** Headers every response of the service carries. */
export function serviceHeaders(): Record<string, string> {
  const activity = randomUUID();
  return {
    ActivityId: activity,
    'X-TFS-ProcessId': activity,
    'X-VSS-E2EID': activity,
  };
}

/** Writes a JSON response. */
export function sendJson(
  ctx: RequestContext,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, {
    ...serviceHeaders(),
    'Content-Type': `application/json; charset=utf-8${
      ctx.apiVersion ? `; api-version=${ctx.apiVersion}` : ''
    }`,
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  ctx.res.end(text);
}

/** Writes a `{count, value}` collection. */
export function sendList(
  ctx: RequestContext,
  value: unknown[],
  headers: Record<string, string> = {},
) {
  sendJson(ctx, 200, { count: value.length, value }, headers);
}

/** Writes a response without a body (204, 304). */
export function sendEmpty(
  ctx: RequestContext,
  status: number,
  headers: Record<string, string> = {},
) {
  ctx.res.writeHead(status, { ...serviceHeaders(), ...headers });
  ctx.res.end();
}

/** Reads the JSON request body (400 when it is not JSON, 413 when too large). */
export async function readJson(ctx: RequestContext): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await readBody(ctx.req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw requestTooLarge();
    throw error;
  }
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw invalidJsonBody();
  }
}

/** A query parameter, matched case-insensitively as ASP.NET binds them. */
export function param(
  ctx: RequestContext,
  ...names: string[]
): string | undefined {
  for (const name of names) {
    for (const [key, value] of ctx.url.searchParams) {
      if (key.toLowerCase() === name.toLowerCase()) return value;
    }
  }
  return undefined;
}

/** A boolean query parameter (`true`/`false`, any case). */
export function flag(ctx: RequestContext, name: string): boolean {
  return (param(ctx, name) ?? '').toLowerCase() === 'true';
}

/** A non-negative integer query parameter, or the fallback. */
export function integer(
  ctx: RequestContext,
  names: string[],
  fallback: number,
): number {
  const value = Number(param(ctx, ...names));
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/**
 * An enum given by name (any case) or by number, as the service binds
 * them: azure-devops-node-api sends the numbers.
 */
export function enumValue<T extends string>(
  value: unknown,
  names: Record<T, number>,
): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const entries = Object.entries(names) as Array<[T, number]>;
  if (typeof value === 'number' || /^\d+$/.test(String(value))) {
    return entries.find(([, number]) => number === Number(value))?.[0];
  }
  return entries.find(
    ([name]) => name.toLowerCase() === String(value).toLowerCase(),
  )?.[0];
}
