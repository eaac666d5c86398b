import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, parseUrl, sendJson } from '../http';
import type { EmulatedApi, EmulatedApiContext } from '../system';
import {
  PROJECT_ACCESSES,
  SYSTEM_ACCESSES,
  authenticate,
  canAccessSystem,
  denied,
  requireAuthenticated,
  requireProjectAccess,
  robotProjectNames,
  type Principal,
} from './access';
import { JsonBody } from './body';
import {
  HarborError,
  badRequest,
  forbidden,
  notFound,
  precondition,
  unprocessable,
} from './errors';
import {
  linkHeader,
  matchesTerm,
  pageOf,
  parsePaging,
  parseQuery,
  parseSort,
  sortRecords,
  type Paging,
  type QueryTerm,
} from './query';
import {
  HarborStore,
  NAME_PATTERN,
  generateSecret,
  isValidSecret,
  type ArtifactRecord,
  type ProjectRecord,
  type PushArtifactInput,
  type RobotPermission,
  type RobotRecord,
  type VulnerabilityCounts,
} from './store';
import {
  HARBOR_REPORT_MIME,
  PROJECT_METADATA_KEYS,
  VULNERABILITY_REPORT_MIME,
  ZERO_TIME,
  artifactJson,
  projectJson,
  repositoryJson,
  robotFullName,
  robotJson,
  vulnerabilityReport,
  type ArtifactOptions,
} from './wire';

export type { PushArtifactInput, VulnerabilityCounts } from './store';

/** The version `GET /api/v2.0/systeminfo` reports. */
export const HARBOR_VERSION = 'v2.11.0-emulator';

const API_PREFIX = '/api/v2.0';

/** Options of the emulated Harbor. */
export interface HarborApiOptions extends EmulatedApiContext {
  /** The administrator that basic auth accepts. */
  admin: { username: string; password: string };
}

/** What `pushArtifact` reports back about the stored artifact. */
export interface PushedArtifact {
  id: number;
  digest: string;
  projectId: number;
  repositoryId: number;
  /** Full name, `<project>/<repository>`. */
  repositoryName: string;
  /** Every tag the artifact carries after the push. */
  tags: string[];
  pushTime: Date;
}

/** One request being answered. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  principal: Principal;
  /** Path parameters, decoded as Harbor decodes them. */
  params: Record<string, string>;
}

type Handler = (call: Call) => Promise<void> | void;

interface Route {
  segments: string[];
  methods: Partial<Record<string, Handler>>;
}

const TRUE_WORDS = [
  'true',
  '1',
  'yes',
  'ok',
  'y',
  'on',
  'selected',
  'checked',
  't',
  'enabled',
];
const FALSE_WORDS = ['false', '0', 'no', 'n', 'off', 'f', 'disabled'];

/** A boolean query parameter as go-swagger converts it (`swag.ConvertBool`); 422 when it is none. */
function boolParam(
  params: URLSearchParams,
  name: string,
  fallback: boolean,
): boolean {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (TRUE_WORDS.includes(raw.toLowerCase())) return true;
  if (FALSE_WORDS.includes(raw.toLowerCase())) return false;
  throw unprocessable(`${name} in query must be of type bool: "${raw}"`);
}

function headerFlag(req: IncomingMessage, name: string): boolean {
  const value = req.headers[name];
  return typeof value === 'string' && TRUE_WORDS.includes(value.toLowerCase());
}

function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/** Writes one page of a list with Harbor's `X-Total-Count` and `Link` headers. */
function sendPage(call: Call, items: unknown[], total: number, paging: Paging) {
  const headers: Record<string, string> = { 'X-Total-Count': String(total) };
  const link = linkHeader(
    call.url.pathname,
    call.url.searchParams,
    total,
    paging,
  );
  if (link) headers.Link = link;
  sendJson(call.res, 200, items, headers);
}

/** Keeps the records that satisfy every term whose key the model knows (Harbor ignores the others). */
function filterByTerms<T>(
  records: T[],
  terms: QueryTerm[],
  fields: Record<string, (record: T) => string | number | boolean | undefined>,
): T[] {
  return records.filter(record =>
    terms.every(term => {
      const field = fields[term.key];
      if (!field) return true;
      if (term.kind === 'allOf')
        return term.values.every(value => String(field(record)) === value);
      return matchesTerm(term, field(record));
    }),
  );
}

/** The `tags=` term of the artifact list: `*` tagged, `nil` untagged, `~v` fuzzy, `v` exact. */
function matchesTagTerm(artifact: ArtifactRecord, term: QueryTerm): boolean {
  const names = artifact.tags.map(t => t.name);
  if (term.kind === 'exact' && term.value === '*') return names.length > 0;
  if (term.kind === 'exact' && term.value === 'nil') return names.length === 0;
  return names.some(name => matchesTerm(term, name));
}

