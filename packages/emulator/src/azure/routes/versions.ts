/** Version descriptors (`versionType` + `version`) and what they resolve to. */
import {
  describeVersion,
  invalidArgument,
  unresolvableVersion,
} from '../errors';
import { enumValue, param, type RequestContext } from '../context';
import type { RepositoryState } from '../model';
import type { AzureServices } from './common';

/** The version types, by name and by the client's enum numbers. */
export const VERSION_TYPES = { branch: 0, tag: 1, commit: 2 };
type VersionType = keyof typeof VERSION_TYPES;

/** A version descriptor resolved to a commit. */
export interface ResolvedVersion {
  type: VersionType;
  version: string;
  commit: string;
  /** `<Branch: main >`, as messages print it. */
  described: string;
}

/**
 * Resolves `<prefix>.version`/`<prefix>.versionType` (names or the
 * client's enum numbers) to a commit; undefined when none was given and
 * the repository has no default branch.
 */
export async function resolveVersion(
  services: AzureServices,
  ctx: RequestContext,
  repository: RepositoryState,
  prefix: string,
): Promise<ResolvedVersion | undefined> {
  const path = services.state.pathOf(ctx.organization, repository);
  const typeParam = param(ctx, `${prefix}.versionType`, 'versionType');
  const type = enumValue(typeParam, VERSION_TYPES);
  if (typeParam && !type)
    throw invalidArgument(
      `The value '${typeParam}' is not a valid version type.`,
      'versionType',
    );
  let version = param(ctx, `${prefix}.version`, 'version');
  const versionType = type ?? 'branch';
  if (!version) {
    if (versionType !== 'branch' || !repository.defaultBranch) return undefined;
    version = repository.defaultBranch.slice('refs/heads/'.length);
  }
  const described = describeVersion(versionType, version);
  let commit: string | undefined;
  if (versionType === 'commit') {
    commit = /^[0-9a-f]{4,40}$/i.test(version)
      ? (await services.git.commitInfo(path, version))?.sha
      : undefined;
  } else {
    const name = version.replace(
      versionType === 'branch' ? /^refs\/heads\// : /^refs\/tags\//,
      '',
    );
    commit = await services.git.resolve(
      path,
      `refs/${versionType === 'branch' ? 'heads' : 'tags'}/${name}`,
    );
  }
  if (!commit) throw unresolvableVersion(described, repository.name);
  return { type: versionType, version, commit, described };
}
