import {
  coreServices,
  createServiceFactory,
  type BackstageCredentials,
  type BackstageUserPrincipal,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
// The test hosts both plugins, as an adopter's backend does; the module's code never imports the plugin.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { LubanOwnerPermissionPolicy } from '@luban-backstage/plugin-luban-backend';

// AuthorizeResult's values, by value: this package does not depend on permission-common.

/** The platform team: `luban.permissions.platformAdmins` of the test backends. */
export const PLATFORM_ADMINS = ['group:default/platform-team'];

/**
 * Who belongs to which groups, as the catalog's `memberOf` relations say and
 * the sign-in resolver puts them in a user's token. `mock` (every suite's
 * default user) is in the teams whose projects the suites create; `mallory`
 * only in her own team; `admin` in the platform team.
 */
export const TEST_USERS: Record<string, string[]> = {
  'user:default/mock': [
    'group:default/payments-team',
    'group:default/data-team',
    'group:default/orders-team',
    'group:default/billing-team',
    'group:default/ledgers-team',
    'group:default/vault-team',
  ],
  'user:default/mallory': ['group:default/rogue-team'],
  'user:default/admin': ['group:default/platform-team'],
};

/** The Authorization header of a test user. */
export function authorizationOf(userEntityRef: string): string {
  return `Bearer ${mockCredentials.user.token(userEntityRef)}`;
}

function ownershipOf(credentials: BackstageCredentials): { userEntityRef: string; ownershipEntityRefs: string[] } | undefined {
  const principal = credentials.principal as Partial<BackstageUserPrincipal> & { type?: string };
  if (principal.type !== 'user' || !principal.userEntityRef) return undefined;
  const { userEntityRef } = principal;
  return { userEntityRef, ownershipEntityRefs: [userEntityRef, ...(TEST_USERS[userEntityRef] ?? [])] };
}

/** `coreServices.userInfo` as a signed-in user's token carries it: the user and their groups of {@link TEST_USERS}. */
export const userInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: BackstageCredentials) {
      const info = ownershipOf(credentials);
      if (!info) throw new Error('not a user');
      return info;
    },
  }),
});

/**
 * `coreServices.permissions` deciding with luban's shipped policy (platform
 * admins: {@link PLATFORM_ADMINS}), as the permission backend would; the
 * scaffolder's own permissions fall through to the policy's allow.
 */
export const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: (): PermissionsService => {
    const policy = new LubanOwnerPermissionPolicy({ platformAdmins: PLATFORM_ADMINS });
    const decide = async (permission: any, credentials: BackstageCredentials) => {
      const info = ownershipOf(credentials);
      const user = info && ({ info, identity: { type: 'user', ...info }, token: '', credentials } as any);
      return policy.handle({ permission }, user);
    };
    return {
      async authorize(requests, { credentials }) {
        return Promise.all(
          requests.map(async ({ permission }) => {
            const decision = await decide(permission, credentials);
            // A conditional decision needs the resource's plugin; no luban action asks for one.
            return { result: (decision.result === 'ALLOW' ? 'ALLOW' : 'DENY') as any };
          }),
        );
      },
      async authorizeConditional(queries, { credentials }) {
        return Promise.all(queries.map(({ permission }) => decide(permission, credentials))) as any;
      },
    };
  },
});
