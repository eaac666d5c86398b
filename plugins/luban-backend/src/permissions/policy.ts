import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
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
  lubanBuildCancelPermission,
  lubanEnvironmentSyncPermission,
  lubanBuildRebuildPermission,
  lubanPromotionCreatePermission,
  lubanProjectAdminPermission,
  lubanPromotionRollbackPermission,
} from '@luban-backstage/plugin-luban-common';
import { readLubanConfig } from '@luban-backstage/plugin-luban-node';
import { createLubanEnvironmentConditionalDecision, lubanEnvironmentConditions } from './environmentRules';

/**
 * The Kubernetes plugin's `kubernetesProxyPermission`: its proxy calls a
 * cluster with the platform's token, so it can read every tenant's secrets.
 * (The name, not the package: luban does not otherwise depend on it.)
 */
const KUBERNETES_PROXY_PERMISSION = 'kubernetes.proxy';

/** Permissions only platform admins hold: they cross every project's boundary. */
const PLATFORM_ADMIN_ONLY = new Set([lubanProjectAdminPermission.name, KUBERNETES_PROXY_PERMISSION]);

const OWNER_ONLY = new Set([
  lubanBuildRebuildPermission.name,
  lubanBuildCancelPermission.name,
  lubanPromotionCreatePermission.name,
  lubanPromotionRollbackPermission.name,
  lubanEnvironmentSyncPermission.name,
]);

/** Whether the user belongs to (owns through) one of the platform admin groups, compared in lower case. */
function isPlatformAdmin(user: PolicyQueryUser | undefined, platformAdmins: readonly string[]): boolean {
  const admins = new Set(platformAdmins.map(ref => ref.toLowerCase()));
  return (user?.info.ownershipEntityRefs ?? []).some(ref => admins.has(ref.toLowerCase()));
}

/**
 * luban's default rule, for use inside any permission policy: reading is
 * allowed, and rebuild, promote and rollback are allowed to the owners of the
 * entity (the user or a group they belong to). `luban.project.admin` and the
 * Kubernetes plugin's `kubernetes.proxy` are allowed only to members of
 * `platformAdmins` (full group refs, as `luban.permissions.platformAdmins`).
 * Returns undefined for other permissions, so a policy can fall through to
 * its own rules.
 *
 * The decision is conditional on the catalog's `IS_ENTITY_OWNER` rule: the
 * permission backend asks the catalog to apply it to the entity. Promote and
 * rollback are decided per target environment with luban's own
 * `IS_ENTITY_OWNER` ({@link lubanEnvironmentConditions}), which a policy may
 * combine with `isTargetEnvironment`.
 * @public
 */
export function lubanPolicyDecision(
  request: PolicyQuery,
  user?: PolicyQueryUser,
  options: { platformAdmins?: readonly string[] } = {},
): PolicyDecision | undefined {
  const { permission } = request;
  if (PLATFORM_ADMIN_ONLY.has(permission.name)) {
    return { result: isPlatformAdmin(user, options.platformAdmins ?? []) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
  }
  if (!permission.name.startsWith('luban.')) return undefined;
  if (!OWNER_ONLY.has(permission.name)) return { result: AuthorizeResult.ALLOW };
  const claims = user?.info.ownershipEntityRefs ?? [];
  // Promote and rollback are decided per target environment, by luban's own rules.
  for (const perEnvironment of [lubanPromotionCreatePermission, lubanPromotionRollbackPermission, lubanEnvironmentSyncPermission]) {
    if (isPermission(permission, perEnvironment) && user) {
      return createLubanEnvironmentConditionalDecision(perEnvironment, lubanEnvironmentConditions.isEntityOwner({ claims }));
    }
  }
  if (!isResourcePermission(permission, 'catalog-entity') || !user) return { result: AuthorizeResult.DENY };
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims },
    },
  };
}

/**
 * A complete policy: luban's rule for luban permissions and the Kubernetes
 * proxy, and allow for everything else. Meant for a first installation or a
 * demo; a real installation calls {@link lubanPolicyDecision} from its own policy.
 * @public
 */
export class LubanOwnerPermissionPolicy implements PermissionPolicy {
  /** `platformAdmins`: the groups of `luban.permissions.platformAdmins` (none by default: nobody is an admin). */
  constructor(private readonly options: { platformAdmins?: readonly string[] } = {}) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    return lubanPolicyDecision(request, user, this.options) ?? { result: AuthorizeResult.ALLOW };
  }
}

/**
 * Installs {@link LubanOwnerPermissionPolicy} as the permission backend's
 * policy, with the platform admins of `luban.permissions.platformAdmins`.
 * @public
 */
export const lubanPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'luban-owner-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const { platformAdmins } = readLubanConfig(config).permissions;
        policy.setPolicy(new LubanOwnerPermissionPolicy({ platformAdmins }));
      },
    });
  },
});
