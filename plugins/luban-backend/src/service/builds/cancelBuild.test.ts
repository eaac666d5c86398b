import { ConfigReader } from '@backstage/config';
import { DEMO } from '@luban-backstage/emulator';
import { LubanClusters } from '@luban-backstage/plugin-luban-node';
import type { LubanBuild } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, emulatorConfig, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed, watchedRootLogger } from '../../__testUtils__/waiting';

const CI_NAMESPACE = `ci-${DEMO.project}`;

/**
 * Cancel a running build. kpack has none (kpack issue #245): luban marks the
 * Build finished and deletes its pod. Deleting the Build would not stop it:
 * kpack's Image reconciler (pkg/reconciler/image/build_needed.go) would find
 * the previous Build's commit behind the source and build the same commit
 * again; a finished Build is left alone by its Build reconciler
 * (pkg/reconciler/build/build.go) and needs no new build of its commit.
 */
describe('cancelling a running kpack build', () => {
  const logs = watchedRootLogger();
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;

  beforeAll(async () => {
    backend = await startLubanBackend({ features: [logs.factory] });
  });
  afterAll(() => backend?.stop());

  const cancel = (build: string, auth = backend.owner, body: object = {}) =>
    request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/${build}/cancel`).set('Authorization', auth).send(body);
  const buildObject = (name: string) => backend.emulator.kubernetes.list('builds', CI_NAMESPACE).find(b => b.metadata.name === name);
  const podOf = (build: string) => backend.emulator.kubernetes.list('pods', CI_NAMESPACE).find(p => p.metadata.name === `${build}-build-pod`);
  const auditEvents = () => logs.lines.filter(l => l.meta.isAuditEvent && l.message === 'luban.luban-cancel-build' && l.meta.status !== 'initiated');

  it('refuses another team with a 403 before anything changes, and audits the refusal', async () => {
    const before = auditEvents().length;
    backend.emulator.requests.clear();

    const response = await cancel(`${DEMO.app}-build-2`, backend.otherTeam);

    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe(`You may not build cancel component:default/${DEMO.app}: only its owners may`);
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(auditEvents().slice(before)).toEqual([expect.objectContaining({ meta: expect.objectContaining({ status: 'failed' }) })]);
  });

  it('refuses a build that is not running with a 400 saying so, and changes nothing', async () => {
    backend.emulator.requests.clear();

    const response = await cancel(`${DEMO.app}-build-2`);

    expect(response.status).toBe(400);
    expect(response.body.error.message).toBe(
      `Build #2 (${DEMO.app}-build-2) is not running: it succeeded; only a running build can be cancelled`,
    );
    expect(backend.emulator.requests.mutating()).toEqual([]);
  });

  it('stops a running build: its pod is gone, it reads as cancelled, not failed, and kpack builds nothing in its place', async () => {
    const { emulator } = backend;
    // Steps long enough that the build is still running when it is cancelled.
    emulator.setBuildStepMs(2_000);
    try {
      const rebuild = await request(backend.server).post(`${DEMO_ENTITY_PATH}/builds/rebuild`).set('Authorization', backend.owner);
      expect(rebuild.status).toBe(202);
      const name = `${DEMO.app}-build-${Number(rebuild.body.triggeredFrom.split('-').pop()) + 1}`;
      await emulator.kubernetes.store.waitFor(() => Boolean(podOf(name)));
      await untilServed(async () => {
        const served = await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds/${name}`).set('Authorization', backend.owner);
        return served.status === 200 ? served.body : undefined;
      });
      const before = auditEvents().length;

      // A dry run names the build a cancel would stop, and stops nothing (nor is it audited).
      emulator.requests.clear();
      const dryRun = await cancel(name, backend.owner, { dryRun: true });
      expect(dryRun.status).toBe(200);
      expect(dryRun.body).toMatchObject({ name, status: 'running' });
      expect(emulator.requests.mutating()).toEqual([]);
      expect(podOf(name)).toBeDefined();
      expect(auditEvents().slice(before)).toEqual([]);

      const response = await cancel(name);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name, status: 'cancelled', message: 'Cancelled by user:default/mock' });
      expect(podOf(name)).toBeUndefined();
      expect(buildObject(name)?.status?.conditions).toEqual([
        expect.objectContaining({ type: 'Succeeded', status: 'False', reason: 'Cancelled', message: 'Cancelled by user:default/mock' }),
      ]);
      expect(auditEvents().slice(before)).toEqual([
        expect.objectContaining({
          meta: expect.objectContaining({
            status: 'succeeded',
            actor: expect.objectContaining({ actorId: 'user:default/mock' }),
            meta: expect.objectContaining({ entityRef: `component:default/${DEMO.app}`, build: name, status: 'cancelled' }),
          }),
        }),
      ]);

      // kpack reconciles the Image again (any change of it does): the cancelled Build is its last, of the source's commit.
      await emulator.settled();
      const gateway = LubanClusters.fromConfig(new ConfigReader(emulatorConfig(emulator))).gateway();
      await gateway.mergePatch(
        { apiVersion: 'kpack.io/v1alpha2', kind: 'Image', metadata: { name: DEMO.app, namespace: CI_NAMESPACE } },
        { metadata: { annotations: { 'test.luban.dev/touched': 'after-cancel' } } },
      );
      await emulator.settled();
      const numbers = emulator.kubernetes.list('builds', CI_NAMESPACE).map(b => Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
      expect(Math.max(...numbers)).toBe(Number(name.split('-').pop()));
      expect(buildObject(name)?.status?.conditions?.[0]?.reason).toBe('Cancelled');

      // The CI view, served from luban's watch of the Builds, shows it cancelled.
      const shown = await untilServed(async () => {
        const served = (await request(backend.server).get(`${DEMO_ENTITY_PATH}/builds/${name}`).set('Authorization', backend.owner)).body as LubanBuild;
        return served.status === 'running' ? undefined : served;
      });
      expect(shown).toMatchObject({ status: 'cancelled', message: 'Cancelled by user:default/mock' });

      expect((await cancel(name)).body.error.message).toBe(
        `Build #${name.split('-').pop()} (${name}) is not running: it was cancelled; only a running build can be cancelled`,
      );
    } finally {
      emulator.setBuildStepMs(20);
    }
  });
});
