import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  lubanBuildRebuildPermission,
  lubanPromotionCreatePermission,
  lubanPromotionRollbackPermission,
} from '@luban-backstage/plugin-luban-common';

const OWNER_ONLY = new Set([
  lubanBuildRebuildPermission.name,
  lubanPromotionCreatePermission.name,
  lubanPromotionRollbackPermission.name,
]);

/**
 * luban's default rule, for use inside any permission policy: reading is
 * allowed, and rebuild, promote and rollback are allowed to the owners of the
 * entity (the user or a group they belong to). Returns undefined for
 * permissions that are not luban's, so a policy can fall through to its own
 * rules.
 *
 * The decision is conditional on the catalog's `IS_ENTITY_OWNER` rule: the
 * permission backend asks the catalog to apply it to the entity.
 * @public
 */
export function lubanPolicyDecision(request: PolicyQuery, user?: PolicyQueryUser): PolicyDecision | undefined {
  const { permission } = request;
  if (!permission.name.startsWith('luban.')) return undefined;
  if (!OWNER_ONLY.has(permission.name)) return { result: AuthorizeResult.ALLOW };
  if (!isResourcePermission(permission, 'catalog-entity') || !user) return { result: AuthorizeResult.DENY };
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: user.info.ownershipEntityRefs ?? [] },
    },
  };
}

/**
 * A complete policy: luban's rule for luban permissions and allow for
 * everything else. Meant for a first installation or a demo; a real
 * installation calls {@link lubanPolicyDecision} from its own policy.
 * @public
 */
export class LubanOwnerPermissionPolicy implements PermissionPolicy {
  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    return lubanPolicyDecision(request, user) ?? { result: AuthorizeResult.ALLOW };
  }
}

/**
 * Installs {@link LubanOwnerPermissionPolicy} as the permission backend's policy.
 * @public
 */
export const lubanPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'luban-owner-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new LubanOwnerPermissionPolicy());
      },
    });
  },
});
