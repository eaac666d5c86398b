import { evaluateGates, type GateInputs } from './gates';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OLD = `sha256:${'b'.repeat(64)}`;
const IMAGE = 'harbor.example/payments/ledger-api';

function inputs(argoCd: GateInputs['argoCd']): GateInputs {
  return {
    source: 'snd',
    gates: { requireSynced: true, requireHealthy: true, requireBuildSucceeded: false, blockSeverity: 'NONE', minSoakMinutes: 0 },
    digest: DIGEST,
    argoCd,
    now: new Date(),
  };
}

const synced = (gateInputs: GateInputs) => evaluateGates(gateInputs).find(result => result.gate === 'synced');

describe('the synced gate', () => {
  it('passes when Argo CD is Synced and runs the digest being promoted', () => {
    const result = synced(inputs({ application: 'snd-payments-ledger-api', syncStatus: 'Synced', healthStatus: 'Healthy', images: [`${IMAGE}@${DIGEST}`] }));

    expect(result).toEqual({ gate: 'synced', passed: true, reason: 'snd is Synced (snd-payments-ledger-api)' });
  });

  // Argo CD stays Synced to the previous commit until it reads git again (argo-cd controller/appcontroller.go:
  // timeout.reconciliation, 120 s by default), so the digest just committed to snd's overlay does not run there yet.
  it('refuses while Argo CD, still Synced to the commit before, runs another digest', () => {
    const result = synced(inputs({ application: 'snd-payments-ledger-api', syncStatus: 'Synced', healthStatus: 'Healthy', images: [`${IMAGE}@${OLD}`] }));

    expect(result).toEqual({
      gate: 'synced',
      passed: false,
      reason: `snd is Synced (snd-payments-ledger-api), but Argo CD does not run ${DIGEST.slice(7, 19)} there yet (it runs ${OLD.slice(7, 19)})`,
    });
  });

  it('refuses an OutOfSync application, whatever it runs', () => {
    const result = synced(inputs({ application: 'snd-payments-ledger-api', syncStatus: 'OutOfSync', healthStatus: 'Healthy', images: [`${IMAGE}@${DIGEST}`] }));

    expect(result).toMatchObject({ passed: false, reason: 'snd is OutOfSync, not Synced (snd-payments-ledger-api)' });
  });
});

describe('the vulnerabilities gate', () => {
  const HARBOR_PAGE = `https://harbor.example/harbor/projects/7/repositories/ledger-api/artifacts-tab/artifacts/${DIGEST}`;
  const scanned = { critical: 0, high: 2, medium: 1, low: 0, scanned: true, scanStatus: 'scanned' as const, url: HARBOR_PAGE };
  const vulnerabilityGate = (vulnerabilities: GateInputs['vulnerabilities']) =>
    evaluateGates({ ...inputs(undefined), gates: { ...inputs(undefined).gates, blockSeverity: 'HIGH' }, vulnerabilities }).find(
      result => result.gate === 'vulnerabilities',
    );

  it('refuses with the counts at or above the blocking severity, linking Harbor’s page of the artifact', () => {
    expect(vulnerabilityGate(scanned)).toEqual({
      gate: 'vulnerabilities',
      passed: false,
      reason: `${DIGEST.slice(7, 19)} has 2 HIGH vulnerabilities (blocked at HIGH and above)`,
      url: HARBOR_PAGE,
    });
    expect(vulnerabilityGate({ ...scanned, high: 0 })).toMatchObject({ passed: true, url: HARBOR_PAGE });
  });

  it('says a scan still runs, or failed, and links where to follow it', () => {
    expect(vulnerabilityGate({ ...scanned, high: 0, scanned: false, scanStatus: 'scanning' })).toEqual({
      gate: 'vulnerabilities',
      passed: false,
      reason: `Harbor has not scanned ${DIGEST.slice(7, 19)} yet (it is being scanned); it must be scanned before promotion`,
      url: HARBOR_PAGE,
    });
    expect(vulnerabilityGate({ ...scanned, scanned: false, scanStatus: 'failed' })?.reason).toContain('(its scan failed)');
    // Without Harbor's page (an artifact Harbor does not hold) the reason stands alone.
    expect(vulnerabilityGate({ ...scanned, url: undefined })).not.toHaveProperty('url');
  });
});
