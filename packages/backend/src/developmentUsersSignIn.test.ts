import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import {
  authModuleDevelopmentUsersProvider,
  DEVELOPMENT_USER_HEADER,
} from './developmentUsersSignIn';

/** The demo users as catalog-info.yaml declares them (ghost is configured but not in the catalog). */
const ENTITIES = [
  { name: 'paula', group: 'payments-team' },
  { name: 'dario', group: 'data-team' },
].map(({ name, group }) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'development' },
  spec: {
    profile: { displayName: name.toUpperCase(), email: `${name}@example.com` },
    memberOf: [`group:default/${group}`],
  },
  relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
}));

async function startAuth(options: { nodeEnv: string; providers: object }) {
  const previous = process.env.NODE_ENV;
  // The provider decides at start whether it runs (like the guest provider): only in development.
  process.env.NODE_ENV = options.nodeEnv;
  try {
    return await startTestBackend({
      features: [
        authPlugin,
        authModuleDevelopmentUsersProvider,
        catalogServiceMock.factory({ entities: ENTITIES }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: { providers: options.providers },
          },
        }),
      ],
    });
  } finally {
    process.env.NODE_ENV = previous;
  }
}

const USERS = {
  developmentUsers: {
    users: ['paula', 'dario', 'ghost'].map(name => ({ name })),
  },
};

/** What the sign-in page's ProxiedSignInPage asks for. */
const refresh = (server: any, user?: string) => {
  const call = request(server)
    .get('/api/auth/developmentUsers/refresh')
    .set('X-Requested-With', 'XMLHttpRequest');
  return user ? call.set(DEVELOPMENT_USER_HEADER, user) : call;
};

describe('development sign-in as one of the demo users', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  beforeAll(async () => {
    backend = await startAuth({ nodeEnv: 'development', providers: USERS });
  }, 60_000);
  afterAll(() => backend?.stop());

  it.each([
    ['paula', 'group:default/payments-team'],
    ['dario', 'group:default/data-team'],
  ])(
    'signs %s in with the groups the catalog gives them',
    async (user, group) => {
      const response = await refresh(backend.server, user);

      expect(response.status).toBe(200);
      expect(response.body.backstageIdentity.identity).toEqual({
        type: 'user',
        userEntityRef: `user:development/${user}`,
        ownershipEntityRefs: expect.arrayContaining([
          `user:development/${user}`,
          group,
        ]),
      });
      expect(response.body.profile).toEqual({
        displayName: user.toUpperCase(),
        email: `${user}@example.com`,
      });
    },
  );

  it('refuses a user the configuration does not list, before asking the catalog', async () => {
    const response = await refresh(backend.server, 'mallory');

    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      "'mallory' is not one of the development users (paula, dario, ghost)",
    );
    expect(response.body.backstageIdentity).toBeUndefined();
  });

  it('refuses a listed user the catalog does not have', async () => {
    const response = await refresh(backend.server, 'ghost');

    expect(response.status).toBe(404);
    expect(response.body.backstageIdentity).toBeUndefined();
  });

  it('asks for the user when the header is missing', async () => {
    const response = await refresh(backend.server);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(
      /needs the header x-luban-development-user naming one of: paula, dario, ghost/,
    );
  });
});

describe('development sign-in where it must not run', () => {
  it('refuses to sign anyone in outside development', async () => {
    const backend = await startAuth({
      nodeEnv: 'production',
      providers: USERS,
    });
    try {
      const response = await refresh(backend.server, 'paula');

      expect(response.status).toBe(403);
      expect(response.body.error.message).toMatch(/works only in development/);
    } finally {
      await backend.stop();
    }
  }, 60_000);

  it('does not exist when auth.providers has no developmentUsers (production)', async () => {
    const backend = await startAuth({ nodeEnv: 'development', providers: {} });
    try {
      const response = await refresh(backend.server, 'paula');

      expect(response.status).toBe(404);
    } finally {
      await backend.stop();
    }
  }, 60_000);
});
