import type { PermissionsService, UserInfoService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import { ciNamespaceName } from '@luban-backstage/plugin-luban-common';
import {
  assertMayChangeProject,
  projectRecordAnnotations,
  readProjectRecord,
  requireUser,
  resolveActor,
  type LubanActor,
  type LubanClusters,
  type LubanProjectLookup,
  type LubanProjectRecord,
} from '@luban-backstage/plugin-luban-node';
import { step } from './step';

/** What the guard needs of the scaffolder's context: who started the task, and whether it is a dry run. */
export type GuardContext = Pick<ActionContext<any, any>, 'isDryRun' | 'checkpoint' | 'logger' | 'getInitiatorCredentials'>;

/** What an action may do once the guard let it through. */
export interface ProjectAccess {
  actor: LubanActor;
  lookup: LubanProjectLookup;
  /** The record, when the project has one. */
  record?: LubanProjectRecord;
}

/**
 * The one check of who runs a luban action, made before its first request to
 * the platform: the task's user against the project record on the project's
 * `ci-` Namespace. Onboarding actions pass the `owner` they would record (a
 * new project only for the user's own group; an owner change only by a
 * platform admin); every other action needs the record and a member of its
 * owner group. A GitOps repository given to the action must be the one the
 * project recorded.
 */
export class ProjectGuard {
  constructor(
    private readonly services: { userInfo: UserInfoService; permissions: PermissionsService; clusters: LubanClusters },
  ) {}

  /** Throws NotAllowedError, NotFoundError or ConflictError, or says who acts on what. */
  async check(
    ctx: GuardContext,
    project: string,
    request: { owner?: string; gitopsRepository?: string } = {},
  ): Promise<ProjectAccess> {
    const actor = await resolveActor(this.services, await ctx.getInitiatorCredentials());
    requireUser(actor);
    const lookup = await readProjectRecord(this.services.clusters.gateway(), project);
    if (ctx.isDryRun && lookup.state === 'absent' && !request.owner) {
      // In a dry run of onboarding, the namespaces step only said it would create the record.
      ctx.logger.info(`Project '${project}' has no record yet: a run needs it (onboard the project first)`, { project });
    } else {
      assertMayChangeProject(actor, project, lookup, { owner: request.owner });
    }
    const record = lookup.state === 'recorded' ? lookup.record : undefined;
    const recorded = record?.gitopsRepository;
    if (recorded && request.gitopsRepository && !sameRepository(recorded, request.gitopsRepository) && !actor.isProjectAdmin) {
      throw new ConflictError(
        `Project '${project}' has the GitOps repository ${recorded}, not ${request.gitopsRepository}; luban does not re-point a project to another repository`,
      );
    }
    return { actor, lookup, record };
  }

  /**
   * Adds to the record on the project's `ci-` Namespace (a merge patch of its
   * annotations), checkpointed; nothing in a dry run, or when the project has
   * no `ci-` Namespace to hold it.
   */
  async record(
    ctx: GuardContext,
    project: string,
    access: ProjectAccess,
    fields: Partial<Omit<LubanProjectRecord, 'project' | 'owner'>>,
  ): Promise<void> {
    const current: Partial<LubanProjectRecord> = access.record ?? {};
    const changed = Object.entries(fields).some(([key, value]) => value && current[key as keyof LubanProjectRecord] !== value);
    if (!changed || access.lookup.state === 'absent') return;
    const namespace = ciNamespaceName(project);
    await step(ctx, `luban.record.${project}.${Object.keys(fields).join(',')}`, async dryRun => {
      if (!dryRun) {
        await this.services.clusters
          .gateway()
          .mergePatch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { metadata: { annotations: projectRecordAnnotations(fields) } });
      }
      return { results: { [`Project record on Namespace ${namespace}`]: 'updated' } };
    });
  }
}

/** Whether two URLs name the same repository (a clone URL ends in `.git`; case and a trailing slash do not count). */
function sameRepository(a: string, b: string): boolean {
  const canonical = (url: string) => url.trim().replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();
  return canonical(a) === canonical(b);
}

