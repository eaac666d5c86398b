/**
 * Seeding of the emulated Harbor for the other emulated systems (kpack
 * pushes, Argo CD's image checks) and for tests: what a registry push or an
 * administrator would do, without going through the HTTP API.
 */
import { badRequest } from './errors';
import {
  NAME_PATTERN,
  type PushArtifactInput,
  type VulnerabilityCounts,
} from './model';
import type { HarborState } from './state';

/** What `pushArtifact` reports back about the stored artifact. */
export interface PushedArtifact {
  id: number;
  digest: string;
  projectId: number;
  repositoryId: number;
  /** Full name, `<project>/<repository>`. */
  repositoryName: string;
  /** Every tag the artifact carries after the push. */
  tags: string[];
  pushTime: Date;
}

/**
 * Records an image push as the registry would: creates the repository on
 * its first push, moves each tag onto this digest, and optionally records
 * a finished Trivy scan and a generated SBOM. Throws when the project does
 * not exist.
 */
export function pushArtifact(
  state: HarborState,
  input: PushArtifactInput,
): PushedArtifact {
  const artifact = state.pushArtifact(input);
  return {
    id: artifact.id,
    digest: artifact.digest,
    projectId: artifact.projectId,
    repositoryId: artifact.repositoryId,
    repositoryName: `${input.project}/${input.repository}`,
    tags: artifact.tags.map(t => t.name),
    pushTime: artifact.pushTime,
  };
}

/** Whether a repository holds an artifact of that digest or tag. */
export function hasArtifact(
  state: HarborState,
  project: string,
  repository: string,
  digestOrTag: string,
): boolean {
  try {
    state.requireArtifact(`${project}/${repository}`, digestOrTag);
    return true;
  } catch {
    return false;
  }
}

/** Replaces an artifact's scan report with a finished scan of these counts. */
export function setScanResult(
  state: HarborState,
  project: string,
  repository: string,
  digest: string,
  vulnerabilities: VulnerabilityCounts,
) {
  const artifact = state.requireArtifact(`${project}/${repository}`, digest);
  state.recordScan(artifact, vulnerabilities);
}

/** Creates a project directly (metadata values are strings, as in Harbor). */
export function createProject(
  state: HarborState,
  name: string,
  metadata: Record<string, string> = {},
): number {
  if (!NAME_PATTERN.test(name) || name.length > 255) {
    throw badRequest(
      'project name is not in lower case or contains illegal characters',
    );
  }
  return state.createProject({
    name,
    metadata: { public: 'false', ...metadata },
    storageLimit: -1,
  }).id;
}
