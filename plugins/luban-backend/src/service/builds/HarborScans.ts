import type { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { harborProjectName, shortDigest, type LubanVulnerabilities } from '@luban-backstage/plugin-luban-common';
import type { HarborArtifact, HarborClient } from '@luban-backstage/plugin-luban-node';
import type { LubanTarget } from '../EntityTargets';

/** A finished scan changes only when someone rescans: views may show it for a while. */
const FINISHED_SCAN_TTL_MS = 5 * 60_000;
/** A scan or an SBOM still running is asked again soon. */
const PENDING_SCAN_TTL_MS = 20_000;
const MAX_CACHED = 20_000;

/** Harbor's scan job status (Pending, Running, Success, Error, Stopped) as the views say it. */
function scanStatusOf(status: string | undefined): NonNullable<LubanVulnerabilities['scanStatus']> {
  if (status === undefined) return 'not-scanned';
  if (status === 'Success') return 'scanned';
  if (['Pending', 'Running', 'Scheduled'].includes(status)) return 'scanning';
  return 'failed';
}

/**
 * Harbor's artifact of a digest as the views show it: counts by severity,
 * where the scan stands, the SBOM's state and the artifact's page in
 * Harbor. An artifact Harbor does not hold reads as not scanned, with no
 * page and no SBOM.
 */
export function toLubanVulnerabilities(
  harbor: HarborClient,
  repository: string,
  artifact: HarborArtifact | undefined,
): LubanVulnerabilities {
  const summary = artifact?.vulnerabilities;
  const count = (severity: string) => Number(summary?.bySeverity?.[severity] ?? 0);
  return {
    critical: count('Critical'),
    high: count('High'),
    medium: count('Medium'),
    low: count('Low'),
    scanned: summary?.scanStatus === 'Success',
    scanStatus: scanStatusOf(summary?.scanStatus),
    url: artifact ? harbor.artifactWebUrl({ projectId: artifact.projectId, repository, digest: artifact.digest }) : undefined,
    sbom: artifact?.sbom ?? { state: 'none' },
  };
}

/** Whether a scan may still change soon (so that a view asks again). */
export function isPending(value: LubanVulnerabilities): boolean {
  return !value.scanned || value.sbom?.state === 'generating';
}

/**
 * Scans and SBOMs of an app's builds, read from Harbor (one artifact read
 * per digest) and kept for a while: five minutes once finished, 20 seconds
 * while Harbor still works on them.
 */
export class HarborScans {
  private readonly cache = new Map<string, { value: LubanVulnerabilities; expiresAt: number }>();

  constructor(
    private readonly harbor: HarborClient | undefined,
    private readonly logger: LoggerService,
  ) {}

  /** The scan of each digest, from the cache when fresh; a digest Harbor could not be read for is left out. */
  async of(target: LubanTarget, digests: string[]): Promise<Map<string, LubanVulnerabilities>> {
    const found = new Map<string, LubanVulnerabilities>();
    const harbor = this.harbor;
    if (!harbor) return found;
    const project = harborProjectName(target.project);
    await Promise.all(
      [...new Set(digests)].map(async digest => {
        const key = JSON.stringify([project, target.app, digest]);
        const cached = this.cache.get(key);
        if (cached && cached.expiresAt > Date.now()) {
          found.set(digest, cached.value);
          return;
        }
        try {
          const value = toLubanVulnerabilities(harbor, target.app, await harbor.getArtifact(project, target.app, digest));
          if (this.cache.size > MAX_CACHED) this.cache.clear();
          this.cache.set(key, { value, expiresAt: Date.now() + (isPending(value) ? PENDING_SCAN_TTL_MS : FINISHED_SCAN_TTL_MS) });
          found.set(digest, value);
        } catch (error) {
          // The builds are still worth showing without their scans.
          this.logger.warn('Could not read the Harbor scan of a build', { entityRef: target.entityRef, digest, error: (error as Error).message });
        }
      }),
    );
    return found;
  }

  /**
   * The SBOM document Harbor generated for one of the app's digests, read
   * now. NotFoundError when Harbor holds no such image of the app or has no
   * SBOM of it (yet); only the app's own Harbor repository is read.
   */
  async sbom(target: LubanTarget, digest: string): Promise<{ content: Buffer; sbomDigest: string }> {
    const harbor = this.harbor;
    if (!harbor) throw new NotFoundError('Harbor is not configured (luban.harbor), so luban holds no SBOM');
    const project = harborProjectName(target.project);
    const artifact = await harbor.getArtifact(project, target.app, digest);
    if (!artifact) throw new NotFoundError(`Harbor holds no image ${shortDigest(digest)} of ${target.entityRef}`);
    const { state, digest: sbomDigest } = artifact.sbom;
    if (state !== 'ready' || !sbomDigest) {
      const why = { none: 'none was generated', generating: 'it is being generated', failed: 'its generation failed' } as const;
      throw new NotFoundError(`Harbor has no SBOM of ${shortDigest(digest)}: ${why[state === 'ready' ? 'failed' : state]}`);
    }
    const document = await harbor.getSbom(project, target.app, sbomDigest);
    if (!document) throw new NotFoundError(`Harbor no longer holds the SBOM of ${shortDigest(digest)}`);
    return { content: document.content, sbomDigest };
  }
}
