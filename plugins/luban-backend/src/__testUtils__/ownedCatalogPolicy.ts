import { AuthorizeResult, isResourcePermission } from '@backstage/plugin-permission-common';
import type { PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { LubanOwnerPermissionPolicy } from '../permissions/policy';

/**
 * luban's owner policy, with a catalog that shows `user:default/bob` (of
 * another team) only the entities his groups own, as a catalog policy that
 * keeps teams apart would.
 */
export class BobSeesOnlyHisOwnEntities extends LubanOwnerPermissionPolicy {
  async handle(query: PolicyQuery, user?: PolicyQueryUser) {
    const { permission } = query;
    if (user?.info.userEntityRef === 'user:default/bob' && permission.name === 'catalog.entity.read' && isResourcePermission(permission, 'catalog-entity')) {
      return {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: { rule: 'IS_ENTITY_OWNER', resourceType: 'catalog-entity', params: { claims: user.info.ownershipEntityRefs } },
      } as const;
    }
    return super.handle(query, user);
  }
}
