import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  LUBAN_PROJECT_RECORD_ANNOTATIONS,
  ciNamespaceName,
} from '@luban-backstage/plugin-luban-common';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesGateway } from '../kubernetes/KubernetesGateway';

/**
 * A luban project as luban itself recorded it at onboarding: the authority on
 * who owns the project and which platform objects are its own. It lives in
 * the annotations of the project's `ci-<project>` Namespace on the default
 * cluster, which only luban's service account can change.
 * @public
 */
export interface LubanProjectRecord {
  project: string;
  /** The owning catalog group, as a full entity ref (`group:default/payments-team`). */
  owner: string;
  /** The project's GitOps repository URL, once onboarding created it. */
  gitopsRepository?: string;
  /** The project's Harbor project, once onboarding created it. */
  harborProject?: string;
}

/**
 * What luban found for a project: nothing yet, a `ci-` namespace that carries
 * no record (made by someone else, or before records existed), or a record.
 * @public
 */
export type LubanProjectLookup =
  | { state: 'absent' }
  | { state: 'unrecorded' }
  | { state: 'recorded'; record: LubanProjectRecord };

/**
 * Who is acting, as the permission framework and the catalog know them.
 * @public
 */
export interface LubanActor {
  /** `user:default/jane`, for messages and audit. */
  userEntityRef?: string;
  /** The user and the groups they belong to (Backstage's `ownershipEntityRefs`). */
  ownershipEntityRefs: string[];
  /** Whether the permission policy grants `luban.project.admin`. */
  isProjectAdmin: boolean;
}

const ENTITY_REF = /^(?:([a-z0-9_.-]+):)?(?:([a-z0-9_.-]+)\/)?([a-z0-9_.-]+)$/i;

/**
 * A group reference in its one comparable form, `group:<namespace>/<name>` in
 * lower case (the catalog compares references without case).
 * @public
 */
export function normalizeGroupRef(ref: string): string {
  const match = ENTITY_REF.exec(ref.trim());
  if (!match || (match[1] && match[1].toLowerCase() !== 'group')) {
    throw new InputError(`'${ref}' is not a group reference (group:<namespace>/<name>)`);
  }
  return `group:${match[2] ?? 'default'}/${match[3]}`.toLowerCase();
}

/**
 * Reads a project's record from its `ci-<project>` Namespace.
 * @public
 */
export async function readProjectRecord(gateway: KubernetesGateway, project: string): Promise<LubanProjectLookup> {
  const namespace = await gateway.get<KubernetesObject>({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ciNamespaceName(project) },
  });
  if (!namespace) return { state: 'absent' };
  const annotations = namespace.metadata?.annotations ?? {};
  const owner = annotations[LUBAN_PROJECT_RECORD_ANNOTATIONS.owner];
  if (!owner) return { state: 'unrecorded' };
  return {
    state: 'recorded',
    record: {
      project,
      owner: normalizeGroupRef(owner),
      gitopsRepository: annotations[LUBAN_PROJECT_RECORD_ANNOTATIONS.gitopsRepository] || undefined,
      harborProject: annotations[LUBAN_PROJECT_RECORD_ANNOTATIONS.harborProject] || undefined,
    },
  };
}

/**
 * The annotations that write (part of) a record onto the `ci-<project>` Namespace.
 * @public
 */
export function projectRecordAnnotations(record: Partial<Omit<LubanProjectRecord, 'project'>>): Record<string, string> {
  const a = LUBAN_PROJECT_RECORD_ANNOTATIONS;
  return {
    ...(record.owner ? { [a.owner]: normalizeGroupRef(record.owner) } : {}),
    ...(record.gitopsRepository ? { [a.gitopsRepository]: record.gitopsRepository } : {}),
    ...(record.harborProject ? { [a.harborProject]: record.harborProject } : {}),
  };
}

function ownsProject(actor: LubanActor, owner: string): boolean {
  return actor.ownershipEntityRefs.some(ref => ref.toLowerCase() === owner);
}

function who(actor: LubanActor): string {
  return actor.userEntityRef ?? 'this caller';
}

/**
 * Decides whether an actor may create or change a project, before any request
 * is made: onboarding a new project only for a group the actor belongs to;
 * changing an existing project only as a member of its owner group; changing
 * the owner, or adopting a `ci-` namespace luban did not record, only as a
 * platform admin (`luban.project.admin`).
 * @public
 */
export function assertMayChangeProject(
  actor: LubanActor,
  project: string,
  lookup: LubanProjectLookup,
  request: { owner?: string } = {},
): void {
  const requestedOwner = request.owner ? normalizeGroupRef(request.owner) : undefined;
  if (actor.isProjectAdmin) return;
  if (lookup.state === 'absent') {
    if (!requestedOwner) {
      throw new NotFoundError(`Project '${project}' does not exist: onboard it first (template "Onboard a luban project")`);
    }
    if (!ownsProject(actor, requestedOwner)) {
      throw new NotAllowedError(
        `${who(actor)} may not create project '${project}' for ${requestedOwner}: you can only onboard a project for a group you are a member of`,
      );
    }
    return;
  }
  if (lookup.state === 'unrecorded') {
    throw new NotAllowedError(
      `Project '${project}' exists but has no luban record (namespace ${ciNamespaceName(project)} carries no ${LUBAN_PROJECT_RECORD_ANNOTATIONS.owner}); a platform admin must re-run onboarding to adopt it`,
    );
  }
  const { owner } = lookup.record;
  if (!ownsProject(actor, owner)) {
    throw new NotAllowedError(`Project '${project}' is owned by ${owner}; ${who(actor)} is not a member of it`);
  }
  if (requestedOwner && requestedOwner !== owner) {
    throw new NotAllowedError(
      `Project '${project}' is owned by ${owner}; changing its owner to ${requestedOwner} needs the luban.project.admin permission`,
    );
  }
}
