import { badRequest, unprocessable } from './errors';

/**
 * Harbor's list conventions (goharbor/harbor `src/lib/q`, `handler/base.go`):
 * the `q` filter, `sort`, `page`/`page_size` and the `Link` header.
 */

/** One term of the `q` parameter. */
export type QueryTerm =
  | { key: string; kind: 'exact'; value: string }
  | { key: string; kind: 'fuzzy'; value: string }
  | { key: string; kind: 'range'; min?: string; max?: string }
  | { key: string; kind: 'anyOf' | 'allOf'; values: string[] };

/** Splits `k1=v1,k2=~v2,k3=[a~b],k4={a b}` at the commas outside brackets. */
function splitTerms(q: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of q) {
    if (char === '[' || char === '{' || char === '(') depth += 1;
    if (char === ']' || char === '}' || char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  terms.push(current);
  return terms.map(term => term.trim()).filter(Boolean);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^(["']).*\1$/.test(trimmed) && trimmed.length >= 2;
  return quoted ? trimmed.slice(1, -1) : trimmed;
}

/** Parses the `q` parameter; a malformed term is a 400, as in Harbor. */
export function parseQuery(q: string | null): QueryTerm[] {
  if (!q) return [];
  return splitTerms(q).map(term => {
    const equals = term.indexOf('=');
    if (equals <= 0) {
      throw badRequest(
        `the query string must contain "=" for exact match, "=~" for fuzzy match, "=[min~max]" for range match, "={v1 v2}" or "=(v1 v2)" for list match: ${term}`,
      );
    }
    const key = term.slice(0, equals).trim();
    const raw = term.slice(equals + 1).trim();
    if (raw.startsWith('~'))
      return { key, kind: 'fuzzy', value: unquote(raw.slice(1)) };
    if (raw.startsWith('[') && raw.endsWith(']')) {
      const [min, max] = raw.slice(1, -1).split('~').map(unquote);
      return {
        key,
        kind: 'range',
        min: min || undefined,
        max: max || undefined,
      };
    }
    if (
      (raw.startsWith('{') && raw.endsWith('}')) ||
      (raw.startsWith('(') && raw.endsWith(')'))
    ) {
      const values = raw.slice(1, -1).split(/\s+/).filter(Boolean).map(unquote);
      return { key, kind: raw.startsWith('{') ? 'anyOf' : 'allOf', values };
    }
    return { key, kind: 'exact', value: unquote(raw) };
  });
}

function inRange(value: string, min?: string, max?: string): boolean {
  const numeric = (text: string) =>
    /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
  const actual = numeric(value);
  return (
    (min === undefined || actual >= numeric(min)) &&
    (max === undefined || actual <= numeric(max))
  );
}

/** Whether one value of a record satisfies a term (case-sensitive, like SQL on Harbor's columns). */
export function matchesTerm(
  term: QueryTerm,
  value: string | number | boolean | undefined,
): boolean {
  if (value === undefined) return false;
  const text = String(value);
  switch (term.kind) {
    case 'exact':
      return text === term.value;
    case 'fuzzy':
      return text.includes(term.value);
    case 'range':
      return inRange(text, term.min, term.max);
    default:
      return term.values.includes(text);
  }
}

/** A page request after go-swagger's validation. */
export interface Paging {
  page: number;
  /** 0 means "no limit" (Harbor's ORM skips the LIMIT). */
  pageSize: number;
}

function intParam(
  params: URLSearchParams,
  name: string,
  fallback: number,
): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) {
    throw unprocessable(`${name} in query must be of type int64: "${raw}"`);
  }
  return Number(raw);
}

/** Reads `page` (default 1) and `page_size` (default 10, at most 100). */
export function parsePaging(params: URLSearchParams): Paging {
  const page = intParam(params, 'page', 1);
  const pageSize = intParam(params, 'page_size', 10);
  if (pageSize > 100) {
    throw unprocessable(
      'page_size in query should be less than or equal to 100',
    );
  }
  return { page: page < 1 ? 1 : page, pageSize: pageSize < 0 ? 0 : pageSize };
}

/** The items of one page. */
export function pageOf<T>(items: T[], paging: Paging): T[] {
  if (paging.pageSize === 0) return items;
  const start = (paging.page - 1) * paging.pageSize;
  return items.slice(start, start + paging.pageSize);
}

/** A sort key: a field name, descending when `sort` prefixed it with `-`. */
export interface SortKey {
  key: string;
  descending: boolean;
}

/** Parses `sort=field1,-field2`. */
export function parseSort(sort: string | null): SortKey[] {
  if (!sort) return [];
  return sort
    .split(',')
    .map(part => part.trim())
    .filter(Boolean)
    .map(part => ({
      key: part.replace(/^-/, ''),
      descending: part.startsWith('-'),
    }));
}

type SortValue = string | number | undefined;

/**
 * Orders records by the requested keys (unknown keys are ignored, as by
 * Harbor's ORM), then by the model's default order.
 */
export function sortRecords<T>(
  records: T[],
  requested: SortKey[],
  fields: Record<string, (record: T) => SortValue>,
  defaults: SortKey[],
): T[] {
  const keys = [...requested.filter(k => fields[k.key]), ...defaults];
  const compare = (a: T, b: T) => {
    for (const { key, descending } of keys) {
      const left = fields[key](a) ?? '';
      const right = fields[key](b) ?? '';
      if (left !== right) {
        const order = left < right ? -1 : 1;
        return descending ? -order : order;
      }
    }
    return 0;
  };
  return [...records].sort(compare);
}

/**
 * The `Link` header of a page (`BaseAPI.Links`): the request path as sent,
 * the query with `page`/`page_size` set, keys sorted and unescaped as Go's
 * `url.Values.Encode` + `QueryUnescape` leave them; links joined by " , ".
 * Undefined when there is neither a previous nor a next page.
 */
export function linkHeader(
  rawPath: string,
  params: URLSearchParams,
  total: number,
  paging: Paging,
): string | undefined {
  const { page, pageSize } = paging;
  if (pageSize === 0) return undefined;
  const urlFor = (target: number) => {
    const query = new Map<string, string[]>();
    for (const [key, value] of params)
      query.set(key, [...(query.get(key) ?? []), value]);
    query.set('page', [String(target)]);
    query.set('page_size', [String(pageSize)]);
    const encoded = [...query.keys()]
      .sort()
      .flatMap(key => query.get(key)!.map(value => `${key}=${value}`))
      .join('&');
    return `${rawPath}?${encoded}`;
  };
  const links: string[] = [];
  if (page > 1 && (page - 1) * pageSize < total)
    links.push(`<${urlFor(page - 1)}>; rel="prev"`);
  if (pageSize * page < total) links.push(`<${urlFor(page + 1)}>; rel="next"`);
  return links.length > 0 ? links.join(' , ') : undefined;
}
