/** The helpers every Harbor resource group shares: query and header binding, empty and paged answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http';
import { unprocessable } from '../errors';
import type { ProjectRecord } from '../model';
import {
  linkHeader,
  matchesTerm,
  pageOf,
  type Paging,
  type QueryTerm,
  type SortKey,
} from '../query';
import type { Call } from '../router';

const TRUE_WORDS = [
  'true',
  '1',
  'yes',
  'ok',
  'y',
  'on',
  'selected',
  'checked',
  't',
  'enabled',
];
const FALSE_WORDS = ['false', '0', 'no', 'n', 'off', 'f', 'disabled'];

/** A boolean query parameter as go-swagger converts it (`swag.ConvertBool`); 422 when it is none. */
export function boolParam(
  params: URLSearchParams,
  name: string,
  fallback: boolean,
): boolean {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (TRUE_WORDS.includes(raw.toLowerCase())) return true;
  if (FALSE_WORDS.includes(raw.toLowerCase())) return false;
  throw unprocessable(`${name} in query must be of type bool: "${raw}"`);
}

/** A header that go-swagger binds as a boolean. */
export function headerFlag(req: IncomingMessage, name: string): boolean {
  const value = req.headers[name];
  return typeof value === 'string' && TRUE_WORDS.includes(value.toLowerCase());
}

/** Writes an answer without a body. */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/** Writes the requested page of a sorted list, each record rendered by `render`, with Harbor's `X-Total-Count` and `Link` headers. */
export function sendPage<T>(
  call: Call,
  sorted: T[],
  paging: Paging,
  render: (record: T) => unknown,
) {
  const items = pageOf(sorted, paging).map(render);
  const total = sorted.length;
  const headers: Record<string, string> = { 'X-Total-Count': String(total) };
  const link = linkHeader(
    call.url.pathname,
    call.url.searchParams,
    total,
    paging,
  );
  if (link) headers.Link = link;
  sendJson(call.res, 200, items, headers);
}

/** The default order of most lists: newest first by `timeKey`, then by id. */
export function newestFirst(timeKey: string): SortKey[] {
  return [
    { key: timeKey, descending: true },
    { key: 'id', descending: true },
  ];
}

/** Keeps the records that satisfy every term whose key the model knows (Harbor ignores the others). */
export function filterByTerms<T>(
  records: T[],
  terms: QueryTerm[],
  fields: Record<string, (record: T) => string | number | boolean | undefined>,
): T[] {
  return records.filter(record =>
    terms.every(term => {
      const field = fields[term.key];
      if (!field) return true;
      if (term.kind === 'allOf')
        return term.values.every(value => String(field(record)) === value);
      return matchesTerm(term, field(record));
    }),
  );
}

/** `<project>/<repository>`; the path parameter was decoded twice, by nginx and by the API server. */
export function fullRepositoryName(call: Call, project: ProjectRecord): string {
  return `${project.name}/${call.params.repository_name}`;
}
