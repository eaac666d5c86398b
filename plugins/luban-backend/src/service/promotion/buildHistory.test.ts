import { DEMO } from '@luban-backstage/emulator';
import type { LubanChangeResult, LubanPromotionState } from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { untilServed } from '../../__testUtils__/waiting';

/**
 * kpack deletes an Image's oldest Builds beyond its history limits (kpack pkg/reconciler/image/image.go
 * deleteOldBuilds; 10 successful and 10 failed by default): a digest that runs in an environment can
 * outlive the Build that produced it. Its image in Harbor keeps the build's tag `b<N>.<date>.<time>`
 * (kpack pkg/apis/build/v1alpha2/image_builds.go generateTags).
 */
describe('promotion of a digest whose kpack Build was deleted under the history limit', () => {
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  const namespace = `ci-${DEMO.project}`;

  /** `kubectl patch --type merge` of a kpack object, as anyone with access to the cluster would. */
  async function patch(plural: string, name: string, body: object) {
    const { url, token } = { url: backend.emulator.kubernetes.url, token: backend.emulator.token };
    const response = await fetch(`${url}/apis/kpack.io/v1alpha2/namespaces/${namespace}/${plural}/${name}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    await backend.emulator.settled();
  }

  beforeAll(async () => {
    // No auto-deploy: snd keeps running Build 2's digest after the newer build.
    backend = await startLubanBackend({ config: { luban: { gitops: { autoDeploy: 'off' } } } });
    // Keep one successful Build, then build once more: Builds 1 and 2 (what prd and snd run) are deleted.
    await patch('images', DEMO.app, { spec: { successBuildHistoryLimit: 1 } });
    const [newest] = backend.emulator.kubernetes
      .list('builds', namespace)
      .sort((a, b) => Number(b.metadata.labels?.['image.kpack.io/buildNumber']) - Number(a.metadata.labels?.['image.kpack.io/buildNumber']));
    await patch('builds', newest.metadata.name, { metadata: { annotations: { 'image.kpack.io/additionalBuildNeeded': 'true' } } });
  });
  afterAll(() => backend?.stop());

  const promotionState = async () =>
    (await request(backend.server).get(`${DEMO_ENTITY_PATH}/promotion`).set('Authorization', backend.owner)).body as LubanPromotionState;

  /** Reads until luban's informer has seen the Builds go. */
  const untilBuildsGone = () =>
    untilServed(async () => {
      const state = await promotionState();
      return state.environments.every(env => env.build === undefined) ? state : undefined;
    });

  it('shows the environments without a Build rather than failing, and passes the build gate on the image kpack pushed', async () => {
    // Only the newest Build is left: one (or two, when the Image's edit built once more) after Build 2.
    const remaining = backend.emulator.kubernetes.list('builds', namespace).map(b => Number(b.metadata.labels?.['image.kpack.io/buildNumber']));
    expect(remaining).toEqual([expect.any(Number)]);
    expect(remaining[0]).toBeGreaterThan(2);

    const state = await untilBuildsGone();
    const [snd, prd] = state.environments;
    expect(snd).toMatchObject({ digest: expect.stringMatching(/^sha256:/), vulnerabilities: { scanned: true } });
    expect(snd.problems).toBeUndefined();
    expect(prd.problems).toBeUndefined();

    const response = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: 'prd', dryRun: true });

    expect(response.status).toBe(200);
    const gate = (response.body as LubanChangeResult).gates.find(g => g.gate === 'build-succeeded');
    expect(gate).toEqual({
      gate: 'build-succeeded',
      passed: true,
      reason: expect.stringMatching(
        new RegExp(`^Build #2 produced ${snd.digest!.slice(7, 19)} \\(Harbor holds it as b2\\.\\d{8}\\.\\d{6}\\); kpack has since deleted the Build under its build history limit$`),
      ),
    });
  });
});
