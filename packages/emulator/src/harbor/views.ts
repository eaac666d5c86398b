import {
  SEVERITIES,
  type ArtifactRecord,
  type ProjectRecord,
  type RepositoryRecord,
  type RobotRecord,
  type TagRecord,
} from './model';

/**
 * Harbor's JSON models (goharbor/harbor `api/v2.0/swagger.yaml`, the
 * `ToSwagger` methods of `server/v2.0/handler/model`). go-swagger omits
 * empty scalars unless `x-omitempty: false`, but writes nil slices as null.
 */

/** How Go writes a zero `time.Time` through strfmt.DateTime. */
export const ZERO_TIME = '0001-01-01T00:00:00.000Z';
/** The report MIME type Trivy's summaries are keyed by. */
export const VULNERABILITY_REPORT_MIME =
  'application/vnd.security.vulnerability.report; version=1.1';
/** The native report MIME type: older scanner adapters produce only this one. */
export const HARBOR_REPORT_MIME =
  'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
/** Harbor's default robot name prefix (`robot_name_prefix`). */
export const DEFAULT_ROBOT_NAME_PREFIX = 'robot$';
/** The scanner Harbor ships with. */
export const TRIVY_SCANNER = {
  name: 'Trivy',
  vendor: 'Aqua Security',
  version: 'v0.51.2',
};

const CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';
const MANIFEST_MEDIA_TYPE =
  'application/vnd.docker.distribution.manifest.v2+json';
/** The icon digest Harbor gives every container image. */
const IMAGE_ICON =
  'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06';
/** Metadata keys of the ProjectMetadata model; others are dropped when the body is bound. */
export const PROJECT_METADATA_KEYS = [
  'public',
  'enable_content_trust',
  'enable_content_trust_cosign',
  'prevent_vul',
  'severity',
  'auto_scan',
  'auto_sbom_generation',
  'reuse_sys_cve_allowlist',
  'retention_id',
  'proxy_speed_kb',
] as const;

/** Who is asking; Harbor fills the role fields of a project for local users only. */
export type Viewer = 'admin' | 'robot' | 'anonymous';

/** A Tag as the tag list and an artifact's `tags` carry it. */
export function tagJson(tag: TagRecord) {
  return {
    artifact_id: tag.artifactId,
    id: tag.id,
    immutable: false,
    name: tag.name,
    pull_time: ZERO_TIME,
    push_time: tag.pushTime.toISOString(),
    repository_id: tag.repositoryId,
  };
}

/** A Project as GET /projects and GET /projects/{id} return it. */
export function projectJson(
  project: ProjectRecord,
  repoCount: number,
  viewer: Viewer,
) {
  const metadata: Record<string, string> = {};
  for (const key of PROJECT_METADATA_KEYS) {
    if (project.metadata[key] !== undefined && project.metadata[key] !== '') {
      metadata[key] = project.metadata[key];
    }
  }
  // The admin owns every project (Harbor makes the creator, or the admin for robots, its project admin).
  const roles =
    viewer === 'admin'
      ? { current_user_role_id: 1, current_user_role_ids: [1] }
      : {};
  return {
    creation_time: project.creationTime.toISOString(),
    ...roles,
    cve_allowlist: {
      creation_time: ZERO_TIME,
      id: project.cveAllowlistId,
      items: [],
      project_id: project.id,
      update_time: ZERO_TIME,
    },
    metadata,
    name: project.name,
    owner_id: project.ownerId,
    owner_name: project.ownerName,
    project_id: project.id,
    repo_count: repoCount,
    update_time: project.updateTime.toISOString(),
  };
}

/** A Repository. */
export function repositoryJson(
  repository: RepositoryRecord,
  artifactCount: number,
) {
  return {
    artifact_count: artifactCount,
    creation_time: repository.creationTime.toISOString(),
    id: repository.id,
    name: repository.name,
    project_id: repository.projectId,
    pull_count: repository.pullCount,
    update_time: repository.updateTime.toISOString(),
  };
}

