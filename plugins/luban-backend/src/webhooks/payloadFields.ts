import type { EventParams } from '@backstage/plugin-events-node';

/** A JSON object of a webhook payload (not an array, not null): what its fields are read from. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A repository's web address from a payload's URL, e.g. `https://github.com/o/r`
 * from `https://github.com/o/r.git`: credentials, the `.git` suffix and
 * trailing slashes left out (Azure DevOps' remoteUrl may carry the
 * organization as a user name); undefined for anything but http(s).
 */
export function webUrlOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    parsed.username = '';
    parsed.password = '';
    return `${parsed.origin}${parsed.pathname.replace(/\.git$/, '').replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

/** A header of a delivery, as the events backend's HTTP ingress passes them (a repeated header: its first value). */
export function headerOf(metadata: EventParams['metadata'], name: string): string | undefined {
  const value = metadata?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A delivery's id: GitHub's `X-GitHub-Delivery` header, Azure DevOps' event id. */
export function deliveryIdOf(event: EventParams): string | undefined {
  return headerOf(event.metadata, 'x-github-delivery') ?? (event.eventPayload as { id?: unknown } | undefined)?.id?.toString();
}
