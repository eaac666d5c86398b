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
 * Open a promotion pull request that moves a built digest to an environment.
 * @public
 */
export const lubanPromotionCreatePermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.promotion.create',
    attributes: { action: 'create' },
    resourceType,
  });

/**
 * Open a pull request that restores an earlier version in an environment.
 * @public
 */
export const lubanPromotionRollbackPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'luban.promotion.rollback',
    attributes: { action: 'update' },
    resourceType,
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
  lubanPromotionReadPermission,
  lubanPromotionCreatePermission,
  lubanPromotionRollbackPermission,
  lubanProjectAdminPermission,
];
