/**
 * Resource locations and REST API versions. Clients such as
 * azure-devops-node-api do not hard-code URLs: they ask `OPTIONS
 * <collection>/_apis/<area>` for `ApiResourceLocation`s and build each URL
 * from the route template of the location id they want, negotiating the
 * api-version against `minVersion`/`maxVersion`/`releasedVersion`.
 */
import type { IncomingMessage } from 'node:http';
import {
  invalidApiVersion,
  previewFlagRequired,
  versionNotSpecified,
  versionOutOfRange,
} from './errors';

/** An `ApiResourceLocation` as `OPTIONS _apis` returns it. */
export interface ApiResourceLocation {
  id: string;
  area: string;
  resourceName: string;
  routeTemplate: string;
  resourceVersion: number;
  minVersion: string;
  maxVersion: string;
  releasedVersion: string;
}

/** The highest api-version Azure DevOps Services accepts today. */
export const SERVER_MAX_VERSION = '7.2';

function location(
  id: string,
  area: string,
  resourceName: string,
  routeTemplate: string,
  resourceVersion: number,
  versions: { min?: string; released?: string } = {},
): ApiResourceLocation {
  return {
    id,
    area,
    resourceName,
    routeTemplate,
    resourceVersion,
    minVersion: versions.min ?? '1.0',
    maxVersion: SERVER_MAX_VERSION,
    releasedVersion: versions.released ?? '7.1',
  };
}

/** The locations the emulator serves, by what they are. */
export const LOCATIONS = {
  resourceAreas: location(
    'e81700f7-3be2-46de-8624-2eb35882fcaa',
    'Location',
    'ResourceAreas',
    '_apis/{resource}/{areaId}',
    1,
    {
      min: '3.2',
      released: '0.0',
    },
  ),
  connectionData: location(
    '00d9565f-ed9c-4a06-9a50-00e7896ccab4',
    'Location',
    'ConnectionData',
    '_apis/{resource}',
    1,
    {
      released: '0.0',
    },
  ),
  projects: location(
    '603fe2ac-9723-48b9-88ad-09305aa6c6e1',
    'core',
    'projects',
    '_apis/{resource}/{*projectId}',
    4,
  ),
  operations: location(
    '9a1b74b4-2ca8-4a9f-8470-c2f2e6fdc949',
    'operations',
    'operations',
    '_apis/{resource}/{operationId}',
    1,
    {
      min: '2.0',
    },
  ),
  subscriptions: location(
    'fc50d02a-849f-41fb-8af1-0a5216103269',
    'hooks',
    'subscriptions',
    '_apis/{area}/{resource}/{subscriptionId}',
    1,
  ),
  repositories: location(
    '225f7195-f9c7-4d14-ab28-a83f7ff77e1f',
    'git',
    'repositories',
    '{project}/_apis/{area}/{resource}/{repositoryId}',
    2,
  ),
  refs: location(
    '2d874a60-a811-4f62-9c9f-963a6ea0a55b',
    'git',
    'refs',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}',
    2,
  ),
  items: location(
    'fb93c0db-47ed-4a31-8c20-47552878fb44',
    'git',
    'items',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*path}',
    1,
  ),
  pushes: location(
    'ea98d07b-3c87-4971-8ede-a613694ffb55',
    'git',
    'pushes',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pushId}',
    3,
  ),
  commits: location(
    'c2570c3b-5b3f-41b8-98bf-5407bfde8d58',
    'git',
    'commits',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{commitId}',
    2,
  ),
  pullRequests: location(
    '9946fd70-0d40-406e-b686-b4744cbbcc37',
    'git',
    'pullRequests',
    '{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}',
    2,
  ),
  pullRequestById: location(
    '01a46dea-7d46-4d40-bc84-319e7c260d99',
    'git',
    'pullRequests',
    '{project}/_apis/{area}/{resource}/{pullRequestId}',
    2,
  ),
  pullRequestsByProject: location(
    'a5d28130-9cd2-40fa-9f08-902e7daa9efb',
    'git',
    'pullRequests',
    '{project}/_apis/{area}/{resource}',
    2,
  ),
  pullRequestThreads: location(
    'ab6e2e5d-a0b7-4153-b64a-a4efe0d49449',
    'git',
    'pullRequestThreads',
    '{project}/_apis/{area}/repositories/{repositoryId}/pullRequests/{pullRequestId}/threads/{threadId}',
    1,
  ),
  pullRequestThreadComments: location(
    '965a3ec7-5ed8-455a-bdcb-835a5ea7fe7b',
    'git',
    'pullRequestThreadComments',
    '{project}/_apis/{area}/repositories/{repositoryId}/pullRequests/{pullRequestId}/threads/{threadId}/comments/{commentId}',
    1,
  ),
  policyConfigurations: location(
    'dad91cbe-d183-45f8-9c6e-9c1164472121',
    'policy',
    'configurations',
    '{project}/_apis/{area}/{resource}/{configurationId}',
    1,
  ),
} satisfies Record<string, ApiResourceLocation>;

