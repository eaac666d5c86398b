import type { LoggerService } from '@backstage/backend-plugin-api';
import { digestOfImage } from '@luban-backstage/plugin-luban-common';
import type { HarborClient } from '@luban-backstage/plugin-luban-node';

/** Project ids do not change while a project exists; an hour bounds a deleted-and-recreated one. */
const FOUND_TTL_MS = 60 * 60 * 1000;
/** A missing project or an unreachable Harbor is asked again after this long, not on every view. */
const MISSING_TTL_MS = 5 * 60 * 1000;

interface CachedProject {
  id?: number;
  expiresAt: number;
}

/** `<host>/<project>/<repository…>@sha256:…` split into its parts (the digest read by luban-common's one parser). */
function parseImage(image: string): { host: string; project: string; repository: string; digest: string } | undefined {
  const digest = digestOfImage(image);
  const match = /^([^/]+)\/([^/]+)\/([^@]+)@/.exec(image);
  if (!digest || !match) return undefined;
  return { host: match[1], project: match[2], repository: match[3], digest };
}

/**
 * Links to artifact pages in Harbor's UI. The page's URL needs the
 * project's numeric id, which costs a request: ids are looked up once per
 * project and cached, so a warm view of the builds costs Harbor nothing.
 */
export class HarborArtifactLinks {
  private readonly projects = new Map<string, CachedProject>();
  private readonly lookups = new Map<string, Promise<void>>();

  constructor(
    private readonly harbor: HarborClient | undefined,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Makes sure the projects of these images are known, then returns a
   * function that builds an image's artifact page URL without a request
   * (undefined for images not in the configured Harbor).
   */
  async prepare(images: string[]): Promise<(image: string) => string | undefined> {
    const harbor = this.harbor;
    if (!harbor) return () => undefined;
    const host = harbor.registryHost;
    const projects = new Set(
      images
        .map(parseImage)
        .filter(parsed => parsed?.host === host)
        .map(parsed => parsed!.project),
    );
    await Promise.all([...projects].map(project => this.lookUp(harbor, project)));
    return image => {
      const parsed = parseImage(image);
      if (!parsed || parsed.host !== host) return undefined;
      const id = this.projects.get(parsed.project)?.id;
      if (id === undefined) return undefined;
      return harbor.artifactWebUrl({ projectId: id, repository: parsed.repository, digest: parsed.digest });
    };
  }

  /** Starts looking up a project that is about to be needed, so that the lookup overlaps other work. */
  warm(project: string): void {
    if (this.harbor) void this.lookUp(this.harbor, project);
  }

  private lookUp(harbor: HarborClient, project: string): Promise<void> {
    const cached = this.projects.get(project);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve();
    let pending = this.lookups.get(project);
    if (!pending) {
      pending = harbor
        .getProject(project)
        .then(
          found => {
            this.projects.set(project, {
              id: found?.projectId,
              expiresAt: Date.now() + (found ? FOUND_TTL_MS : MISSING_TTL_MS),
            });
          },
          error => {
            // The builds are still worth showing without their registry links.
            this.logger.warn('Could not read the Harbor project for artifact links', { project, error: (error as Error).message });
            this.projects.set(project, { expiresAt: Date.now() + MISSING_TTL_MS });
          },
        )
        .finally(() => this.lookups.delete(project));
      this.lookups.set(project, pending);
    }
    return pending;
  }
}
