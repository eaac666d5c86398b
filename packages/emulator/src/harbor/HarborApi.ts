import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, parseUrl, sendJson } from '../http';
import type { EmulatedApi, EmulatedApiContext } from '../system';
import { authenticate } from './access';
import {
  createProject,
  hasArtifact,
  pushArtifact,
  setScanResult,
  type PushedArtifact,
} from './controls';
import { HarborError, badRequest, notFound } from './errors';
import type { PushArtifactInput, VulnerabilityCounts } from './model';
import { handleRegistry } from './registry';
import { matchRoute, type Route } from './router';
import { sbomDocument } from './sbom';
import { artifactRoutes } from './routes/artifacts';
import { projectRoutes } from './routes/projects';
import { repositoryRoutes } from './routes/repositories';
import { robotRoutes } from './routes/robots';
import { systemRoutes } from './routes/system';
import { HarborState } from './state';

export { HARBOR_VERSION } from './model';
export type { PushArtifactInput, VulnerabilityCounts } from './model';
export type { PushedArtifact } from './controls';

const API_PREFIX = '/api/v2.0';

/** Options of the emulated Harbor. */
export interface HarborApiOptions extends EmulatedApiContext {
  /** The administrator that basic auth accepts. */
  admin: { username: string; password: string };
}

/**
 * The emulated Harbor v2.0 API (goharbor/harbor `api/v2.0/swagger.yaml`):
 * projects, robot accounts v2, repositories, artifacts with tags, Trivy scan
 * overviews and SBOM overviews, behind HTTP basic auth; and the registry's
 * `/v2/` authorization (see registry.ts), so a pull-only robot cannot push.
 * Other emulated systems and tests seed it through
 * {@link HarborApi.pushArtifact}.
 */
export class HarborApi implements EmulatedApi {
  private readonly state = new HarborState();
  private readonly routes: Route[];

  constructor(private readonly options: HarborApiOptions) {
    // Literal segments are listed before parameters so that they win, as in go-openapi's router.
    this.routes = [
      ...systemRoutes(options.baseUrl),
      ...projectRoutes(this.state),
      ...repositoryRoutes(this.state),
      ...artifactRoutes(this.state),
      ...robotRoutes(this.state),
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req);
    const incomingId = req.headers['x-request-id'];
    res.setHeader(
      'X-Request-Id',
      typeof incomingId === 'string' && incomingId ? incomingId : randomUUID(),
    );
    try {
      await this.dispatch(req, res, url);
    } catch (error) {
      const failure = this.toHarborError(error);
      if (!res.headersSent) {
        sendJson(res, failure.status, failure.body(), {
          'Content-Type': 'application/json; charset=utf-8',
        });
      } else {
        res.end();
      }
    } finally {
      this.options.requestLog.record(
        'harbor',
        req.method ?? 'GET',
        url.pathname + url.search,
        res.statusCode,
      );
    }
  }

  /** Forgets every project, robot and artifact; only `library` remains, as on a fresh install. */
  reset() {
    this.state.reset();
  }

  // Seeding API, for the other emulated systems and for tests (see controls.ts).

  /** Records an image push as the registry would (see {@link pushArtifact}). */
  pushArtifact(input: PushArtifactInput): PushedArtifact {
    return pushArtifact(this.state, input);
  }

  /** Whether a repository holds an artifact of that digest or tag. */
  hasArtifact(
    project: string,
    repository: string,
    digestOrTag: string,
  ): boolean {
    return hasArtifact(this.state, project, repository, digestOrTag);
  }

  /** Replaces an artifact's scan report with a finished scan of these counts. */
  setScanResult(
    project: string,
    repository: string,
    digest: string,
    vulnerabilities: VulnerabilityCounts,
  ) {
    setScanResult(this.state, project, repository, digest, vulnerabilities);
  }

  /**
   * Sets the system setting `robot_name_prefix` (an administrator's
   * Configuration → System Settings; core env `ROBOT_NAME_PREFIX`): every
   * robot is named and logs in with it from now on. A reset restores `robot$`.
   */
  setRobotNamePrefix(prefix: string) {
    // src/pkg/config/manager.go refuses an empty or blank prefix.
    if (!prefix.trim()) throw badRequest('robot_name_prefix cannot be empty or contain only spaces');
    this.state.robotNamePrefix = prefix.trim();
  }

  /** Which vulnerability report MIME types the project scanner produces (Trivy: the v1.1 report only). */
  setScannerReportMimeTypes(mimeTypes: string[]) {
    this.state.scannerReportMimeTypes = [...mimeTypes];
  }

  /** Puts an artifact's SBOM generation back to Running, or into Error; no SBOM accessory exists then. */
  setSbomStatus(project: string, repository: string, digest: string, status: 'Running' | 'Error') {
    const artifact = this.state.requireArtifact(`${project}/${repository}`, digest);
    if (!artifact.sbom) throw badRequest(`no SBOM was requested for ${project}/${repository}@${digest}`);
    artifact.sbom.status = status;
  }

  /**
   * The SBOM document Harbor holds for an artifact, as its `sbom` addition
   * answers it; undefined while none was generated.
   */
  sbomDocument(project: string, repository: string, digest: string): string | undefined {
    const fullName = `${project}/${repository}`;
    const artifact = this.state.requireArtifact(fullName, digest);
    if (!artifact.sbom || artifact.sbom.status) return undefined;
    return sbomDocument(artifact, this.state.repositoryByName(fullName)!);
  }

  /** Creates a project directly (metadata values are strings, as in Harbor). */
  createProject(name: string, metadata: Record<string, string> = {}): number {
    return createProject(this.state, name, metadata);
  }

  /** The names of all projects. */
  projectNames(): string[] {
    return this.state.allProjects().map(p => p.name);
  }

  // Dispatch

  private toHarborError(error: unknown): HarborError {
    if (error instanceof HarborError) return error;
    if (error instanceof BodyTooLargeError) {
      return new HarborError('BAD_REQUEST', 'http: request body too large');
    }
    return new HarborError(
      'UNKNOWN',
      error instanceof Error ? error.message : String(error),
    );
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL) {
    let path: string;
    try {
      // Harbor's nginx hands the API server a decoded path: this is why a `/`
      // inside a repository name must be encoded twice (`a%252Fb`).
      path = decodeURIComponent(url.pathname);
    } catch {
      throw badRequest(`invalid URL escape in ${url.pathname}`);
    }
    if (path === '/v2' || path.startsWith('/v2/')) {
      const principal = authenticate(req, this.options.admin, this.state);
      await handleRegistry(this.state, this.options.baseUrl, {
        req,
        res,
        path,
        principal,
      });
      return;
    }
    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) {
      throw notFound(`path ${path} was not found`);
    }
    const segments = path.slice(API_PREFIX.length).split('/').filter(Boolean);
    const matched = matchRoute(this.routes, segments);
    if (!matched) throw notFound(`path ${path} was not found`);
    const method = req.method ?? 'GET';
    const handler = matched.route.methods[method];
    if (!handler) {
      const allowed = Object.keys(matched.route.methods).sort();
      res.setHeader('Allow', allowed.join(','));
      throw new HarborError(
        'METHOD_NOT_ALLOWED',
        `method ${method} is not allowed, but [${allowed.join(',')}] are`,
      );
    }
    const principal = authenticate(req, this.options.admin, this.state);
    await handler({ req, res, url, principal, params: matched.params });
  }
}
