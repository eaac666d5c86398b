/** The page a list request asks for: `per_page` (default 30, at most 100) and `page` (from 1). */
export function pageOf(query: URLSearchParams): {
  perPage: number;
  page: number;
} {
  const perPage = Number.parseInt(query.get('per_page') ?? '', 10);
  const page = Number.parseInt(query.get('page') ?? '', 10);
  return {
    perPage:
      Number.isFinite(perPage) && perPage > 0 ? Math.min(perPage, 100) : 30,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

/**
 * GitHub's `Link` header for page `page` of `total` items: prev, next, last,
 * first, each the request URL with `page` replaced. Undefined for a single page.
 */
export function linkHeader(
  requestUrl: string,
  page: number,
  perPage: number,
  total: number,
): string | undefined {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  if (lastPage === 1 && page === 1) return undefined;
  const to = (target: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(target));
    return `<${url.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${to(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) {
    links.push(`${to(page + 1)}; rel="next"`);
    links.push(`${to(lastPage)}; rel="last"`);
  }
  if (page > 1) links.push(`${to(1)}; rel="first"`);
  return links.join(', ');
}

/** One page of a list and the headers that describe it. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  requestUrl: string,
): { items: T[]; headers: Record<string, string> } {
  const { perPage, page } = pageOf(query);
  const link = linkHeader(requestUrl, page, perPage, items.length);
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: link ? { Link: link } : {},
  };
}
