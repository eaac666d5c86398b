import { startEmulator, type RunningEmulator } from '../index';

const DIGEST = `sha256:${'c'.repeat(64)}`;

/**
 * The SBOM of an artifact as Harbor 2.11 serves it: `sbom_overview.sbom_digest`
 * names the accessory, whose `sbom` addition is the document
 * (goharbor/harbor src/controller/artifact/processor/sbom/sbom.go; the portal's
 * artifact-sbom.component.ts downloads it this way).
 */
describe('emulated Harbor SBOM accessory', () => {
  let emulator: RunningEmulator;
  let admin: string;

  const harbor = (path: string, auth: string | null = admin) =>
    fetch(`${emulator.harbor.url}/api/v2.0${path}`, { headers: auth ? { Authorization: auth } : {} });
  const artifacts = '/projects/acme/repositories/team%252Fapi/artifacts';

  beforeAll(async () => {
    emulator = await startEmulator();
    admin = `Basic ${Buffer.from(`${emulator.harbor.username}:${emulator.harbor.password}`).toString('base64')}`;
  });
  afterAll(() => emulator.stop());
  beforeEach(async () => {
    await emulator.reset();
    emulator.harbor.api.createProject('acme', { public: 'false' });
  });

  it('serves the SPDX document as the accessory’s sbom addition, with the SBOM processor’s media type', async () => {
    emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'team/api', digest: DIGEST, tags: ['v1'], sbom: true });
    const artifact = await (await harbor(`${artifacts}/${DIGEST}?with_sbom_overview=true`)).json();
    const sbomDigest = artifact.sbom_overview.sbom_digest;
    expect(sbomDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const answer = await harbor(`${artifacts}/${sbomDigest}/additions/sbom`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/vnd.goharbor.harbor.sbom.v1');
    const text = await answer.text();
    expect(text).toBe(emulator.harbor.api.sbomDocument('acme', 'team/api', DIGEST));
    const document = JSON.parse(text);
    expect(document).toMatchObject({ spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: `acme/team/api@${DIGEST}` });
    expect(document.packages[0]).toMatchObject({ versionInfo: DIGEST, primaryPackagePurpose: 'CONTAINER' });
  });

  it('has no sbom addition on the image itself, none while the SBOM is generated, and none for a stranger', async () => {
    emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'team/api', digest: DIGEST, tags: ['v1'], sbom: true });
    const sbomDigest = (await (await harbor(`${artifacts}/${DIGEST}?with_sbom_overview=true`)).json()).sbom_overview.sbom_digest;

    // processor/image/manifest_v2.go: an image answers build_history only.
    const onImage = await harbor(`${artifacts}/${DIGEST}/additions/sbom`);
    expect(onImage.status).toBe(400);

    expect((await harbor(`${artifacts}/${sbomDigest}/additions/sbom`, null)).status).toBe(401);

    emulator.harbor.api.setSbomStatus('acme', 'team/api', DIGEST, 'Running');
    expect((await harbor(`${artifacts}/${sbomDigest}/additions/sbom`)).status).toBe(404);
    expect(emulator.harbor.api.sbomDocument('acme', 'team/api', DIGEST)).toBeUndefined();
  });
});
