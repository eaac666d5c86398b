import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';

/**
 * A repository on a configured git host, with the URLs each consumer needs.
 * @public
 */
export interface RepoLocation {
  provider: 'github' | 'azure';
  host: string;
  /** GitHub owner (organization or user). */
  owner?: string;
  /** Azure DevOps organization and project. */
  organization?: string;
  project?: string;
  repo: string;
  /** The URL git, kpack and Argo CD clone. */
  cloneUrl: string;
  /** The repository's web page. */
  webUrl: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]{1,100}$/;

function requireSegment(field: string, value: string | null | undefined, input: string): string {
  if (!value || !SEGMENT.test(value) || value === '.' || value === '..') {
    throw new InputError(`Repository '${input}': the ${field} '${value ?? ''}' is missing or not a valid name (letters, digits, '-', '_', '.')`);
  }
  return value;
}

/**
 * Parses a repository given as a URL (`https://host/owner/repo`,
 * `https://host/org/project/_git/repo`) or in the scaffolder's RepoUrlPicker
 * form (`host?owner=o&repo=r`, `host?organization=o&project=p&repo=r`).
 * Only hosts configured under `integrations.github` or `integrations.azure`
 * are accepted, so luban never talks to an arbitrary host.
 * @public
 */
export function parseRepoLocation(input: string, integrations: ScmIntegrationRegistry): RepoLocation {
  const trimmed = input.trim();
  let host: string;
  let segments: string[] = [];
  let params = new URLSearchParams();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new InputError(`Repository '${input}' is not a valid URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new InputError(`Repository '${input}': only http(s) URLs are supported`);
    }
    host = url.host;
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } else {
    const [hostPart, query = ''] = trimmed.split('?');
    host = hostPart;
    params = new URLSearchParams(query);
  }
  const integration = integrations.byHost(host);
  const github = integrations.github.byHost(host);
  if (!integration) {
    throw new InputError(
      `Repository '${input}': host '${host}' is not configured under integrations.github or integrations.azure`,
    );
  }
  if (integration.type === 'github') {
    const owner = requireSegment('owner', segments[0] ?? params.get('owner'), input);
    const repo = requireSegment('repository', (segments[1] ?? params.get('repo'))?.replace(/\.git$/, ''), input);
    if (segments.length > 2) throw new InputError(`Repository '${input}' is not a GitHub repository URL (https://host/owner/repo)`);
    const apiBaseUrl = github?.config.apiBaseUrl;
    // A host reached over plain HTTP (an emulator, a lab) serves its web and git URLs the same way.
    const scheme = apiBaseUrl?.startsWith('http://') ? 'http' : 'https';
    const webUrl = `${scheme}://${host}/${owner}/${repo}`;
    return { provider: 'github', host, owner, repo, cloneUrl: `${webUrl}.git`, webUrl };
  }
  if (integration.type === 'azure') {
    let organization: string;
    let project: string;
    let repo: string;
    if (segments.length) {
      if (segments.length !== 4 || segments[2] !== '_git') {
        throw new InputError(`Repository '${input}' is not an Azure DevOps repository URL (https://host/organization/project/_git/repo)`);
      }
      [organization, project, , repo] = segments;
    } else {
      organization = params.get('organization') ?? '';
      project = params.get('project') ?? params.get('owner') ?? '';
      repo = params.get('repo') ?? '';
    }
    organization = requireSegment('organization', organization, input);
    project = requireSegment('project', project, input);
    repo = requireSegment('repository', repo, input);
    const webUrl = `https://${host}/${organization}/${project}/_git/${repo}`;
    return { provider: 'azure', host, organization, project, repo, cloneUrl: webUrl, webUrl };
  }
  throw new InputError(`Repository '${input}': ${integration.type} hosts are not supported; use GitHub or Azure DevOps`);
}

/**
 * A sibling repository on the same host and owner (GitHub) or project (Azure DevOps).
 * @public
 */
export function siblingRepository(location: RepoLocation, repo: string): RepoLocation {
  const webUrl = location.webUrl.replace(/[^/]+$/, repo);
  return {
    ...location,
    repo,
    webUrl,
    cloneUrl: location.provider === 'github' ? `${webUrl}.git` : webUrl,
  };
}
