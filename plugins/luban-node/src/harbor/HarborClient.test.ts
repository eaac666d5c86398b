import { inspect } from 'node:util';
import { ConfigReader } from '@backstage/config';
import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { HarborClient } from './HarborClient';

describe('HarborClient', () => {
  let emulator: RunningEmulator;
  let harbor: HarborClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    harbor = new HarborClient({
      baseUrl: emulator.harbor.url,
      username: emulator.harbor.username,
      password: emulator.harbor.password,
    });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it('creates a project with the configured settings, then leaves it alone', async () => {
    const first = await harbor.ensureProject('acme');
    expect(first.result).toBe('created');
    expect(first.project?.metadata).toMatchObject({ public: 'false', auto_scan: 'true', severity: 'critical' });

    emulator.requests.clear();
    expect((await harbor.ensureProject('acme')).result).toBe('unchanged');
    expect(emulator.requests.mutating()).toEqual([]);
  });

  it('brings an existing project back to the configured settings', async () => {
    emulator.harbor.api.createProject('acme', { public: 'true' });
    const result = await harbor.ensureProject('acme');
    expect(result.result).toBe('updated');
    expect(result.project?.metadata.public).toBe('false');
  });

  it('only reads in a dry run', async () => {
    emulator.requests.clear();
    expect((await harbor.ensureProject('acme', { dryRun: true })).result).toBe('created');
    expect(emulator.requests.mutating()).toEqual([]);
    expect(await harbor.getProject('acme')).toBeUndefined();
  });

  it('creates a project-scoped robot whose secret works, and rotates it', async () => {
    const { project } = await harbor.ensureProject('acme');
    const { robot, secret } = await harbor.createRobot(project!, 'luban');
    expect(robot.name).toBe('robot$acme+luban');
    expect((await harbor.findRobot(project!, 'luban'))?.id).toBe(robot.id);

    const asRobot = (value: string) =>
      fetch(`${emulator.harbor.url}/api/v2.0/projects/acme/repositories`, {
        headers: { Authorization: `Basic ${Buffer.from(`${robot.name}:${value}`).toString('base64')}` },
      }).then(r => r.status);
    expect(await asRobot(secret.reveal())).toBe(200);

    const rotated = await harbor.rotateRobotSecret(robot);
    expect(rotated.reveal()).not.toBe(secret.reveal());
    expect(await asRobot(rotated.reveal())).toBe(200);
    expect(await asRobot(secret.reveal())).toBe(401);
  });

  it('creates a pull-only robot: Harbor stores only repository pull, and the registry refuses its push', async () => {
    const { project } = await harbor.ensureProject('acme');
    const { robot, secret } = await harbor.createRobot(project!, 'luban-pull', 'pull');
    expect(robot.name).toBe('robot$acme+luban-pull');
    const admin = `Basic ${Buffer.from(`${emulator.harbor.username}:${emulator.harbor.password}`).toString('base64')}`;
    const stored = await fetch(`${emulator.harbor.url}/api/v2.0/robots/${robot.id}`, { headers: { Authorization: admin } });
    expect((await stored.json()).permissions).toEqual([
      { kind: 'project', namespace: 'acme', access: [expect.objectContaining({ resource: 'repository', action: 'pull' })] },
    ]);

    const { digest } = emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'team/api', tags: ['v1'] });
    const asPullRobot = { Authorization: `Basic ${Buffer.from(`${robot.name}:${secret.reveal()}`).toString('base64')}` };
    const pull = await fetch(`${emulator.harbor.url}/v2/acme/team/api/manifests/${digest}`, { method: 'HEAD', headers: asPullRobot });
    expect(pull.status).toBe(200);
    const push = await fetch(`${emulator.harbor.url}/v2/acme/team/api/blobs/uploads/`, { method: 'POST', headers: asPullRobot });
    expect(push.status).toBe(401);
    expect((await push.json()).errors[0].message).toBe('unauthorized to access repository: acme/team/api, action: push');
  });

  it('never lets a robot secret out through JSON, strings or logs', async () => {
    const { project } = await harbor.ensureProject('acme');
    const { secret } = await harbor.createRobot(project!, 'luban');
    const value = secret.reveal();
    for (const rendered of [
      JSON.stringify({ secret }),
      String(secret),
      `${secret}`,
      inspect({ nested: { secret } }),
    ]) {
      expect(rendered).not.toContain(value);
      expect(rendered).toContain('[redacted robot secret]');
    }
    const docker = JSON.parse(secret.dockerConfigJson('harbor.example.com'));
    expect(docker.auths['harbor.example.com']).toEqual({
      username: 'robot$acme+luban',
      password: value,
      auth: Buffer.from(`robot$acme+luban:${value}`).toString('base64'),
    });
  });

  it('lists artifacts with digests, tags, vulnerability summaries and SBOM presence', async () => {
    await harbor.ensureProject('acme');
    const old = emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'team/api', tags: ['latest'] });
    const current = emulator.harbor.api.pushArtifact({
      project: 'acme',
      repository: 'team/api',
      tags: ['latest', 'v2'],
      vulnerabilities: { Critical: 1, High: 3 },
      sbom: true,
    });
    const { artifacts, total } = await harbor.listArtifacts('acme', 'team/api');
    expect(total).toBe(2);
    expect(artifacts[0]).toMatchObject({
      digest: current.digest,
      tags: expect.arrayContaining(['latest', 'v2']),
      hasSbom: true,
      vulnerabilities: { severity: 'Critical', bySeverity: expect.objectContaining({ Critical: 1, High: 3 }) },
    });
    expect(artifacts[1]).toMatchObject({ digest: old.digest, tags: [] });
    expect(await harbor.getArtifact('acme', 'team/api', current.digest)).toMatchObject({ digest: current.digest });
    expect(await harbor.getArtifact('acme', 'team/api', `sha256:${'0'.repeat(64)}`)).toBeUndefined();
  });

  it('reads an SBOM’s state from the artifact, downloads the document by its accessory, and links the artifact’s page', async () => {
    const { project } = await harbor.ensureProject('acme');
    const { digest } = emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'team/api', tags: ['v1'], sbom: true });

    const artifact = await harbor.getArtifact('acme', 'team/api', digest);
    expect(artifact).toMatchObject({ projectId: project!.projectId, hasSbom: true, sbom: { state: 'ready', digest: expect.stringMatching(/^sha256:/) } });
    expect(harbor.artifactWebUrl({ projectId: artifact!.projectId, repository: 'team/api', digest })).toBe(
      `${emulator.harbor.url}/harbor/projects/${project!.projectId}/repositories/team%2Fapi/artifacts-tab/artifacts/${digest}`,
    );

    // Harbor's SBOM processor answers with its media type (processor/sbom/sbom.go).
    const sbom = await harbor.getSbom('acme', 'team/api', artifact!.sbom.digest!);
    expect(sbom?.contentType).toBe('application/vnd.goharbor.harbor.sbom.v1');
    expect(sbom?.content.toString()).toBe(emulator.harbor.api.sbomDocument('acme', 'team/api', digest));
    expect(await harbor.getSbom('acme', 'team/api', `sha256:${'0'.repeat(64)}`)).toBeUndefined();

    emulator.harbor.api.setSbomStatus('acme', 'team/api', digest, 'Running');
    expect((await harbor.getArtifact('acme', 'team/api', digest))?.sbom).toEqual({ state: 'generating' });
    emulator.harbor.api.setSbomStatus('acme', 'team/api', digest, 'Error');
    expect((await harbor.getArtifact('acme', 'team/api', digest))).toMatchObject({ hasSbom: false, sbom: { state: 'failed' } });
    // A project without automatic SBOM generation: Harbor has no sbom_overview at all.
    emulator.harbor.api.createProject('bare', { auto_sbom_generation: 'false' });
    const bare = emulator.harbor.api.pushArtifact({ project: 'bare', repository: 'api', tags: ['v1'] });
    expect((await harbor.getArtifact('bare', 'api', bare.digest))?.sbom).toEqual({ state: 'none' });
  });

  it('reports failures as typed errors naming Harbor, never the password', async () => {
    const wrong = new HarborClient({ baseUrl: emulator.harbor.url, username: 'admin', password: 'canary-password-77' });
    const error = await wrong.ensureProject('acme').catch(e => e);
    expect(error.name).toBe('AuthenticationError');
    // Harbor treats unknown credentials as anonymous: the read says 404, the create 401.
    expect(error.message).toMatch(/^Harbor at 127\.0\.0\.1:\d+ could not create project 'acme' \(401\): unauthorized\. Check the credentials/);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain('canary-password-77');

    // A robot may push and pull, not create projects.
    const { project } = await harbor.ensureProject('acme');
    const { robot, secret } = await harbor.createRobot(project!, 'luban');
    const asRobot = new HarborClient({ baseUrl: emulator.harbor.url, username: robot.name, password: secret.reveal() });
    await expect(asRobot.ensureProject('other')).rejects.toMatchObject({ name: 'NotAllowedError' });

    emulator.faults.fail({ system: 'harbor', method: 'POST', path: '/api/v2.0/projects', status: 503 });
    await expect(harbor.ensureProject('acme2')).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
  });

  it('reads luban.harbor, with the password from the environment when asked', () => {
    process.env.LUBAN_TEST_HARBOR_PASSWORD = 'from-env';
    const client = HarborClient.fromConfig(
      new ConfigReader({ luban: { harbor: { baseUrl: 'https://harbor.example.com/', username: 'svc', passwordEnv: 'LUBAN_TEST_HARBOR_PASSWORD' } } }),
    );
    expect(client?.registryHost).toBe('harbor.example.com');
    expect(HarborClient.fromConfig(new ConfigReader({}))).toBeUndefined();
    expect(() =>
      HarborClient.fromConfig(new ConfigReader({ luban: { harbor: { baseUrl: 'https://h', username: 'svc' } } })),
    ).toThrow('luban.harbor needs a password');
    expect(() =>
      HarborClient.fromConfig(
        new ConfigReader({ luban: { harbor: { baseUrl: 'https://h', username: 'svc', password: 'x', projectDefaults: { severity: 'urgent' } } } }),
      ),
    ).toThrow("luban.harbor.projectDefaults.severity must be one of none, low, medium, high, critical; got 'urgent'");
  });
});
