import { startEmulator, type RunningEmulator } from '../index';
import { HARBOR_REPORT_MIME, VULNERABILITY_REPORT_MIME } from './views';

const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('emulated Harbor, as Harbor decides', () => {
  let emulator: RunningEmulator;
  let admin: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    admin = basic(emulator.harbor.username, emulator.harbor.password);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  function basic(username: string, password: string) {
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  async function call(path: string, init: { method?: string; auth?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const response = await fetch(`${emulator.harbor.url}/api/v2.0${path}`, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: init.auth ?? admin,
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  const artifact = (headers: Record<string, string> = {}) =>
    call(`/projects/acme/repositories/api/artifacts/${DIGEST}?with_scan_overview=true&with_sbom_overview=true&with_accessory=true`, { headers });

  // goharbor/harbor src/lib/config/metadata/metadatalist.go (robot_name_prefix, ROBOT_NAME_PREFIX, default robot$),
  // src/controller/robot/controller.go populate (the name is the prefix and the stored name).
  it('names robots with the configured robot_name_prefix, and lets them log in only under that name', async () => {
    emulator.harbor.api.createProject('acme');
    emulator.harbor.api.setRobotNamePrefix('ci-bot.');
    const created = await call('/robots', {
      method: 'POST',
      body: {
        name: 'luban',
        level: 'project',
        duration: -1,
        permissions: [{ kind: 'project', namespace: 'acme', access: [{ resource: 'repository', action: 'list' }, { resource: 'repository', action: 'pull' }] }],
      },
    });

    expect(created.json.name).toBe('ci-bot.acme+luban');
    const listed = await call(`/robots?q=${encodeURIComponent('Level=project,ProjectID=2')}`);
    expect(listed.json.map((r: { name: string }) => r.name)).toEqual(['ci-bot.acme+luban']);
    const asRobot = (name: string) => call('/projects/acme/repositories', { auth: basic(name, created.json.secret) });
    expect((await asRobot('ci-bot.acme+luban')).status).toBe(200);
    expect((await asRobot('robot$acme+luban')).status).toBe(401);
  });

  // goharbor/harbor src/server/v2.0/handler/assembler/report.go (the first accepted MIME type with a summary),
  // src/server/v2.0/handler/util.go parseScanReportMimeTypes, api/v2.0/swagger.yaml (X-Accept-Vulnerabilities default).
  it('keys the scan overview by the first accepted MIME type the scanner produced a report in', async () => {
    emulator.harbor.api.createProject('acme');
    emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'api', digest: DIGEST, tags: ['b1.20261207.090000'], vulnerabilities: { High: 2 } });

    // Trivy produces the v1.1 report only; the default accepts v1.1 first.
    expect(Object.keys((await artifact()).json.scan_overview)).toEqual([VULNERABILITY_REPORT_MIME]);

    emulator.harbor.api.setScannerReportMimeTypes([HARBOR_REPORT_MIME]);
    const native = (await artifact()).json.scan_overview;
    expect(Object.keys(native)).toEqual([HARBOR_REPORT_MIME]);
    expect(native[HARBOR_REPORT_MIME]).toMatchObject({ scan_status: 'Success', severity: 'High', summary: { total: 2 } });
    expect((await artifact({ 'X-Accept-Vulnerabilities': VULNERABILITY_REPORT_MIME })).json.scan_overview).toBeUndefined();
    // A header naming no type Harbor knows falls back to the native type.
    expect(Object.keys((await artifact({ 'X-Accept-Vulnerabilities': 'application/json' })).json.scan_overview)).toEqual([HARBOR_REPORT_MIME]);
    const addition = await call(`/projects/acme/repositories/api/artifacts/${DIGEST}/additions/vulnerabilities`);
    expect(Object.keys(addition.json)).toEqual([HARBOR_REPORT_MIME]);
  });

  // goharbor/harbor src/pkg/scan/sbom/sbom.go GetSummary (no report content yet: the task's status only)
  // and src/server/v2.0/handler/assembler/report.go (sbom_overview from that summary).
  it.each(['Running', 'Error'] as const)('shows an sbom_overview with status %s and no SBOM digest or accessory', async status => {
    emulator.harbor.api.createProject('acme');
    emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'api', digest: DIGEST, tags: [], sbom: true });
    emulator.harbor.api.setSbomStatus('acme', 'api', DIGEST, status);

    const { json } = await artifact();

    expect(json.sbom_overview).toEqual({
      duration: null,
      end_time: null,
      report_id: expect.any(String),
      sbom_digest: null,
      scan_status: status,
      scanner: null,
      start_time: null,
    });
    expect(json.accessories).toBeNull();
  });
});
