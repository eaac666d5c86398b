import {
  createPermission,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * The resource type of every luban permission: decisions are taken per
 * catalog entity, so that a policy can allow the owners of an entity to act.
 */
const resourceType = 'catalog-entity';

/**
 * The resource type of promote and rollback: an app entity in one target
 * environment, so that a policy can decide per environment (only some groups
 * may change prd) as well as per owner. The luban backend owns its rules.
 * @public
 */
export const LUBAN_ENVIRONMENT_RESOURCE_TYPE = 'luban-environment';

/**
 * The reference of an app entity in one environment, as permission requests
 * name it: `<entityRef>@<environment>` (entity references never contain `@`).
 * @public
 */
export function lubanEnvironmentResourceRef(entityRef: string, environment: string): string {
  return `${entityRef}@${environment}`;
}

/**
 * The entity reference and environment of a {@link lubanEnvironmentResourceRef},
 * or undefined when the text is not one.
 * @public
 */
export function parseLubanEnvironmentResourceRef(
  resourceRef: string,
): { entityRef: string; environment: string } | undefined {
  const at = resourceRef.lastIndexOf('@');
  if (at <= 0 || at === resourceRef.length - 1) return undefined;
  return { entityRef: resourceRef.slice(0, at), environment: resourceRef.slice(at + 1) };
}

/**
 * View the kpack builds and build logs of an entity.
 * @public
 */
export const lubanBuildReadPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.build.read',
    attributes: { action: 'read' },
    resourceType,
  });

/**
 * Trigger a new kpack build of an entity's image.
 * @public
 */
export const lubanBuildRebuildPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.build.rebuild',
    attributes: { action: 'update' },
    resourceType,
  });

/**
 * Stop a running kpack build of an entity's image (kpack deletes the Build
 * and its pod; it does not build that commit again by itself).
 * @public
 */
export const lubanBuildCancelPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.build.cancel',
    attributes: { action: 'update' },
    resourceType,
  });

/**
 * View which version of an entity runs in each environment.
 * @public
 */
export const lubanPromotionReadPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.promotion.read',
    attributes: { action: 'read' },
    resourceType,
  });

/**
 * Open a promotion pull request that moves a built digest to an environment;
 * decided per target environment ({@link lubanEnvironmentResourceRef}).
 * @public
 */
export const lubanPromotionCreatePermission: ResourcePermission<typeof LUBAN_ENVIRONMENT_RESOURCE_TYPE> =
  createPermission({
    name: 'luban.promotion.create',
    attributes: { action: 'create' },
    resourceType: LUBAN_ENVIRONMENT_RESOURCE_TYPE,
  });

/**
 * Open a pull request that restores an earlier version in an environment;
 * decided per environment ({@link lubanEnvironmentResourceRef}).
 * @public
 */
export const lubanPromotionRollbackPermission: ResourcePermission<typeof LUBAN_ENVIRONMENT_RESOURCE_TYPE> =
  createPermission({
    name: 'luban.promotion.rollback',
    attributes: { action: 'update' },
    resourceType: LUBAN_ENVIRONMENT_RESOURCE_TYPE,
  });

/**
 * Start an Argo CD sync of an environment that does not sync by itself
 * (the Sync button); decided per environment ({@link lubanEnvironmentResourceRef}).
 * @public
 */
export const lubanEnvironmentSyncPermission: ResourcePermission<typeof LUBAN_ENVIRONMENT_RESOURCE_TYPE> =
  createPermission({
    name: 'luban.environment.sync',
    attributes: { action: 'update' },
    resourceType: LUBAN_ENVIRONMENT_RESOURCE_TYPE,
  });

/**
 * Platform administration: onboard a project for any group, change a
 * project's owner, adopt objects luban did not create. Not tied to an
 * entity; grant it to the platform team only.
 * @public
 */
export const lubanProjectAdminPermission = createPermission({
  name: 'luban.project.admin',
  attributes: {},
});

/**
 * Every permission the luban plugins define, for registration with the
 * permission framework and for policy authors.
 * @public
 */
export const lubanPermissions = [
  lubanBuildReadPermission,
  lubanBuildRebuildPermission,
  lubanBuildCancelPermission,
  lubanPromotionReadPermission,
  lubanPromotionCreatePermission,
  lubanPromotionRollbackPermission,
  lubanEnvironmentSyncPermission,
  lubanProjectAdminPermission,
];