/** The artifact fields `sort` may name. */
const ARTIFACT_SORT_FIELDS: Record<
  string,
  (a: ArtifactRecord) => string | number
> = {
  id: a => a.id,
  push_time: a => a.pushTime.getTime(),
  pull_time: () => 0,
  size: a => a.size,
  digest: a => a.digest,
};

/**
 * The emulated Harbor v2.0 API (goharbor/harbor `api/v2.0/swagger.yaml`):
 * projects, robot accounts v2, repositories, artifacts with tags, Trivy scan
 * overviews and SBOM overviews, behind HTTP basic auth. Other emulated
 * systems and tests seed it through {@link HarborApi.pushArtifact}.
 */
export class HarborApi implements EmulatedApi {
  private readonly store = new HarborStore();
  private readonly routes: Route[];

  constructor(private readonly options: HarborApiOptions) {
    const route = (path: string, methods: Route['methods']): Route => ({
      segments: path.split('/').filter(Boolean),
      methods,
    });
    const artifact =
      '/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}';
    // Literal segments are listed before parameters so that they win, as in go-openapi's router.
    this.routes = [
      route('/ping', { GET: call => this.ping(call) }),
      route('/systeminfo', { GET: call => this.systemInfo(call) }),
      route('/projects', {
        GET: call => this.listProjects(call),
        HEAD: call => this.headProject(call),
        POST: call => this.createProjectCall(call),
      }),
      route('/projects/{project_name_or_id}/_deletable', {
        GET: call => this.projectDeletable(call),
      }),
      route('/projects/{project_name_or_id}', {
        GET: call => this.getProject(call),
        PUT: call => this.updateProject(call),
        DELETE: call => this.deleteProject(call),
      }),
      route('/projects/{project_name}/repositories', {
        GET: call => this.listRepositories(call),
      }),
      route('/projects/{project_name}/repositories/{repository_name}', {
        GET: call => this.getRepository(call),
        DELETE: call => this.deleteRepository(call),
      }),
      route(
        '/projects/{project_name}/repositories/{repository_name}/artifacts',
        {
          GET: call => this.listArtifacts(call),
        },
      ),
      route(`${artifact}/additions/vulnerabilities`, {
        GET: call => this.vulnerabilities(call),
      }),
      route(`${artifact}/additions/{addition}`, {
        GET: call => this.addition(call),
      }),
      route(`${artifact}/tags`, { GET: call => this.listTags(call) }),
      route(artifact, {
        GET: call => this.getArtifact(call),
        DELETE: call => this.deleteArtifact(call),
      }),
      route('/robots', {
        GET: call => this.listRobots(call),
        POST: call => this.createRobot(call),
      }),
      route('/robots/{robot_id}', {
        GET: call => this.getRobot(call),
        PUT: call => this.updateRobot(call),
        PATCH: call => this.refreshRobotSecret(call),
        DELETE: call => this.deleteRobot(call),
      }),
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
    this.store.reset();
  }

  // Seeding API, for the other emulated systems and for tests.

  /**
   * Records an image push as the registry would: creates the repository on
   * its first push, moves each tag onto this digest, and optionally records
   * a finished Trivy scan and a generated SBOM. Throws when the project does
   * not exist.
   */
  pushArtifact(input: PushArtifactInput): PushedArtifact {
    const artifact = this.store.pushArtifact(input);
    return {
      id: artifact.id,
      digest: artifact.digest,
      projectId: artifact.projectId,
      repositoryId: artifact.repositoryId,
      repositoryName: `${input.project}/${input.repository}`,
      tags: artifact.tags.map(t => t.name),
      pushTime: artifact.pushTime,
    };
  }

  /** Whether a repository holds an artifact of that digest or tag. */
  hasArtifact(
    project: string,
    repository: string,
    digestOrTag: string,
  ): boolean {
    try {
      this.store.requireArtifact(`${project}/${repository}`, digestOrTag);
      return true;
    } catch {
      return false;
    }
  }

  /** Replaces an artifact's scan report with a finished scan of these counts. */
  setScanResult(
    project: string,
    repository: string,
    digest: string,
    vulnerabilities: VulnerabilityCounts,
  ) {
    const artifact = this.store.requireArtifact(
      `${project}/${repository}`,
      digest,
    );
    this.store.recordScan(artifact, vulnerabilities);
  }

  /** Creates a project directly (metadata values are strings, as in Harbor). */
  createProject(name: string, metadata: Record<string, string> = {}): number {
    if (!NAME_PATTERN.test(name) || name.length > 255) {
      throw badRequest(
        'project name is not in lower case or contains illegal characters',
      );
    }
    return this.store.createProject({
      name,
      metadata: { public: 'false', ...metadata },
      storageLimit: -1,
    }).id;
  }

  /** The names of all projects. */
  projectNames(): string[] {
    return this.store.allProjects().map(p => p.name);
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
    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) {
      throw notFound(`path ${path} was not found`);
    }
    const segments = path.slice(API_PREFIX.length).split('/').filter(Boolean);
    const matched = this.match(segments);
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
    const principal = authenticate(req, this.options.admin, this.store);
    await handler({ req, res, url, principal, params: matched.params });
  }

