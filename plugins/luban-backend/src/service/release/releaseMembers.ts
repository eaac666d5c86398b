import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { lubanPromotionReadPermission } from '@luban-backstage/plugin-luban-common';
import type { EntityTargets, LubanTarget } from '../EntityTargets';
import type { ReleaseScope } from './ReleaseService';

/** The catalog's relation of a Component to the System in its `spec.system`. */
const PART_OF = 'partOf';

/**
 * The apps of a release: the luban apps of the System's project (found as
 * the project's insights find them, each checked against the project's
 * record) whose Component is part of the System, as the caller reads it
 * and may read its Delivery view. The System's own owner is checked
 * against the record first, so a System cannot gather apps of a project
 * its owner does not own, whatever the catalog says.
 */
export async function releaseScope(
  options: { targets: EntityTargets; permissions: PermissionsService },
  system: Entity,
  credentials: BackstageCredentials,
): Promise<ReleaseScope> {
  const { targets, permissions } = options;
  const systemRef = stringifyEntityRef(system);
  if (system.kind.toLowerCase() !== 'system') {
    throw new InputError(
      `${systemRef} is not a System: a release moves the apps of a System`,
    );
  }
  const view = await targets.projectOf(system);
  const apps = (await targets.allTargets()).filter(
    target => target.project === view.project,
  );
  const members = await Promise.all(
    apps.map(async (target): Promise<LubanTarget | undefined> => {
      // The caller's own catalog read: an app they may not see is not in their release.
      const entity = await targets
        .readEntity(target.entityRef, credentials)
        .catch(() => undefined);
      const partOf = entity?.relations?.some(
        r => r.type === PART_OF && r.targetRef === systemRef,
      );
      return partOf ? target : undefined;
    }),
  );
  const found = members.filter((target): target is LubanTarget =>
    Boolean(target),
  );
  const decisions = await permissions.authorize(
    found.map(target => ({
      permission: lubanPromotionReadPermission,
      resourceRef: target.entityRef,
    })),
    { credentials },
  );
  // One app claimed by two entities of the System is released once.
  const byApp = new Map<string, LubanTarget>();
  found
    .filter(
      (_target, index) => decisions[index].result === AuthorizeResult.ALLOW,
    )
    .sort(
      (a, b) =>
        a.app.localeCompare(b.app) || a.entityRef.localeCompare(b.entityRef),
    )
    .forEach(target => byApp.has(target.app) || byApp.set(target.app, target));
  return {
    system: systemRef,
    name: system.metadata.name,
    members: [...byApp.values()],
  };
}
