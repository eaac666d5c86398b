import type {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { lubanProjectAdminPermission } from '@luban-backstage/plugin-luban-common';
import type { LubanActor } from './projectRecord';

/**
 * Who is acting, from their Backstage credentials: the groups they belong to
 * (as the sign-in resolver put them in the token) and whether the permission
 * policy makes them a platform admin. A service principal (another plugin
 * acting for itself) owns nothing and is no admin unless the policy says so.
 * @public
 */
export async function resolveActor(
  services: { userInfo: UserInfoService; permissions: PermissionsService },
  credentials: BackstageCredentials,
): Promise<LubanActor> {
  const [decision] = await services.permissions.authorize([{ permission: lubanProjectAdminPermission }], {
    credentials,
  });
  // AuthorizeResult.ALLOW; compared by value so luban-node needs no permission-common import.
  const isProjectAdmin = decision.result === 'ALLOW';
  const principal = credentials.principal as { type?: string };
  if (principal.type !== 'user') {
    return { ownershipEntityRefs: [], isProjectAdmin };
  }
  const { userEntityRef, ownershipEntityRefs } = await services.userInfo.getUserInfo(
    credentials as BackstageCredentials<{ type: 'user'; userEntityRef: string }>,
  );
  return { userEntityRef, ownershipEntityRefs: ownershipEntityRefs.map(ref => ref.toLowerCase()), isProjectAdmin };
}

/**
 * Refuses an anonymous caller before anything is read on its behalf.
 * @public
 */
export function requireUser(actor: LubanActor): asserts actor is LubanActor & { userEntityRef: string } {
  if (!actor.userEntityRef && !actor.isProjectAdmin) {
    throw new NotAllowedError('Only a signed-in user (or a platform admin service) may change luban projects');
  }
}
