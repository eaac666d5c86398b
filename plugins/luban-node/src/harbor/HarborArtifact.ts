/**
 * Vulnerability counts by severity, from Harbor's scan overview.
 * @public
 */
export interface VulnerabilitySummary {
  /** Harbor's scan job status: Pending, Running, Success, Error or Stopped. */
  scanStatus: string;
  /** The highest severity found (`None` when clean). */
  severity: string;
  total: number;
  fixable: number;
  bySeverity: Record<string, number>;
}

/**
 * One image in a Harbor repository.
 * @public
 */
export interface HarborArtifact {
  digest: string;
  tags: string[];
  pushedAt: string;
  size: number;
  /** The numeric id of its Harbor project, which the web UI's addresses use. */
  projectId: number;
  vulnerabilities?: VulnerabilitySummary;
  /** Whether an SBOM was generated for it. */
  hasSbom: boolean;
  /**
   * Its SBOM (Harbor 2.11+): `none` when Harbor was not asked for one,
   * `generating` while its scanner works, `failed` after an error or a stop;
   * `digest` names the SBOM accessory once `ready`.
   */
  sbom: { state: 'none' | 'generating' | 'ready' | 'failed'; digest?: string };
}

/**
 * The vulnerability report MIME types luban reads, in order: Harbor keys an
 * artifact's scan overview by the first accepted one its scanner produced a
 * report in (Trivy: v1.1; older adapters: the native v1.0 only).
 */
export const SCAN_REPORTS = [
  'application/vnd.security.vulnerability.report; version=1.1',
  'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0',
];

/**
 * An SBOM's state from `sbom_overview.scan_status`, a scan job status
 * (goharbor/harbor src/pkg/scan/sbom/sbom.go GetSummary; the portal's
 * SBOM_SCAN_STATUS: Pending, Running, Stopped, Error, Success).
 */
function sbomOf(overview: { scan_status?: string; sbom_digest?: string | null } | undefined): HarborArtifact['sbom'] {
  switch (overview?.scan_status) {
    case undefined:
      return { state: 'none' };
    case 'Success':
      return overview.sbom_digest ? { state: 'ready', digest: overview.sbom_digest } : { state: 'failed' };
    case 'Pending':
    case 'Running':
    case 'Scheduled':
      return { state: 'generating' };
    default:
      return { state: 'failed' };
  }
}

/** An artifact of Harbor's API (`models.Artifact`) as luban reads it. */
export function toHarborArtifact(raw: any): HarborArtifact {
  const report = SCAN_REPORTS.map(mime => raw.scan_overview?.[mime]).find(Boolean);
  const sbom = sbomOf(raw.sbom_overview ?? undefined);
  return {
    digest: raw.digest,
    tags: (raw.tags ?? []).map((t: { name: string }) => t.name),
    pushedAt: raw.push_time,
    size: raw.size,
    projectId: raw.project_id,
    // Harbor shows an sbom_overview while the SBOM is generated or after it failed: only Success has one.
    hasSbom: sbom.state === 'ready',
    sbom,
    vulnerabilities: report
      ? {
          scanStatus: report.scan_status,
          severity: report.severity,
          total: report.summary?.total ?? 0,
          fixable: report.summary?.fixable ?? 0,
          bySeverity: report.summary?.summary ?? {},
        }
      : undefined,
  };
}
