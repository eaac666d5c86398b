import { DEMO } from '@luban-backstage/emulator';
import type { LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed, watchedRootLogger } from '../../__testUtils__/waiting';

const GITOPS = `github/${DEMO.project}/${DEMO.project}-gitops.git`;
const PRD_APP = `prd-${DEMO.project}-${DEMO.app}`;

/**
 * Sync of an environment without auto-sync, as Argo CD's Sync button does it:
 * the Application's `operation` (sync.revision, initiatedBy.username; Argo CD
 * pkg/apis/application/v1alpha1/types.go), which the application controller
 * runs (controller/appcontroller.go) and reports in `status.operationState`.
 */
describe('Sync of an environment Argo CD does not sync by itself', () => {
  const logs = watchedRootLogger();
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  beforeAll(async () => {
    backend = await startLubanBackend({ features: [logs.factory] });
  });
  afterAll(() => backend?.stop());

  const sync = (env: string, auth = backend.owner, body: object = {}) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/promotion/${env}/sync`).set('Authorization', auth).send(body);
  const prdApp = () => backend.emulator.kubernetes.list('applications').find(a => a.metadata.name === PRD_APP)!;
  const auditEvents = () => logs.lines.filter(l => l.meta.isAuditEvent && l.message === 'luban.luban-sync' && l.meta.status !== 'initiated');

  it('refuses another team with a 403 before anything changes, and audits the refusal', async () => {
    const before = auditEvents().length;
    backend.emulator.requests.clear();

    const response = await sync('prd', backend.otherTeam);

    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(new RegExp(`^You may not environment sync component:default/${DEMO.app} in prd`));
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(auditEvents().slice(before)).toEqual([expect.objectContaining({ meta: expect.objectContaining({ status: 'failed' }) })]);
  });

  it('refuses snd, which Argo CD syncs by itself, with a 400 and changes nothing', async () => {
    backend.emulator.requests.clear();

    const response = await sync('snd');

    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe('snd syncs automatically: Argo CD deploys every merged change there by itself');
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('answers a dry run with what a sync would start, and starts nothing', async () => {
    const { emulator } = backend;
    const before = auditEvents().length;
    emulator.requests.clear();

    const response = await sync('prd', backend.owner, { dryRun: true });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      environment: 'prd',
      application: PRD_APP,
      revision: await emulator.git.resolve(GITOPS, 'main'),
      dryRun: true,
    });
    expect(emulator.requests.mutating()).toEqual([]);
    expect(prdApp().operation).toBeUndefined();
    expect(auditEvents().slice(before)).toEqual([]);
    // A dry run is refused like the sync itself.
    expect((await sync('prd', backend.otherTeam, { dryRun: true })).status).toBe(403);
    expect((await sync('prd', backend.owner, { dryRun: 'yes' })).status).toBe(400);
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('syncs the merged revision of prd through the Application operation, and the view shows the operation', async () => {
    const { emulator } = backend;
    // A change merged into prd's overlay, which Argo CD does not deploy by itself.
    const snd = await emulator.git.readFile(GITOPS, 'main', `apps/${DEMO.app}/overlays/snd/kustomization.yaml`);
    const merged = await emulator.git.commit(GITOPS, {
      branch: 'main',
      expectedSha: await emulator.git.resolve(GITOPS, 'main'),
      message: 'Promote snd to prd',
      changes: [{ path: `apps/${DEMO.app}/overlays/prd/kustomization.yaml`, content: snd!.content.toString() }],
    });
    const before = auditEvents().length;

    const response = await sync('prd');

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ environment: 'prd', application: PRD_APP, revision: merged.sha });
    await emulator.settled();
    const app = prdApp();
    expect(app.operation).toBeUndefined();
    expect(app.status.operationState).toMatchObject({
      phase: 'Succeeded',
      operation: { sync: { revision: merged.sha }, initiatedBy: { username: 'user:default/mock' } },
      syncResult: { revision: merged.sha },
    });
    expect(auditEvents().slice(before)).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          status: 'succeeded',
          meta: expect.objectContaining({ entityRef: `component:default/${DEMO.app}`, target: 'prd', revision: merged.sha }),
        }),
      }),
    ]);

    // The Delivery view reads the operation from luban's watch of the Applications.
    const prd = await untilServed(async () => {
      const state = (await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner)).body as LubanPromotionState;
      const env = state.environments.find(e => e.name === 'prd');
      return env?.argoCd?.operation?.revision === merged.sha ? env : undefined;
    });
    expect(prd.argoCd?.operation).toMatchObject({ phase: 'Succeeded', initiatedBy: 'user:default/mock' });
  });
});
