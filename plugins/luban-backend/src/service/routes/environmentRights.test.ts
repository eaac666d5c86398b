import { AuthorizeResult, isPermission, type PolicyDecision } from '@backstage/plugin-permission-common';
import type { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { DEMO } from '@luban-backstage/emulator';
import { lubanPromotionCreatePermission, lubanPromotionRollbackPermission } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { watchedRootLogger } from '../../__testUtils__/waiting';
import { createLubanEnvironmentConditionalDecision, lubanEnvironmentConditions } from '../../permissions/environmentRules';
import { lubanPolicyDecision } from '../../permissions/policy';

const SRE = 'group:default/sre';
const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;

/**
 * The policy of the README's "Rights per environment": owners may promote and
 * roll back, but only members of sre may change prd.
 */
class OnlySreChangesPrd implements PermissionPolicy {
  async handle(query: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const { permission } = query;
    for (const perEnvironment of [lubanPromotionCreatePermission, lubanPromotionRollbackPermission]) {
      if (user && isPermission(permission, perEnvironment)) {
        const claims = user.info.ownershipEntityRefs;
        const isOwner = lubanEnvironmentConditions.isEntityOwner({ claims });
        return createLubanEnvironmentConditionalDecision(
          perEnvironment,
          claims.includes(SRE)
            ? isOwner
            : { allOf: [isOwner, { not: lubanEnvironmentConditions.isTargetEnvironment({ environments: ['prd'] }) }] },
        );
      }
    }
    return lubanPolicyDecision(query, user) ?? { result: AuthorizeResult.ALLOW };
  }
}

describe('rights per environment: a policy that lets only sre change prd', () => {
  const logs = watchedRootLogger();
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  beforeAll(async () => {
    backend = await startLubanBackend({
      policy: new OnlySreChangesPrd(),
      features: [logs.factory],
      config: { luban: { environments: [{ name: 'snd' }, { name: 'stg' }, { name: 'prd' }] } },
    });
    // The seed has overlays for snd and prd: stg starts as prd does.
    const { emulator } = backend;
    const prdOverlay = await emulator.git.readFile(GITOPS, 'main', `apps/${DEMO.app}/overlays/prd/kustomization.yaml`);
    if (!prdOverlay) throw new Error('the seed wrote no prd overlay');
    await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(GITOPS, 'main'),
      message: 'Add stg',
      changes: [{ path: `apps/${DEMO.app}/overlays/stg/kustomization.yaml`, content: prdOverlay.content.toString() }],
    });
  });
  afterAll(() => backend?.stop());

  // The default mock user is Paula's stand-in: a member of payments-team, which owns the demo app, and not of sre.
  const post = (path: string, body: object) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/${path}`).set('Authorization', backend.owner).send(body);
  const auditEvents = (eventId: string) =>
    logs.lines.filter(l => l.meta.isAuditEvent && l.message === `luban.${eventId}` && l.meta.status !== 'initiated');

  it('lets a payments-team member promote snd → stg, and audits it as succeeded', async () => {
    const response = await post('promote', { from: 'snd', to: 'stg' });

    expect(response.status).toBe(200);
    expect(response.body.pullRequest?.url).toEqual(expect.any(String));
    expect(auditEvents('luban-promote')).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          status: 'succeeded',
          actor: expect.objectContaining({ actorId: 'user:default/mock' }),
          meta: expect.objectContaining({ entityRef: `component:default/${DEMO.app}`, from: 'snd', target: 'stg', pullRequestUrl: response.body.pullRequest.url }),
        }),
      }),
    ]);
  });

  it.each([
    ['promote stg → prd', 'promote', { from: 'stg', to: 'prd' }, 'luban-promote', 'promotion create'],
    ['roll back prd', 'rollback', { env: 'prd' }, 'luban-rollback', 'promotion rollback'],
  ])('refuses to %s with a 403 naming prd, changes nothing on the platform, and audits the refusal', async (_title, path, body, eventId, action) => {
    const before = auditEvents(eventId).length;
    backend.emulator.requests.clear();

    const response = await post(path, body);

    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(
      `You may not ${action} component:default/${DEMO.app} in prd: only its owners may, in the environments the permission policy allows them`,
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
    const refusals = auditEvents(eventId).slice(before);
    expect(refusals).toEqual([
      expect.objectContaining({ meta: expect.objectContaining({ status: 'failed', meta: expect.objectContaining({ target: 'prd' }) }) }),
    ]);
  });

  it('still lets the owner roll back snd, which the policy leaves to owners (a dry run: nothing is written)', async () => {
    backend.emulator.requests.clear();
    const response = await post('rollback', { env: 'snd', dryRun: true });
    expect(response.status).toBe(200);
    expect(response.body.pullRequest).toBeUndefined();
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });
});
