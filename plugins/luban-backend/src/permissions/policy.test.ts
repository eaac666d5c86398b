import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { AuthorizeResult, createPermission } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { lubanBuildReadPermission, lubanProjectAdminPermission } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { LubanOwnerPermissionPolicy, lubanPermissionPolicyModule } from './policy';

/** The Kubernetes plugin's proxy permission, as `@backstage/plugin-kubernetes-common` defines it. */
const kubernetesProxyPermission = createPermission({ name: 'kubernetes.proxy', attributes: {} });
const catalogReadPermission = createPermission({ name: 'catalog.entity.read', attributes: { action: 'read' }, resourceType: 'catalog-entity' });

const PLATFORM_TEAM = 'group:default/platform-team';

function userOf(...ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    identity: { type: 'user', userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: mockCredentials.user(ownershipEntityRefs[0]),
  } as PolicyQueryUser;
}

describe('LubanOwnerPermissionPolicy', () => {
  const policy = new LubanOwnerPermissionPolicy({ platformAdmins: ['Group:default/Platform-Team'] });
  const admin = userOf('user:default/ada', PLATFORM_TEAM);
  const member = userOf('user:default/bob', 'group:default/payments-team');

  it.each([
    ['kubernetes.proxy', kubernetesProxyPermission],
    ['luban.project.admin', lubanProjectAdminPermission],
  ])('allows %s only to members of a platform admin group', async (_name, permission) => {
    expect(await policy.handle({ permission }, admin)).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission }, member)).toEqual({ result: AuthorizeResult.DENY });
    expect(await policy.handle({ permission })).toEqual({ result: AuthorizeResult.DENY });
  });

  it('has no platform admins unless configured', async () => {
    const unconfigured = new LubanOwnerPermissionPolicy();
    expect(await unconfigured.handle({ permission: kubernetesProxyPermission }, admin)).toEqual({ result: AuthorizeResult.DENY });
    expect(await unconfigured.handle({ permission: lubanProjectAdminPermission }, admin)).toEqual({ result: AuthorizeResult.DENY });
  });

  it("keeps luban's reads and other plugins' permissions allowed to everyone", async () => {
    expect(await policy.handle({ permission: lubanBuildReadPermission }, member)).toEqual({ result: AuthorizeResult.ALLOW });
    expect(await policy.handle({ permission: catalogReadPermission }, member)).toEqual({ result: AuthorizeResult.ALLOW });
  });
});

describe('lubanPermissionPolicyModule', () => {
  /** Ada is in the platform team; everyone else owns only themselves. */
  const userInfo = createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials: any) {
        const userEntityRef: string = credentials.principal.userEntityRef;
        const groups = userEntityRef === 'user:default/ada' ? [PLATFORM_TEAM] : [];
        return { userEntityRef, ownershipEntityRefs: [userEntityRef, ...groups] };
      },
    }),
  });

  it('grants the Kubernetes proxy and project administration to the groups of luban.permissions.platformAdmins', async () => {
    const backend = await startTestBackend({
      features: [
        permissionPlugin,
        lubanPermissionPolicyModule,
        userInfo,
        mockServices.rootConfig.factory({ data: { permission: { enabled: true }, luban: { permissions: { platformAdmins: [PLATFORM_TEAM] } } } }),
      ],
    });
    const decide = async (user: string) => {
      const response = await request(backend.server)
        .post('/api/permission/authorize')
        .set('Authorization', `Bearer ${mockCredentials.user.token(user)}`)
        .send({
          items: [
            { id: 'proxy', permission: kubernetesProxyPermission },
            { id: 'admin', permission: lubanProjectAdminPermission },
          ],
        });
      expect(response.status).toBe(200);
      return response.body.items.map((item: { id: string; result: string }) => `${item.id}: ${item.result}`);
    };
    try {
      expect(await decide('user:default/ada')).toEqual(['proxy: ALLOW', 'admin: ALLOW']);
      expect(await decide('user:default/mallory')).toEqual(['proxy: DENY', 'admin: DENY']);
    } finally {
      await backend.stop();
    }
  });
});
