import { ConflictError } from '@backstage/errors';
import {
  ciNamespaceName,
  LUBAN_PROJECT_RECORD_ANNOTATIONS,
  type LubanProjectNames,
} from '@luban-backstage/plugin-luban-common';
import type { HarborClient, LubanProjectRecord } from '@luban-backstage/plugin-luban-node';

/**
 * Decides, reading only, whether luban may create or bring up to date the
 * Harbor project of a luban project: only one that does not exist yet, or
 * the one the project record (`luban.dev/harbor-project` on `ci-<project>`)
 * names. An existing Harbor project the record does not name — `library`, or
 * one someone created by hand — is never adopted: its robots' secrets would
 * be written into namespaces of whoever onboards the name. `mustRecord`: the
 * record does not name it yet, and must before it is created.
 */
export async function checkHarborProjectOwnership(
  harbor: HarborClient,
  record: LubanProjectRecord | undefined,
  names: Pick<LubanProjectNames, 'project' | 'harborProject'>,
): Promise<{ mustRecord: boolean }> {
  const { project, harborProject } = names;
  const recorded = record?.harborProject;
  const where = `${LUBAN_PROJECT_RECORD_ANNOTATIONS.harborProject} on namespace ${ciNamespaceName(project)}`;
  if (recorded !== undefined && recorded !== harborProject) {
    throw new ConflictError(
      `Project '${project}' records Harbor project '${recorded}' (${where}), not '${harborProject}'; luban does not re-point a project to another Harbor project`,
    );
  }
  if (recorded === undefined && (await harbor.getProject(harborProject))) {
    throw new ConflictError(
      `Harbor project '${harborProject}' already exists but is not luban project '${project}'s (no ${where}); luban does not adopt a Harbor project it did not create: choose another project name, or ask a Harbor administrator to remove it`,
    );
  }
  return { mustRecord: recorded === undefined };
}
