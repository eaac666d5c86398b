import { ConfigReader } from '@backstage/config';
import { startEmulator, type RunningEmulator } from '@luban-backstage/emulator';
import { HarborClient } from './HarborClient';

const NATIVE_REPORT = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';

/** What luban reads from a Harbor that is not set up as luban's own tests would have it. */
describe('HarborClient against Harbor’s own rules', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  const client = (harbor: Record<string, string> = {}) =>
    HarborClient.fromConfig(
      new ConfigReader({
        luban: { harbor: { baseUrl: emulator.harbor.url, username: emulator.harbor.username, password: emulator.harbor.password, ...harbor } },
      }),
    )!;

  // goharbor/harbor src/lib/config/metadata/metadatalist.go robot_name_prefix; src/controller/robot/controller.go populate.
  it('finds the robot it created when Harbor’s administrator changed robot_name_prefix (luban.harbor.robotNamePrefix)', async () => {
    emulator.harbor.api.setRobotNamePrefix('ci-bot.');
    const harbor = client({ robotNamePrefix: 'ci-bot.' });
    const { project } = await harbor.ensureProject('acme');

    const { robot, secret } = await harbor.createRobot(project!, 'luban');

    expect(robot.name).toBe('ci-bot.acme+luban');
    expect(harbor.robotName('acme', 'luban')).toBe('ci-bot.acme+luban');
    expect(await harbor.findRobot(project!, 'luban')).toEqual({ id: robot.id, name: 'ci-bot.acme+luban', disabled: false });
    const asRobot = new HarborClient({ baseUrl: emulator.harbor.url, username: robot.name, password: secret.reveal() });
    expect(await asRobot.listArtifacts('acme', 'api')).toEqual({ artifacts: [], total: 0 });
  });

  // goharbor/harbor src/server/v2.0/handler/assembler/report.go: the overview is keyed by the first accepted
  // MIME type with a report; a scanner adapter that produces only the native report keys it so.
  it('reads the scan of a scanner that produces only Harbor’s native report', async () => {
    emulator.harbor.api.setScannerReportMimeTypes([NATIVE_REPORT]);
    const harbor = client();
    await harbor.ensureProject('acme');
    const { digest } = emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'api', tags: ['b1.20261207.090000'], vulnerabilities: { High: 2 } });

    const artifact = await harbor.getArtifact('acme', 'api', digest);

    expect(artifact?.vulnerabilities).toMatchObject({ scanStatus: 'Success', severity: 'High', total: 2, bySeverity: { High: 2 } });
  });

  // goharbor/harbor src/pkg/scan/sbom/sbom.go GetSummary: an sbom_overview exists while the SBOM is generated, and after it failed.
  it.each(['Running', 'Error'] as const)('does not claim an SBOM while its generation is %s', async status => {
    const harbor = client();
    await harbor.ensureProject('acme');
    const { digest } = emulator.harbor.api.pushArtifact({ project: 'acme', repository: 'api', tags: [], sbom: true });
    expect((await harbor.getArtifact('acme', 'api', digest))?.hasSbom).toBe(true);

    emulator.harbor.api.setSbomStatus('acme', 'api', digest, status);

    expect((await harbor.getArtifact('acme', 'api', digest))?.hasSbom).toBe(false);
  });
});
