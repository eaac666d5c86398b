/** What every Azure DevOps route works on, and what several resource groups share. */
import type { CommitInfo, GitRepositories } from '../../git/GitRepositories';
import type { ServiceHooks } from '../hooks';
import type { OrganizationState, RepositoryState } from '../model';
import type { PushLog } from '../pushes';
import type { AzureOrganizations } from '../state';
import { commitJson } from '../views';

/** The organizations, the shared bare repositories, the push log and the service hooks. */
export interface AzureServices {
  state: AzureOrganizations;
  git: GitRepositories;
  pushes: PushLog;
  hooks: ServiceHooks;
  /** What the items API sends as ETag; see {@link ItemEtags}. */
  itemEtags: ItemEtags;
}

/**
 * How the items API answers ETags. The service's behaviour is not
 * documented: `content` (the default) follows what the answer holds and
 * answers 304 to a match; `none` sends no ETag; `constant` sends one that
 * never changes and answers 304 to it, the worst a client trusting it meets.
 */
export type ItemEtags = 'content' | 'none' | 'constant';

/** A path inside a repository as the service normalizes it: `/`-separated, leading `/`, no trailing `/`. */
export function itemPath(path: string) {
  const clean = path
    .replace(/\\/g, '/')
    .replace(/\/+/g, '/')
    .replace(/\/$/, '');
  return clean.startsWith('/') ? clean || '/' : `/${clean}`;
}

/** `GitCommitRef`s of these commits (unknown ones are left out). */
export async function commitsJson(
  services: AzureServices,
  organization: OrganizationState,
  repository: RepositoryState,
  shas: string[],
) {
  const path = services.state.pathOf(organization, repository);
  const commits = await Promise.all(
    shas.map(sha => services.git.commitInfo(path, sha)),
  );
  return commits
    .filter((c): c is CommitInfo => c !== undefined)
    .map(c => commitJson(services.state, organization, repository, c));
}