/** Encodes a repository name for a path as Harbor's links do (`a/b` → `a%252Fb`). */
export function encodeRepositoryName(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}

/** The repository part of a full name (`acme/api/web` → `api/web`). */
function shortName(fullName: string): string {
  return fullName.slice(fullName.indexOf('/') + 1);
}

/** The highest severity with a finding, or None. */
function overallSeverity(counts: Record<string, number>): string {
  return SEVERITIES.find(severity => counts[severity] > 0) ?? 'None';
}

/** A NativeReportSummary (the value of a scan_overview entry). */
function reportSummary(artifact: ArtifactRecord) {
  const scan = artifact.scan!;
  const total = SEVERITIES.reduce(
    (sum, severity) => sum + scan.counts[severity],
    0,
  );
  const summary: Record<string, number> = {};
  for (const severity of SEVERITIES) {
    if (scan.counts[severity] > 0) summary[severity] = scan.counts[severity];
  }
  return {
    complete_percent: 100,
    duration: Math.round(
      (scan.endTime.getTime() - scan.startTime.getTime()) / 1000,
    ),
    end_time: scan.endTime.toISOString(),
    report_id: scan.reportId,
    scan_status: 'Success',
    scanner: TRIVY_SCANNER,
    severity: overallSeverity(scan.counts),
    start_time: scan.startTime.toISOString(),
    summary: { fixable: scan.fixable, summary, total },
  };
}

/** Which optional parts of an artifact the request asked for. */
export interface ArtifactOptions {
  withTag: boolean;
  withScanOverview: boolean;
  withSbomOverview: boolean;
  withAccessory: boolean;
  /** The first MIME type of `X-Accept-Vulnerabilities` the scanner produces a report in; no overview without one. */
  reportMime?: string;
}

/** An Artifact, with the parts the options ask for. */
export function artifactJson(
  artifact: ArtifactRecord,
  repository: RepositoryRecord,
  options: ArtifactOptions,
) {
  const [projectName] = repository.name.split('/', 1);
  const base = `/api/v2.0/projects/${projectName}/repositories/${encodeRepositoryName(
    shortName(repository.name),
  )}/artifacts/${artifact.digest}/additions`;
  const tags = [...artifact.tags]
    .sort((a, b) => b.pushTime.getTime() - a.pushTime.getTime() || b.id - a.id)
    .map(tagJson);
  const sbom = artifact.sbom;
  const json: Record<string, unknown> = {
    accessories:
      options.withAccessory && sbom && !sbom.status
        ? [
            {
              artifact_id: sbom.accessoryId,
              creation_time: sbom.endTime.toISOString(),
              digest: sbom.digest,
              icon: '',
              id: sbom.accessoryId,
              size: sbom.size,
              subject_artifact_digest: artifact.digest,
              subject_artifact_id: artifact.id,
              subject_artifact_repo: repository.name,
              type: 'harbor.sbom',
            },
          ]
        : null,
    addition_links: {
      build_history: { absolute: false, href: `${base}/build_history` },
      vulnerabilities: { absolute: false, href: `${base}/vulnerabilities` },
    },
    artifact_type: CONFIG_MEDIA_TYPE,
    digest: artifact.digest,
    extra_attrs: {
      architecture: 'amd64',
      author: '',
      config: {
        Env: ['PATH=/cnb/process:/cnb/lifecycle:/usr/local/bin:/usr/bin:/bin'],
        WorkingDir: '/workspace',
      },
      created: artifact.pushTime.toISOString(),
      os: 'linux',
    },
    icon: IMAGE_ICON,
    id: artifact.id,
    labels: null,
    manifest_media_type: MANIFEST_MEDIA_TYPE,
    media_type: CONFIG_MEDIA_TYPE,
    project_id: artifact.projectId,
    pull_time: ZERO_TIME,
    push_time: artifact.pushTime.toISOString(),
    references: null,
    repository_id: artifact.repositoryId,
    repository_name: repository.name,
    size: artifact.size,
    tags: options.withTag && tags.length > 0 ? tags : null,
    type: 'IMAGE',
  };
  if (options.withScanOverview && artifact.scan && options.reportMime) {
    json.scan_overview = { [options.reportMime]: reportSummary(artifact) };
  }
  if (options.withSbomOverview && sbom?.status) {
    // While the SBOM is generated, or after it failed, Harbor takes the status from the scan
    // task and has nothing else (pkg/scan/sbom/sbom.go GetSummary, assembler/report.go).
    json.sbom_overview = {
      duration: null,
      end_time: null,
      report_id: sbom.reportId,
      sbom_digest: null,
      scan_status: sbom.status,
      scanner: null,
      start_time: null,
    };
  } else if (options.withSbomOverview && sbom) {
    json.sbom_overview = {
      duration: Math.round(
        (sbom.endTime.getTime() - sbom.startTime.getTime()) / 1000,
      ),
      end_time: sbom.endTime.toISOString(),
      report_id: sbom.reportId,
      sbom_digest: sbom.digest,
      scan_status: 'Success',
      scanner: TRIVY_SCANNER,
      start_time: sbom.startTime.toISOString(),
    };
  }
  return json;
}

