import type { CatalogApi } from '@backstage/plugin-catalog-react';
import {
  LUBAN_GITOPS_REPO_ANNOTATION,
  gitopsRepositoryName,
} from '@luban-backstage/plugin-luban-common';

/** How a form names its new repository (the field's `ui:options`). */
export interface RepoConvention {
  namedAfter?: string;
  besideGitOpsOf?: string;
  allowedHosts?: string[];
}

/** Where a repository sits: its host and, on GitHub, owner; on Azure DevOps, organization and project. */
interface RepoPlace {
  host: string;
  owner?: string;
  organization?: string;
  project?: string;
}

/**
 * The place of the GitOps repository a web URL names: GitHub's
 * `https://<host>/<owner>/<repo>` or Azure DevOps'
 * `https://<host>/<organization>/<project>/_git/<repo>`.
 */
export function placeOfRepository(webUrl: string): RepoPlace | undefined {
  let url: URL;
  try {
    url = new URL(webUrl);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments[2] === '_git') {
    const [organization, project] = segments;
    return { host: url.host, organization, project, owner: project };
  }
  return segments[0] ? { host: url.host, owner: segments[0] } : undefined;
}

function repositoryNameOf(
  convention: RepoConvention,
  form: Record<string, unknown>,
): string | undefined {
  const name =
    convention.namedAfter === 'project-gitops' ? form.project : form.app;
  if (typeof name !== 'string' || !name) return undefined;
  return convention.namedAfter === 'project-gitops'
    ? gitopsRepositoryName(name)
    : name;
}

/**
 * The RepoUrlPicker value the naming convention gives: the repository named
 * after the project (`<project>-gitops`) or the app, and, for an app, on the
 * host and in the organization of its project's GitOps repository. Undefined
 * when the form does not name it yet.
 */
export async function conventionalRepoUrl(
  convention: RepoConvention,
  form: Record<string, unknown>,
  catalogApi: Pick<CatalogApi, 'getEntityByRef'>,
): Promise<string | undefined> {
  const repo = repositoryNameOf(convention, form);
  if (!repo) return undefined;
  const hosts = convention.allowedHosts ?? [];
  let place: RepoPlace | undefined;
  const entityRef = convention.besideGitOpsOf
    ? form[convention.besideGitOpsOf]
    : undefined;
  if (typeof entityRef === 'string' && entityRef) {
    const entity = await catalogApi.getEntityByRef(entityRef);
    const gitops = entity?.metadata.annotations?.[LUBAN_GITOPS_REPO_ANNOTATION];
    place = gitops ? placeOfRepository(gitops) : undefined;
  }
  // Only where the picker may go: a host it does not offer would leave it empty.
  if (!place || (hosts.length > 0 && !hosts.includes(place.host))) {
    place = hosts[0] ? { host: hosts[0] } : undefined;
  }
  if (!place) return undefined;
  const params = new URLSearchParams();
  for (const key of ['owner', 'organization', 'project'] as const) {
    const value = place[key];
    if (value) params.set(key, value);
  }
  params.set('repo', repo);
  return `${place.host}?${params.toString()}`;
}
