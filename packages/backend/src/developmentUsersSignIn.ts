/*
 * Development sign-in: a person picks one of the demo users and is signed in
 * as that user, with the groups the catalog gives it. The guest provider
 * cannot do this (it signs everybody in as one user), and the tenant
 * boundary can only be seen in the browser by someone who can be a member of
 * either team. Like the guest provider, it refuses to run outside
 * development; production configures an organisation's provider instead.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The provider's id: `auth.providers.developmentUsers`, `/api/auth/developmentUsers/refresh`. */
export const DEVELOPMENT_USERS_PROVIDER = 'developmentUsers';

/** The request header that names the user to sign in as (the sign-in page sends it). */
export const DEVELOPMENT_USER_HEADER = 'x-luban-development-user';

/** The catalog namespace of the users this provider signs in. */
const USER_NAMESPACE = 'development';

function userRef(name: string) {
  return { kind: 'User', namespace: USER_NAMESPACE, name };
}

interface DevelopmentUsersContext {
  /** Names under `auth.providers.developmentUsers.users`, the only users one may pick. */
  users: Set<string>;
  disabled: boolean;
}

/** Reads the header and checks it names a configured user, before the catalog is asked. */
export const developmentUsersAuthenticator = createProxyAuthenticator<
  DevelopmentUsersContext,
  { userName: string },
  undefined
>({
  // The profile the sidebar and settings show: the catalog User's own.
  defaultProfileTransform: async ({ userName }, ctx) => {
    const { entity } = await ctx.findCatalogUser({
      entityRef: userRef(userName),
    });
    const profile = (entity.spec?.profile ?? {}) as {
      displayName?: string;
      email?: string;
      picture?: string;
    };
    return {
      profile: {
        displayName: profile.displayName ?? userName,
        email: profile.email,
        picture: profile.picture,
      },
    };
  },
  initialize({ config }: { config: Config }) {
    const users = new Set(
      config.getConfigArray('users').map(user => user.getString('name')),
    );
    return { users, disabled: process.env.NODE_ENV !== 'development' };
  },
  async authenticate({ req }, { users, disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        'Development sign-in works only in development (NODE_ENV=development)',
      );
    }
    const userName = req.header(DEVELOPMENT_USER_HEADER);
    if (!userName) {
      throw new InputError(
        `Development sign-in needs the header ${DEVELOPMENT_USER_HEADER} naming one of: ${[
          ...users,
        ].join(', ')}`,
      );
    }
    if (!users.has(userName)) {
      throw new NotAllowedError(
        `'${userName}' is not one of the development users (${[...users].join(
          ', ',
        )})`,
      );
    }
    return { result: { userName } };
  },
});

/**
 * The backend module: registers the provider. The auth backend creates it
 * only when `auth.providers.developmentUsers` is configured, so a production
 * config without it has no such sign-in.
 */
export const authModuleDevelopmentUsersProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'development-users-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: DEVELOPMENT_USERS_PROVIDER,
          factory: createProxyAuthProviderFactory({
            authenticator: developmentUsersAuthenticator,
            // The user must be in the catalog: its memberOf relations are its groups.
            signInResolver: async ({ result }, ctx) =>
              ctx.signInWithCatalogUser({
                entityRef: userRef(result.userName),
              }),
          }),
        });
      },
    });
  },
});
