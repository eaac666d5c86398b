import { createHash, randomBytes } from 'node:crypto';

/**
 * Harbor's records as its database holds them, and the naming and digest
 * rules they obey; shared by the state, the views and the routes.
 */

/** Vulnerability counts per Trivy severity, as `setScanResult` and `pushArtifact` take them. */
export interface VulnerabilityCounts {
  Critical?: number;
  High?: number;
  Medium?: number;
  Low?: number;
  Negligible?: number;
  Unknown?: number;
}

/** The severities from worst to least, as Harbor orders them (`pkg/scan/vuln/severity.go`). */
export const SEVERITIES = [
  'Critical',
  'High',
  'Medium',
  'Low',
  'Negligible',
  'Unknown',
] as const;

/** A project row. */
export interface ProjectRecord {
  id: number;
  name: string;
  ownerId: number;
  ownerName: string;
  /** Harbor stores project metadata as strings ("true", "false", "high"). */
  metadata: Record<string, string>;
  /** Bytes; -1 is unlimited. */
  storageLimit: number;
  creationTime: Date;
  updateTime: Date;
  cveAllowlistId: number;
}

/** A repository row; `name` is the full `<project>/<repository>`. */
export interface RepositoryRecord {
  id: number;
  projectId: number;
  name: string;
  pullCount: number;
  creationTime: Date;
  updateTime: Date;
}

/** A tag row. */
export interface TagRecord {
  id: number;
  name: string;
  repositoryId: number;
  artifactId: number;
  pushTime: Date;
}

/** The finished vulnerability scan of an artifact (Trivy). */
export interface ScanRecord {
  reportId: string;
  counts: Required<VulnerabilityCounts>;
  fixable: number;
  startTime: Date;
  endTime: Date;
}

/** The SBOM Harbor generated for an artifact, stored as an accessory. */
export interface SbomRecord {
  /** Absent once generated; `Running` while Trivy works on it, `Error` when it failed (no SBOM exists then). */
  status?: 'Running' | 'Error';
  reportId: string;
  accessoryId: number;
  digest: string;
  size: number;
  startTime: Date;
  endTime: Date;
}

/** An artifact row (an image manifest). */
export interface ArtifactRecord {
  id: number;
  projectId: number;
  repositoryId: number;
  digest: string;
  size: number;
  pushTime: Date;
  tags: TagRecord[];
  scan?: ScanRecord;
  sbom?: SbomRecord;
}

/** One access of a robot permission. */
export interface RobotAccess {
  resource: string;
  action: string;
  effect?: string;
}

/** One permission of a robot: a scope and the accesses granted in it. */
export interface RobotPermission {
  kind: string;
  namespace: string;
  access: RobotAccess[];
}

/** A robot account row; `name` is stored without the `robot_name_prefix` (`robot$` by default). */
export interface RobotRecord {
  id: number;
  level: 'project' | 'system';
  /** 0 for system robots. */
  projectId: number;
  name: string;
  description: string;
  secret: string;
  duration: number;
  /** Unix seconds; -1 never expires. */
  expiresAt: number;
  disabled: boolean;
  permissions: RobotPermission[];
  creationTime: Date;
  updateTime: Date;
}

/** What `pushArtifact` takes: a registry push of one manifest with its tags. */
export interface PushArtifactInput {
  project: string;
  /** The repository inside the project; may contain `/`. */
  repository: string;
  /** `sha256:<64 hex>`; random when omitted. */
  digest?: string;
  tags: string[];
  /** A finished Trivy scan with these counts; without it the artifact stays unscanned (unless the project auto-scans). */
  vulnerabilities?: VulnerabilityCounts;
  /** Whether an SBOM was generated for the artifact. */
  sbom?: boolean;
  pushedAt?: Date;
  /** Bytes; derived from the digest when omitted. */
  size?: number;
}

/** Harbor's project and robot name rule (`pkg/project/manager.go`, `handler/robot.go`). */
export const NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** A `sha256:` digest as pushes carry it. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** A repository path as the distribution spec allows it (lowercase components separated by `/`). */
export const REPOSITORY_PATTERN =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** A tag as the distribution spec allows it. */
export const TAG_PATTERN = /^\w[\w.-]{0,127}$/;
const SECRET_CHARS =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Harbor's robot secret policy (`controller/robot.IsValidSec`). */
export function isValidSecret(secret: string): boolean {
  return (
    secret.length >= 8 &&
    secret.length <= 128 &&
    /[a-z]/.test(secret) &&
    /[A-Z]/.test(secret) &&
    /\d/.test(secret)
  );
}

/** A random 32-character secret that satisfies the policy (`utils.GenerateRandomString`). */
export function generateSecret(): string {
  for (;;) {
    const bytes = randomBytes(32);
    const secret = Array.from(
      bytes,
      byte => SECRET_CHARS[byte % SECRET_CHARS.length],
    ).join('');
    if (isValidSecret(secret)) return secret;
  }
}

/** A random `sha256:` digest. */
export function randomDigest(): string {
  return `sha256:${createHash('sha256').update(randomBytes(32)).digest('hex')}`;
}

/** Whether a reference names a digest rather than a tag (Harbor tries `digest.Parse`). */
export function isDigest(reference: string): boolean {
  return /^(?:sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/.test(
    reference,
  );
}

/** The version `GET /api/v2.0/systeminfo` reports. */
export const HARBOR_VERSION = 'v2.11.0-emulator';