  private match(
    segments: string[],
  ): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const matches = route.segments.every((pattern, index) => {
        if (!pattern.startsWith('{')) return pattern === segments[index];
        try {
          params[pattern.slice(1, -1)] = decodeURIComponent(segments[index]);
        } catch {
          params[pattern.slice(1, -1)] = segments[index];
        }
        return true;
      });
      if (matches) return { route, params };
    }
    return undefined;
  }

  // System

  private ping(call: Call) {
    call.res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Content-Length': '4',
    });
    call.res.end('Pong');
  }

  private systemInfo(call: Call) {
    const info: Record<string, unknown> = {
      auth_mode: 'db_auth',
      banner_message: '',
      current_time: new Date().toISOString(),
      harbor_version: HARBOR_VERSION,
      oidc_provider_name: '',
      primary_auth_mode: false,
      self_registration: false,
    };
    if (call.principal.kind !== 'anonymous') {
      Object.assign(info, {
        external_url: this.options.baseUrl,
        has_ca_root: false,
        notification_enable: true,
        project_creation_restriction: 'adminonly',
        read_only: false,
        registry_storage_provider_name: 'filesystem',
        registry_url: new URL(this.options.baseUrl).host,
      });
    }
    sendJson(call.res, 200, info);
  }

  // Projects

  private projectRef(call: Call): { name: string } | { id: number } {
    const raw = call.params.project_name_or_id;
    if (!headerFlag(call.req, 'x-is-resource-name') && /^-?\d+$/.test(raw)) {
      return { id: Number(raw) };
    }
    return { name: raw };
  }

  private repoCount(project: ProjectRecord): number {
    return this.store.repositoriesOf(project.id).length;
  }

  private listProjects(call: Call) {
    const { searchParams } = call.url;
    const paging = parsePaging(searchParams);
    const publicFilter = searchParams.has('public')
      ? boolParam(searchParams, 'public', false)
      : undefined;
    boolParam(searchParams, 'with_detail', true);
    const terms = parseQuery(searchParams.get('q'));
    const { principal } = call;
    let projects = this.store.allProjects();
    if (principal.kind === 'anonymous') {
      projects = projects.filter(p => p.metadata.public === 'true');
    } else if (principal.kind === 'robot') {
      const names = robotProjectNames(principal.robot);
      if (!names.includes('*')) {
        projects = projects.filter(
          p => names.includes(p.name) || p.metadata.public === 'true',
        );
      }
    }
    const name = searchParams.get('name');
    if (name) projects = projects.filter(p => p.name.includes(name));
    const owner = searchParams.get('owner');
    if (owner) projects = projects.filter(p => p.ownerName === owner);
    if (publicFilter !== undefined) {
      projects = projects.filter(
        p => (p.metadata.public === 'true') === publicFilter,
      );
    }
    projects = filterByTerms(projects, terms, {
      name: p => p.name,
      project_id: p => p.id,
      owner_id: p => p.ownerId,
      public: p => p.metadata.public === 'true',
    });
    const sorted = sortRecords(
      projects,
      parseSort(searchParams.get('sort')),
      {
        name: p => p.name,
        project_id: p => p.id,
        creation_time: p => p.creationTime.getTime(),
        update_time: p => p.updateTime.getTime(),
      },
      [{ key: 'name', descending: false }],
    );
    const items = pageOf(sorted, paging).map(p =>
      projectJson(p, this.repoCount(p), principal.kind),
    );
    sendPage(call, items, sorted.length, paging);
  }

  private headProject(call: Call) {
    const name = call.url.searchParams.get('project_name');
    if (name === null) throw unprocessable('project_name in query is required');
    requireProjectAccess(call.principal, this.store, { name }, 'project:read');
    sendEmpty(call.res, 200);
  }

  /** Reads the ProjectReq fields Harbor binds (unknown metadata keys are dropped, values must be strings). */
  private async readProjectReq(call: Call) {
    const body = await JsonBody.read(call.req, 'project', 'ProjectReq');
    const name = body.field<string>(body.value, 'project_name', 'string');
    if (name !== undefined && name.length > 255) {
      throw unprocessable(
        'project.project_name in body should be at most 255 chars long',
      );
    }
    const isPublic = body.field<boolean>(body.value, 'public', 'bool');
    const storageLimit = body.field<number>(
      body.value,
      'storage_limit',
      'int64',
    );
    const registryId = body.field<number>(body.value, 'registry_id', 'int64');
    const rawMetadata = body.field<Record<string, unknown>>(
      body.value,
      'metadata',
      'object',
    );
    const metadata: Record<string, string> = {};
    for (const key of PROJECT_METADATA_KEYS) {
      const value =
        rawMetadata &&
        body.field<string>(rawMetadata, key, 'string', `metadata.${key}`);
      if (value !== undefined) metadata[key] = value;
    }
    return {
      name,
      isPublic,
      storageLimit,
      registryId,
      metadata,
      hasMetadata: rawMetadata !== undefined,
    };
  }

  private async createProjectCall(call: Call) {
    const request = await this.readProjectReq(call);
    const { principal } = call;
    requireAuthenticated(principal);
    if (principal.kind === 'robot' && principal.robot.level !== 'system') {
      throw forbidden('Only system level robot can create project');
    }
    // project_creation_restriction is "adminonly", Harbor's default.
    if (!canAccessSystem(principal, 'project:create')) {
      throw forbidden('Only system admin can create project');
    }
    if (request.registryId !== undefined) {
      throw notFound(
        `failed to get the registry ${request.registryId}: registry ${request.registryId} not found`,
      );
    }
    const metadata = { ...request.metadata };
    if (request.isPublic !== undefined && !metadata.public)
      metadata.public = String(request.isPublic);
    if (!metadata.public) metadata.public = 'false';
    if (metadata.public !== 'true' && metadata.public !== 'false') {
      throw badRequest(
        `metadata.public should only be 'true' or 'false', but got: '${metadata.public}'`,
      );
    }
    if (metadata.retention_id) {
      throw badRequest(
        "the retention_id in the request's payload when creating a project should be omitted, alternatively passing an empty string",
      );
    }
    delete metadata.retention_id;
    delete metadata.proxy_speed_kb;
    let storageLimit = request.storageLimit ?? 0;
    if (storageLimit === 0) storageLimit = -1;
    if (storageLimit < -1) {
      throw badRequest(
        `invalid value ${storageLimit} of storage, it must be -1 (unlimited) or a positive number of bytes`,
      );
    }
    const name = request.name ?? '';
    if (name.length < 1) {
      throw badRequest(
        `Project name ${name} is illegal in length. (greater than 255 or less than 1)`,
      );
    }
    if (!NAME_PATTERN.test(name)) {
      throw badRequest(
        'project name is not in lower case or contains illegal characters',
      );
    }
    const project = this.store.createProject({ name, metadata, storageLimit });
    const nameInLocation = headerFlag(call.req, 'x-resource-name-in-location');
    const base = call.url.pathname.replace(/\/+$/, '');
    sendEmpty(call.res, 201, {
      Location: `${base}/${nameInLocation ? project.name : project.id}`,
    });
  }

  private getProject(call: Call) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      this.projectRef(call),
      'project:read',
    );
    sendJson(
      call.res,
      200,
      projectJson(project, this.repoCount(project), call.principal.kind),
    );
  }

  private async updateProject(call: Call) {
    const request = await this.readProjectReq(call);
    const project = requireProjectAccess(
      call.principal,
      this.store,
      this.projectRef(call),
      'project:update',
    );
    const retentionId = request.metadata.retention_id;
    if (
      retentionId !== undefined &&
      retentionId !== project.metadata.retention_id
    ) {
      throw badRequest(
        "the retention_id in the request's payload when updating a project should be omitted, alternatively passing the one that has already been associated to this project",
      );
    }
    delete request.metadata.proxy_speed_kb;
    Object.assign(project.metadata, request.metadata);
    project.updateTime = new Date();
    sendEmpty(call.res, 200);
  }

  private deletableOf(project: ProjectRecord): {
    deletable: boolean;
    message?: string;
  } {
    if (this.repoCount(project) > 0) {
      return {
        deletable: false,
        message: 'the project contains repositories, can not be deleted',
      };
    }
    return { deletable: true };
  }

  private projectDeletable(call: Call) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      this.projectRef(call),
      'project:delete',
    );
    const result = this.deletableOf(project);
    // go-swagger omits a false `deletable`.
    sendJson(
      call.res,
      200,
      result.deletable ? { deletable: true } : { message: result.message },
    );
  }

  private deleteProject(call: Call) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      this.projectRef(call),
      'project:delete',
    );
    const result = this.deletableOf(project);
    if (!result.deletable) throw precondition(result.message!);
    this.store.deleteProject(project.id);
    sendEmpty(call.res, 200);
  }

  // Repositories and artifacts

  /** `<project>/<repository>`; the path parameter was decoded twice, by nginx and by the API server. */
  private fullRepositoryName(call: Call, project: ProjectRecord): string {
    return `${project.name}/${call.params.repository_name}`;
  }

  private listRepositories(call: Call) {
    const { searchParams } = call.url;
    const paging = parsePaging(searchParams);
    const terms = parseQuery(searchParams.get('q'));
    const project = requireProjectAccess(
      call.principal,
      this.store,
      { name: call.params.project_name },
      'repository:list',
    );
    const repositories = filterByTerms(
      this.store.repositoriesOf(project.id),
      terms,
      {
        name: r => r.name,
        id: r => r.id,
      },
    );
    const sorted = sortRecords(
      repositories,
      parseSort(searchParams.get('sort')),
      {
        name: r => r.name,
        id: r => r.id,
        creation_time: r => r.creationTime.getTime(),
        update_time: r => r.updateTime.getTime(),
        pull_count: r => r.pullCount,
      },
      [
        { key: 'creation_time', descending: true },
        { key: 'id', descending: true },
      ],
    );
    const items = pageOf(sorted, paging).map(r =>
      repositoryJson(r, this.store.artifactsOf(r.id).length),
    );
    sendPage(call, items, sorted.length, paging);
  }

  private getRepository(call: Call) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      { name: call.params.project_name },
      'repository:read',
    );
    const fullName = this.fullRepositoryName(call, project);
    const repository = this.store.repositoryByName(fullName);
    if (!repository) throw notFound(`repository ${fullName} not found`);
    sendJson(
      call.res,
      200,
      repositoryJson(repository, this.store.artifactsOf(repository.id).length),
    );
  }

  private deleteRepository(call: Call) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      { name: call.params.project_name },
      'repository:delete',
    );
    const fullName = this.fullRepositoryName(call, project);
    const repository = this.store.repositoryByName(fullName);
    if (!repository) throw notFound(`repository ${fullName} not found`);
    this.store.deleteRepository(repository.id);
    sendEmpty(call.res, 200);
  }

  private artifactOptions(call: Call): ArtifactOptions {
    const { searchParams } = call.url;
    for (const name of [
      'with_label',
      'with_signature',
      'with_immutable_status',
    ]) {
      boolParam(searchParams, name, false);
    }
    const header = call.req.headers['x-accept-vulnerabilities'];
    const acceptedReports =
      typeof header === 'string' && header.trim()
        ? header.split(',').map(mime => mime.trim())
        : [HARBOR_REPORT_MIME, VULNERABILITY_REPORT_MIME];
    return {
      withTag: boolParam(searchParams, 'with_tag', true),
      withScanOverview: boolParam(searchParams, 'with_scan_overview', false),
      withSbomOverview: boolParam(searchParams, 'with_sbom_overview', false),
      withAccessory: boolParam(searchParams, 'with_accessory', false),
      acceptedReports,
    };
  }

  private listArtifacts(call: Call) {
    const { searchParams } = call.url;
    const paging = parsePaging(searchParams);
    const options = this.artifactOptions(call);
    const terms = parseQuery(searchParams.get('q'));
    const project = requireProjectAccess(
      call.principal,
      this.store,
      { name: call.params.project_name },
      'artifact:list',
    );
    // Harbor filters artifacts by repository name: an unknown repository is an empty list, not a 404.
    const repository = this.store.repositoryByName(
      this.fullRepositoryName(call, project),
    );
    let artifacts = repository ? this.store.artifactsOf(repository.id) : [];
    artifacts = artifacts.filter(a =>
      terms.every(t => t.key !== 'tags' || matchesTagTerm(a, t)),
    );
    artifacts = filterByTerms(artifacts, terms, {
      digest: a => a.digest,
      id: a => a.id,
      type: () => 'IMAGE',
      media_type: () => 'application/vnd.docker.container.image.v1+json',
      push_time: a => a.pushTime.toISOString(),
      size: a => a.size,
    });
    const sorted = sortRecords(
      artifacts,
      parseSort(searchParams.get('sort')),
      ARTIFACT_SORT_FIELDS,
      [
        { key: 'push_time', descending: true },
        { key: 'id', descending: true },
      ],
    );
    const items = pageOf(sorted, paging).map(a =>
      artifactJson(a, repository!, options),
    );
    sendPage(call, items, sorted.length, paging);
  }

  private requireArtifact(call: Call, access: string) {
    const project = requireProjectAccess(
      call.principal,
      this.store,
      { name: call.params.project_name },
      access,
    );
    const fullName = this.fullRepositoryName(call, project);
    const artifact = this.store.requireArtifact(
      fullName,
      call.params.reference,
    );
    const repository = this.store.repositoryByName(fullName)!;
    return { project, repository, artifact };
  }

  private getArtifact(call: Call) {
    parsePaging(call.url.searchParams);
    const options = this.artifactOptions(call);
    const { artifact, repository } = this.requireArtifact(
      call,
      'artifact:read',
    );
    sendJson(call.res, 200, artifactJson(artifact, repository, options));
  }

  private deleteArtifact(call: Call) {
    const { artifact } = this.requireArtifact(call, 'artifact:delete');
    this.store.deleteArtifact(artifact.id);
    sendEmpty(call.res, 200);
  }

  private listTags(call: Call) {
    const { searchParams } = call.url;
    const paging = parsePaging(searchParams);
    const terms = parseQuery(searchParams.get('q'));
    const { artifact } = this.requireArtifact(call, 'tag:list');
    const tags = filterByTerms(artifact.tags, terms, {
      name: t => t.name,
      id: t => t.id,
    });
    const sorted = sortRecords(
      tags,
      parseSort(searchParams.get('sort')),
      {
        name: t => t.name,
        id: t => t.id,
        push_time: t => t.pushTime.getTime(),
      },
      [
        { key: 'push_time', descending: true },
        { key: 'id', descending: true },
      ],
    );
    const items = pageOf(sorted, paging).map(tag => ({
      artifact_id: tag.artifactId,
      id: tag.id,
      immutable: false,
      name: tag.name,
      pull_time: ZERO_TIME,
      push_time: tag.pushTime.toISOString(),
      repository_id: tag.repositoryId,
    }));
    sendPage(call, items, sorted.length, paging);
  }

  private vulnerabilities(call: Call) {
    const { acceptedReports } = this.artifactOptions(call);
    const { artifact, repository } = this.requireArtifact(
      call,
      'artifact-addition:read',
    );
    const reports: Record<string, unknown> = {};
    // Trivy's reports exist in the v1.1 format only; the first accepted MIME type with a report wins.
    if (artifact.scan && acceptedReports.includes(VULNERABILITY_REPORT_MIME)) {
      reports[VULNERABILITY_REPORT_MIME] = vulnerabilityReport(
        artifact,
        repository,
      );
    }
    sendJson(call.res, 200, reports);
  }

  private addition(call: Call) {
    const additions = [
      'build_history',
      'values.yaml',
      'readme.md',
      'dependencies',
    ];
    const { addition } = call.params;
    if (!additions.includes(addition)) {
      throw unprocessable(
        `addition in path should be one of [${additions.join(' ')}]`,
      );
    }
    const { artifact } = this.requireArtifact(call, 'artifact-addition:read');
    if (addition !== 'build_history') {
      throw badRequest(
        `addition ${addition.toUpperCase()} isn't supported for IMAGE(manifest version 2)`,
      );
    }
    const created = artifact.pushTime.toISOString();
    const history = [
      {
        created,
        created_by: 'Buildpacks Application Launcher',
        empty_layer: false,
      },
      { created, created_by: 'Application Layer', empty_layer: false },
    ];
    sendJson(call.res, 200, history, {
      'Content-Type': 'application/json; charset=utf-8',
    });
  }

  // Robots

  /** Binds and checks the permissions of a RobotCreate or Robot body. */
  private readPermissions(body: JsonBody): RobotPermission[] {
    const raw = body.field<unknown[]>(body.value, 'permissions', 'array') ?? [];
    return raw.map(entry => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        throw body.mismatch('permissions', entry, 'models.RobotPermission');
      }
      const permission = entry as Record<string, unknown>;
      const access = (
        body.field<unknown[]>(
          permission,
          'access',
          'array',
          'permissions.access',
        ) ?? []
      ).map(item => {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) {
          throw body.mismatch('permissions.access', item, 'models.Access');
        }
        const fields = item as Record<string, unknown>;
        return {
          resource:
            body.field<string>(
              fields,
              'resource',
              'string',
              'permissions.access.resource',
            ) ?? '',
          action:
            body.field<string>(
              fields,
              'action',
              'string',
              'permissions.access.action',
            ) ?? '',
          effect: body.field<string>(
            fields,
            'effect',
            'string',
            'permissions.access.effect',
          ),
        };
      });
      return {
        kind:
          body.field<string>(
            permission,
            'kind',
            'string',
            'permissions.kind',
          ) ?? '',
        namespace:
          body.field<string>(
            permission,
            'namespace',
            'string',
            'permissions.namespace',
          ) ?? '',
        access,
      };
    });
  }

  /** `robotAPI.validate`, with Harbor's messages. */
  private validateRobot(
    duration: number,
    level: string,
    permissions: RobotPermission[],
  ) {
    if (!(duration === -1 || (duration > 0 && duration < 2 ** 31 - 1))) {
      throw badRequest(
        `bad request error duration input: ${duration}, duration must be either -1(Never) or a positive integer`,
      );
    }
    if (level !== 'system' && level !== 'project') {
      throw badRequest(`bad request error level input: ${level}`);
    }
    if (permissions.length === 0)
      throw badRequest('bad request empty permission');
    if (permissions.some(p => p.access.length === 0))
      throw badRequest('bad request empty access');
    if (level === 'project' && permissions.length > 1)
      throw badRequest('bad request permission');
    for (const permission of permissions) {
      let allowed: Set<string>;
      if (permission.kind === 'system') {
        allowed = SYSTEM_ACCESSES;
      } else if (permission.kind === 'project') {
        allowed = PROJECT_ACCESSES;
      } else {
        throw badRequest(`bad request permission level: ${permission.kind}`);
      }
      for (const access of permission.access) {
        if (!allowed.has(`${access.resource}:${access.action}`)) {
          throw badRequest(
            `bad request permission: ${access.resource}:${access.action}`,
          );
        }
      }
    }
  }

  /** `robotAPI.requireAccess`: system robots need system access, project robots project access. */
  private requireRobotAccess(
    principal: Principal,
    level: string,
    project: { name: string } | { id: number },
    action: string,
  ) {
    if (level === 'system') {
      if (!canAccessSystem(principal, `robot:${action}`))
        throw denied(principal);
      return;
    }
    requireProjectAccess(principal, this.store, project, `robot:${action}`);
  }

  private async createRobot(call: Call) {
    const body = await JsonBody.read(call.req, 'robot', 'RobotCreate');
    const name = body.field<string>(body.value, 'name', 'string') ?? '';
    const description =
      body.field<string>(body.value, 'description', 'string') ?? '';
    // RobotCreate has a `secret`, but Harbor's controller always generates the secret itself.
    body.field<string>(body.value, 'secret', 'string');
    const level = body.field<string>(body.value, 'level', 'string') ?? '';
    const disable = body.field<boolean>(body.value, 'disable', 'bool') ?? false;
    const duration = body.field<number>(body.value, 'duration', 'int64') ?? 0;
    const permissions = this.readPermissions(body);
    if (!NAME_PATTERN.test(name)) {
      throw badRequest(
        'robot name is not in lower case or contains illegal characters',
      );
    }
    this.validateRobot(duration, level, permissions);
    this.requireRobotAccess(
      call.principal,
      level,
      { name: permissions[0].namespace },
      'create',
    );
    const project =
      level === 'project'
        ? this.store.requireProject(permissions[0].namespace)
        : undefined;
    const secret = generateSecret();
    const robot = this.store.createRobot({
      level: level as RobotRecord['level'],
      projectId: project?.id ?? 0,
      name: project ? `${project.name}+${name}` : name,
      description,
      secret,
      duration,
      expiresAt:
        duration === -1 ? -1 : Math.floor(Date.now() / 1000) + duration * 86400,
      disabled: disable,
      permissions,
    });
    const location = `${call.url.pathname.replace(/\/+$/, '')}/${robot.id}`;
    sendJson(
      call.res,
      201,
      {
        creation_time: robot.creationTime.toISOString(),
        expires_at: robot.expiresAt,
        id: robot.id,
        name: robotFullName(robot),
        secret,
      },
      { Location: location },
    );
  }

  private listRobots(call: Call) {
    const { searchParams } = call.url;
    const paging = parsePaging(searchParams);
    requireAuthenticated(call.principal);
    const terms = parseQuery(searchParams.get('q'));
    const levelTerm = terms.find(t => t.key === 'Level');
    let level = 'system';
    let projectId = 0;
    if (levelTerm) {
      level = levelTerm.kind === 'exact' ? levelTerm.value : '';
      if (level !== 'system' && level !== 'project')
        throw badRequest('bad request error level input');
      if (level === 'project') {
        const projectTerm = terms.find(t => t.key === 'ProjectID');
        if (!projectTerm)
          throw badRequest('must with project ID when to query project robots');
        const value = projectTerm.kind === 'exact' ? projectTerm.value : '';
        if (!/^-?\d+$/.test(value))
          throw badRequest('Project ID must be int type.');
        projectId = Number(value);
      }
    }
    this.requireRobotAccess(call.principal, level, { id: projectId }, 'list');
    const robots = filterByTerms(
      this.store.allRobots().filter(r => r.projectId === projectId),
      terms.filter(t => t.key !== 'Level' && t.key !== 'ProjectID'),
      {
        name: r => r.name,
        id: r => r.id,
        disabled: r => r.disabled,
        Disabled: r => r.disabled,
      },
    );
    const sorted = sortRecords(
      robots,
      parseSort(searchParams.get('sort')),
      {
        name: r => r.name,
        id: r => r.id,
        creation_time: r => r.creationTime.getTime(),
      },
      [
        { key: 'creation_time', descending: true },
        { key: 'id', descending: true },
      ],
    );
    sendPage(
      call,
      pageOf(sorted, paging).map(robotJson),
      sorted.length,
      paging,
    );
  }

  private robotFromPath(call: Call): RobotRecord {
    const raw = call.params.robot_id;
    if (!/^-?\d+$/.test(raw))
      throw unprocessable(`robot_id in path must be of type int64: "${raw}"`);
    return this.store.requireRobot(Number(raw));
  }

  private getRobot(call: Call) {
    requireAuthenticated(call.principal);
    const robot = this.robotFromPath(call);
    this.requireRobotAccess(
      call.principal,
      robot.level,
      { id: robot.projectId },
      'read',
    );
    sendJson(call.res, 200, robotJson(robot));
  }

  private async updateRobot(call: Call) {
    const body = await JsonBody.read(call.req, 'robot', 'Robot');
    requireAuthenticated(call.principal);
    const robot = this.robotFromPath(call);
    const duration =
      body.field<number>(body.value, 'duration', 'int64') ?? robot.duration;
    const level = body.field<string>(body.value, 'level', 'string') ?? '';
    const name = body.field<string>(body.value, 'name', 'string') ?? '';
    const description =
      body.field<string>(body.value, 'description', 'string') ?? '';
    const disable = body.field<boolean>(body.value, 'disable', 'bool') ?? false;
    const permissions = this.readPermissions(body);
    this.validateRobot(duration, level, permissions);
    if (robot.level !== 'system') {
      const project = this.store.requireProject(permissions[0].namespace);
      if (project.id !== robot.projectId)
        throw badRequest('cannot update the project id of robot');
    }
    this.requireRobotAccess(
      call.principal,
      level,
      { name: permissions[0].namespace },
      'update',
    );
    if (level !== robot.level || name !== robotFullName(robot)) {
      throw badRequest('cannot update the level or name of robot');
    }
    if (duration !== robot.duration) {
      robot.duration = duration;
      robot.expiresAt =
        duration === -1
          ? -1
          : Math.floor(robot.creationTime.getTime() / 1000) + duration * 86400;
    }
    robot.description = description;
    robot.disabled = disable;
    robot.permissions = permissions;
    robot.updateTime = new Date();
    sendEmpty(call.res, 200);
  }

  private async refreshRobotSecret(call: Call) {
    const body = await JsonBody.read(call.req, 'robotSec', 'RobotSec');
    const requested = body.field<string>(body.value, 'secret', 'string') ?? '';
    requireAuthenticated(call.principal);
    const robot = this.robotFromPath(call);
    this.requireRobotAccess(
      call.principal,
      robot.level,
      { id: robot.projectId },
      'update',
    );
    if (requested) {
      if (!isValidSecret(requested)) {
        throw badRequest(
          'the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, 1 lowercase letter and 1 number',
        );
      }
      robot.secret = requested;
    } else {
      robot.secret = generateSecret();
    }
    robot.updateTime = new Date();
    // Harbor echoes only a secret it generated; a secret the caller chose is not sent back.
    sendJson(call.res, 200, requested ? {} : { secret: robot.secret });
  }

  private deleteRobot(call: Call) {
    requireAuthenticated(call.principal);
    const robot = this.robotFromPath(call);
    this.requireRobotAccess(
      call.principal,
      robot.level,
      { id: robot.projectId },
      'delete',
    );
    this.store.deleteRobot(robot.id);
    sendEmpty(call.res, 200);
  }
}