/**
 * The vulnerability report (`vuln.Report`) behind the vulnerabilities
 * addition: one synthetic finding per counted vulnerability.
 */
export function vulnerabilityReport(
  artifact: ArtifactRecord,
  repository: RepositoryRecord,
) {
  const scan = artifact.scan!;
  const vulnerabilities: Record<string, unknown>[] = [];
  for (const severity of SEVERITIES) {
    for (let index = 0; index < scan.counts[severity]; index += 1) {
      const cve = `CVE-2024-${String(
        SEVERITIES.indexOf(severity) * 1000 + index + 1,
      ).padStart(4, '0')}`;
      vulnerabilities.push({
        id: cve,
        package: `lib${severity.toLowerCase()}${index + 1}`,
        version: '1.0.0',
        fix_version: '1.0.1',
        severity,
        description: `A ${severity.toLowerCase()} severity vulnerability (emulated).`,
        links: [`https://avd.aquasec.com/nvd/${cve.toLowerCase()}`],
        layer: null,
        preferred_cvss: {
          score_v3: null,
          score_v2: null,
          vector_v3: '',
          vector_v2: '',
        },
        cwe_ids: [],
        vendor_attributes: null,
      });
    }
  }
  return {
    generated_at: scan.endTime.toISOString(),
    artifact: {
      repository: repository.name,
      digest: artifact.digest,
      mime_type: MANIFEST_MEDIA_TYPE,
    },
    scanner: TRIVY_SCANNER,
    severity: overallSeverity(scan.counts),
    vulnerabilities,
  };
}

/** The name a robot logs in with: `<prefix><project>+<name>` or `<prefix><name>` (`robot$` by default). */
export function robotFullName(robot: RobotRecord, prefix: string): string {
  return `${prefix}${robot.name}`;
}

/** A Robot (never with its secret). */
export function robotJson(robot: RobotRecord, prefix: string) {
  return {
    creation_time: robot.creationTime.toISOString(),
    ...(robot.description ? { description: robot.description } : {}),
    disable: robot.disabled,
    duration: robot.duration,
    editable: true,
    expires_at: robot.expiresAt,
    id: robot.id,
    level: robot.level,
    name: robotFullName(robot, prefix),
    permissions: robot.permissions.map(permission => ({
      access: permission.access.map(access => ({
        action: access.action,
        ...(access.effect ? { effect: access.effect } : {}),
        resource: access.resource,
      })),
      kind: permission.kind,
      namespace: permission.namespace,
    })),
    update_time: robot.updateTime.toISOString(),
  };
}