/** The locations of one area (case-insensitive, as routing is), or all of them. */
export function locationsOf(area?: string): ApiResourceLocation[] {
  const all = Object.values(LOCATIONS);
  return area
    ? all.filter(l => l.area.toLowerCase() === area.toLowerCase())
    : all;
}

/** The resource areas `GET _apis/ResourceAreas` lists; all are served by the collection itself. */
export const RESOURCE_AREAS = [
  { id: '4e080c62-fa21-4fbc-8fef-2a10a2b38049', name: 'git' },
  { id: '79134c72-4a58-4b42-976c-04e7115f32bf', name: 'core' },
  { id: 'fb13a388-40dd-4a04-b530-013a739c72ef', name: 'policy' },
];

interface ParsedVersion {
  major: number;
  minor: number;
  preview: boolean;
  resourceVersion?: number;
}

function parseVersion(text: string): ParsedVersion | undefined {
  const match = /^(\d+)\.(\d+)(-preview(\.(\d+))?)?$/.exec(text.trim());
  if (!match) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    preview: match[3] !== undefined,
    resourceVersion: match[5] === undefined ? undefined : Number(match[5]),
  };
}

function compare(a: ParsedVersion, b: ParsedVersion) {
  return a.major - b.major || a.minor - b.minor;
}

/** The api-version a request asks for: the query parameter, else the Accept header's parameter. */
export function requestedVersion(
  req: IncomingMessage,
  url: URL,
): string | undefined {
  const fromQuery = url.searchParams.get('api-version');
  if (fromQuery) return fromQuery;
  const accept = String(req.headers.accept ?? '');
  const match = /api-version\s*=\s*([^;,\s]+)/i.exec(accept);
  return match?.[1];
}

/**
 * Validates the api-version of a request against a location and returns the
 * version the response is served at. A GET without a version is served at
 * the latest released version, as the service does; other methods must say.
 */
export function negotiateVersion(
  req: IncomingMessage,
  url: URL,
  target: ApiResourceLocation,
): string {
  const requested = requestedVersion(req, url);
  const released = parseVersion(target.releasedVersion)!;
  if (!requested) {
    if ((req.method ?? 'GET') !== 'GET')
      throw versionNotSpecified(req.method ?? 'GET');
    return released.major > 0
      ? target.releasedVersion
      : `${target.maxVersion}-preview.${target.resourceVersion}`;
  }
  const version = parseVersion(requested);
  if (!version) throw invalidApiVersion(requested);
  const numeric = `${version.major}.${version.minor}`;
  if (
    compare(version, parseVersion(target.maxVersion)!) > 0 ||
    compare(version, parseVersion(target.minVersion)!) < 0
  ) {
    throw versionOutOfRange(numeric, target.maxVersion);
  }
  if (!version.preview && compare(version, released) > 0)
    throw previewFlagRequired(numeric);
  if (
    version.resourceVersion !== undefined &&
    version.resourceVersion > target.resourceVersion
  ) {
    throw versionOutOfRange(
      requested,
      `${target.maxVersion}-preview.${target.resourceVersion}`,
    );
  }
  return requested;
}
