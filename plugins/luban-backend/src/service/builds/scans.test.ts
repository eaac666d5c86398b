import { catalogConditions, createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import { AuthorizeResult, isPermission, type PolicyDecision } from '@backstage/plugin-permission-common';
import type { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import { DEMO } from '@luban-backstage/emulator';
import {
  harborProjectName,
  lubanPromotionReadPermission,
  type LubanBuild,
  type LubanPromotionState,
} from '@luban-backstage/plugin-luban-common';
import request from 'supertest';
import { DEMO_ENTITY_PATH, startLubanBackend } from '../../__testUtils__/lubanBackend';
import { watchedRootLogger } from '../../__testUtils__/waiting';
import { lubanPolicyDecision } from '../../permissions/policy';

const PROJECT = harborProjectName(DEMO.project);
const BUILD_2 = `${DEMO.app}-build-2`;

/**
 * luban's policy, except that only an app's owners may read its delivery
 * (what runs where, scans, SBOMs): an SBOM lists everything an image is made of.
 */
class OwnersReadDelivery implements PermissionPolicy {
  async handle(query: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    if (user && isPermission(query.permission, lubanPromotionReadPermission)) {
      return createCatalogConditionalDecision(query.permission, catalogConditions.isEntityOwner({ claims: user.info.ownershipEntityRefs }));
    }
    return lubanPolicyDecision(query, user) ?? { result: AuthorizeResult.ALLOW };
  }
}

/**
 * Harbor's scan and SBOM of each build and environment, and the SBOM's
 * download. Harbor 2.11 keeps a generated SBOM as an accessory of the
 * artifact (`sbom_overview.sbom_digest`) and serves the document as that
 * accessory's `sbom` addition (goharbor/harbor
 * src/controller/artifact/processor/sbom/sbom.go; the portal's
 * artifact-sbom.component.ts downloads it so).
 */
describe('scans and SBOMs of builds and environments', () => {
  const logs = watchedRootLogger();
  let backend: Awaited<ReturnType<typeof startLubanBackend>>;
  let digest: string;
  let harborPage: string;

  beforeAll(async () => {
    backend = await startLubanBackend({ features: [logs.factory], policy: new OwnersReadDelivery() });
    const build = backend.emulator.kubernetes.list('builds', `ci-${DEMO.project}`).find(b => b.metadata.name === BUILD_2)!;
    digest = build.status.latestImage.split('@')[1];
    // Before luban reads it: a scan with findings, so that the counts shown are Harbor's.
    backend.emulator.harbor.api.setScanResult(PROJECT, DEMO.app, digest, { Critical: 1, High: 2, Low: 4 });
    const { url, username, password } = backend.emulator.harbor;
    const project = await fetch(`${url}/api/v2.0/projects/${PROJECT}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    }).then(r => r.json());
    harborPage = `${url}/harbor/projects/${project.project_id}/repositories/${DEMO.app}/artifacts-tab/artifacts/${digest}`;
  });
  afterAll(() => backend?.stop());

  const get = (path: string, auth = backend.owner) => request(backend.server).get(`${DEMO_ENTITY_PATH}${path}`).set('Authorization', auth);
  const downloads = () => logs.lines.filter(l => l.meta.isAuditEvent && l.message === 'luban.luban-sbom-download' && l.meta.status !== 'initiated');
  const harborRequests = () => backend.emulator.requests.entries().filter(r => r.system === 'harbor');

  it('shows a build’s scan, Harbor’s page of its artifact and its SBOM; a warm view asks Harbor nothing', async () => {
    backend.emulator.requests.clear();
    const cold = await get(`/builds/${BUILD_2}`);
    expect(cold.status).toBe(200);
    const { vulnerabilities } = cold.body as LubanBuild;
    expect(vulnerabilities).toEqual({
      critical: 1,
      high: 2,
      medium: 0,
      low: 4,
      scanned: true,
      scanStatus: 'scanned',
      url: harborPage,
      sbom: { state: 'ready', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    });
    expect((cold.body as LubanBuild).registryUrl).toBe(harborPage);
    // One artifact read (with its scan and SBOM overviews); the project id for the page was looked up before, or now.
    expect(harborRequests().filter(r => decodeURIComponent(r.path).includes(`/artifacts/${digest}?`))).toHaveLength(1);

    backend.emulator.requests.clear();
    expect((await get(`/builds/${BUILD_2}`)).body).toEqual(cold.body);
    // The list shows the newest succeeded builds with their scans, from the same cache.
    const list = await get('/builds');
    expect(list.body.builds.find((b: LubanBuild) => b.name === BUILD_2).vulnerabilities).toEqual(vulnerabilities);
    expect(harborRequests().filter(r => decodeURIComponent(r.path).includes(`/artifacts/${digest}`))).toEqual([]);
  });

  it('shows each environment’s scan with Harbor’s page and the SBOM, as the gate reasons link it', async () => {
    const state = (await get('/promotion')).body as LubanPromotionState;
    const snd = state.environments.find(e => e.name === 'snd')!;
    expect(snd.digest).toBe(digest);
    expect(snd.vulnerabilities).toMatchObject({ critical: 1, high: 2, url: harborPage, sbom: { state: 'ready' } });

    const dryRun = await request(backend.server)
      .post(`${DEMO_ENTITY_PATH}/promotion/promote`)
      .set('Authorization', backend.owner)
      .send({ from: 'snd', to: 'prd', dryRun: true });
    expect(dryRun.status).toBe(200);
    expect(dryRun.body.gates.find((g: { gate: string }) => g.gate === 'vulnerabilities')).toMatchObject({ url: harborPage });
  });

  it('downloads the SBOM Harbor holds, byte for byte, as SPDX JSON, and audits the download', async () => {
    const before = downloads().length;
    const response = await get(`/sbom/${digest}`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/spdx+json');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${DEMO.app}-${digest.slice(7, 19)}.spdx.json"`);
    expect((response.body as Buffer).toString()).toBe(backend.emulator.harbor.api.sbomDocument(PROJECT, DEMO.app, digest));
    expect(JSON.parse((response.body as Buffer).toString())).toMatchObject({ spdxVersion: 'SPDX-2.3' });

    expect(downloads().slice(before)).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          status: 'succeeded',
          actor: expect.objectContaining({ actorId: 'user:default/mock' }),
          meta: expect.objectContaining({ entityRef: `component:default/${DEMO.app}`, digest, sbomDigest: expect.stringMatching(/^sha256:/) }),
        }),
      }),
    ]);
  });

  it('refuses another team, which this policy keeps from the delivery, with a 403 before Harbor is asked, and audits it', async () => {
    const before = downloads().length;
    backend.emulator.requests.clear();

    const response = await get(`/sbom/${digest}`, backend.otherTeam);

    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(new RegExp(`^You may not promotion read component:default/${DEMO.app}`));
    expect(backend.emulator.requests.mutating()).toEqual([]);
    expect(harborRequests()).toEqual([]);
    expect(downloads().slice(before)).toEqual([expect.objectContaining({ meta: expect.objectContaining({ status: 'failed' }) })]);
  });

  it('answers 400 for what is not a digest and 404 while Harbor still generates the SBOM', async () => {
    backend.emulator.requests.clear();
    const bad = await get('/sbom/latest');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("'latest' is not an image digest (sha256:<64 hex digits>)");
    expect(harborRequests()).toEqual([]);

    backend.emulator.harbor.api.setSbomStatus(PROJECT, DEMO.app, digest, 'Running');
    const generating = await get(`/sbom/${digest}`);
    expect(generating.status).toBe(404);
    expect(generating.body.error.message).toBe(`Harbor has no SBOM of ${digest.slice(7, 19)}: it is being generated`);

    const unknown = await get(`/sbom/sha256:${'0'.repeat(64)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe(`Harbor holds no image ${'0'.repeat(12)} of component:default/${DEMO.app}`);
  });
});
