import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { DEMO } from '@luban-backstage/emulator';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../__testUtils__/lubanBackend';
import { LubanOwnerPermissionPolicy } from '../permissions/policy';

/** luban's owner policy, except that `user:default/denied` may read no luban view (the catalog still lets them read entities). */
class DenyingReadsToOnePolicy extends LubanOwnerPermissionPolicy {
  async handle(query: PolicyQuery, user?: PolicyQueryUser) {
    if (user?.info.userEntityRef === 'user:default/denied' && query.permission.name.startsWith('luban.') && query.permission.name.endsWith('.read')) {
      return { result: AuthorizeResult.DENY } as const;
    }
    return super.handle(query, user);
  }
}

describe('the luban API around its services', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  beforeAll(async () => {
    backend = await startLubanBackend({ policy: new DenyingReadsToOnePolicy() });
  });
  afterAll(() => backend?.stop());

  it('refuses a rebuild by someone who does not own the entity, before touching the cluster', async () => {
    backend.emulator.requests.clear();
    const response = await request(backend.server)
      .post('/api/luban/entities/component/default/ledger-api-elsewhere/builds/rebuild')
      .set('Authorization', backend.owner);

    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ name: 'NotAllowedError', message: expect.stringContaining('only its owners may') });
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('refuses promote and rollback to a stranger with 403, even on a dry run', async () => {
    for (const [path, body] of [
      ['promotion/promote', { from: 'snd', to: 'prd', dryRun: true }],
      ['promotion/rollback', { env: 'prd', dryRun: true }],
    ] as const) {
      const response = await request(backend.server).post(`${DEMO_ENTITY_PATH}/${path}`).set('Authorization', backend.stranger).send(body);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it('names the missing annotation when the entity is not a luban app', async () => {
    const response = await request(backend.server)
      .get('/api/luban/entities/component/default/not-on-luban/builds')
      .set('Authorization', backend.owner);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain("add the annotation 'luban.dev/project: <project>'");
  });

  it('answers 404 for an entity the catalog does not have', async () => {
    const response = await request(backend.server)
      .get('/api/luban/entities/component/default/nobody/promotion')
      .set('Authorization', backend.owner);

    expect(response.status).toBe(404);
    expect(response.body.error.message).toBe('No catalog entity component:default/nobody');
  });

  it("answers an entity's project with the names of what it owns in each environment", async () => {
    const response = await request(backend.server).get(`${DEMO_ENTITY_PATH}/project`).set('Authorization', backend.owner);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      project: DEMO.project,
      app: DEMO.app,
      ciNamespace: `ci-${DEMO.project}`,
      harborProject: DEMO.project,
      argoCdProject: DEMO.project,
      gitopsRepository: `${DEMO.project}-gitops`,
      environments: [
        { name: 'snd', namespace: `snd-${DEMO.project}`, autoSync: true },
        { name: 'prd', namespace: `prd-${DEMO.project}`, autoSync: false },
      ],
    });
  });

  it('refuses the project view to a caller the permission policy denies, and names a missing project annotation', async () => {
    // A policy that lets nobody read luban's views: the route asks the permission framework, not a local rule.
    const denying = await request(backend.server)
      .get(`${DEMO_ENTITY_PATH}/project`)
      .set('Authorization', `Bearer ${mockCredentials.user.token('user:default/denied')}`);
    expect(denying.status).toBe(403);
    expect(denying.body.error).toMatchObject({ name: 'NotAllowedError', message: expect.stringContaining('promotion read') });

    const notLuban = await request(backend.server)
      .get('/api/luban/entities/component/default/not-on-luban/project')
      .set('Authorization', backend.owner);
    expect(notLuban.status).toBe(400);
    expect(notLuban.body.error.message).toContain("add the annotation 'luban.dev/project: <project>'");
  });

  it('rejects a malformed promotion request before reading anything', async () => {
    const response = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: '../prd' });

    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('Invalid request body: to must be an environment name');
  });
});
