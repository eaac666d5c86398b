import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrl } from '../http';
import { ZERO_SHA, type GitRepositories } from '../git/GitRepositories';
import type { EmulatedApi, EmulatedApiContext } from '../system';
import {
  AzureError,
  controllerNotFound,
  internalError,
  invalidProjectCreate,
  methodNotAllowed,
  operationNotFound,
  organizationNotFound,
  repositoryNotFound,
} from './errors';
import {
  enumValue,
  integer,
  negotiate,
  readJson,
  sendEmpty,
  sendJson,
  sendList,
  serviceHeaders,
  type RequestContext,
} from './context';
import { GitApi } from './gitApi';
import { ServiceHooks, type DeliveryRecord } from './hooks';
import { LOCATIONS, RESOURCE_AREAS, locationsOf } from './locations';
import { PullRequestsApi } from './pullRequests';
import { PushLog } from './pushes';
import {
  AzureOrganizations,
  EMULATOR_USER,
  identityRef,
  type OrganizationState,
  type ProjectState,
} from './state';

/** Options of the emulated Azure DevOps (collection URL `<baseUrl>/<organization>`). */
export interface AzureDevOpsApiOptions extends EmulatedApiContext {
  git: GitRepositories;
  /** Personal access tokens accepted as basic-auth passwords (and as bearer tokens). */
  tokens: string[];
  /** The organizations that exist; each starts with a project `platform`. */
  organizations: string[];
}

const VISIBILITIES = { private: 0, organization: 1, public: 2 };
const SMART_HTTP_PATHS = new Set([
  '/info/refs',
  '/git-upload-pack',
  '/git-receive-pack',
]);
// The deployment (service instance) id connectionData reports.
const DEPLOYMENT_ID = '4a7d7e5e-3c41-4d6f-9a38-0c8d2b6f1e55';

/**
 * The emulated Azure DevOps Services: the REST API (location discovery,
 * api-version negotiation, projects, Git repositories, refs, items, pushes,
 * commits, pull requests, service hooks) and git over smart HTTP, all
 * behind PAT authentication, with the service's status codes and error
 * bodies.
 */
export class AzureDevOpsApi implements EmulatedApi {
  private readonly state: AzureOrganizations;
  private readonly hooks = new ServiceHooks();
  private readonly pushes: PushLog;
  private readonly gitApi: GitApi;
  private readonly unsubscribe: () => void;
  /** Settles once the organizations exist (after construction and after each reset). */
  private ready: Promise<void>;

  constructor(private readonly options: AzureDevOpsApiOptions) {
    this.state = new AzureOrganizations(
      options.baseUrl,
      options.git,
      options.organizations,
    );
    this.pushes = new PushLog(this.state, options.git, this.hooks);
    this.gitApi = new GitApi(
      this.state,
      options.git,
      this.pushes,
      new PullRequestsApi(this.state, options.git, this.pushes),
    );
    this.unsubscribe = options.git.onRefUpdate(update =>
      this.pushes.onRefUpdate(update),
    );
    this.ready = this.state.load();
  }

  /** Resolves once the state on disk is loaded (the emulator waits for it before serving). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Back to the organizations with only their `platform` project; forgets subscriptions and deliveries. */
  async reset(): Promise<void> {
    const run = this.ready
      .catch(() => undefined)
      .then(async () => {
        this.hooks.reset();
        await this.state.reset();
      });
    this.ready = run;
    await run;
  }

  /** Stops listening to ref updates of the shared repositories. */
  close() {
    this.unsubscribe();
  }

  /** Creates a Git project (with its default repository of the same name). */
  async createProject(organization: string, name: string) {
    await this.ready;
    const org = this.organizationOrThrow(organization);
    return this.state.projectJson(
      org,
      await this.state.createProject(org, { name }),
    );
  }

  /** Creates a repository, optionally with files committed to `branch` (default `main`). */
  async createRepository(
    organization: string,
    project: string,
    name: string,
    options: { files?: Record<string, string | Buffer>; branch?: string } = {},
  ) {
    await this.ready;
    const org = this.organizationOrThrow(organization);
    const repository = await this.state.createRepository(
      org,
      this.state.project(org, project),
      name,
    );
    const files = Object.entries(options.files ?? {});
    if (files.length > 0) {
      const branch = options.branch ?? 'main';
      await this.pushes.asPush(org, repository, [`refs/heads/${branch}`], () =>
        this.options.git.commit(this.state.pathOf(org, repository), {
          branch,
          expectedSha: ZERO_SHA,
          message: 'Initial commit',
          changes: files.map(([path, content]) => ({ path, content })),
          author: {
            name: EMULATOR_USER.displayName,
            email: EMULATOR_USER.uniqueName,
          },
        }),
      );
    }
    return this.state.repositoryJson(org, repository);
  }

  /** Where a repository lives in the shared `GitRepositories` (`azure/<org>/<project>/<repo>.git`). */
  async repositoryPath(
    organization: string,
    project: string,
    repository: string,
  ): Promise<string> {
    await this.ready;
    const org = this.organizationOrThrow(organization);
    return this.state.pathOf(
      org,
      this.state.repository(org, this.state.project(org, project), repository),
    );
  }

  /** Every service hook delivery attempt so far (payload, headers, the receiver's status). */
  deliveries(): DeliveryRecord[] {
    return this.hooks.deliveries();
  }

  /** Resolves once every service hook delivery started so far has finished. */
  async deliveriesSettled(): Promise<void> {
    await this.pushes.settled();
    await this.hooks.idle();
  }

  private organizationOrThrow(name: string): OrganizationState {
    const organization = this.state.organization(name);
    if (!organization)
      throw new Error(`unknown Azure DevOps organization ${name}`);
    return organization;
  }

  /** Answers one request (REST, git smart HTTP or a web page) and logs it. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req);
    const method = req.method ?? 'GET';
    try {
      await this.ready;
      await this.route(req, res, url, method);
    } catch (error) {
      this.sendError(res, error);
    } finally {
      this.options.requestLog.record(
        'azure',
        method,
        url.pathname + url.search,
        res.statusCode,
      );
    }
  }

  private sendError(res: ServerResponse, error: unknown) {
    if (res.headersSent) {
      res.end();
      return;
    }
    const failure =
      error instanceof AzureError
        ? error
        : internalError(error instanceof Error ? error.message : String(error));
    const text = JSON.stringify(failure.body);
    res.writeHead(failure.status, {
      ...serviceHeaders(),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  /** The user a request authenticates as: basic auth with a PAT as password, or a bearer token. */
  private authenticate(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (
        colon >= 0 &&
        this.options.tokens.includes(decoded.slice(colon + 1))
      ) {
        return decoded.slice(0, colon) || EMULATOR_USER.uniqueName;
      }
      return undefined;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    return bearer && this.options.tokens.includes(bearer[1])
      ? EMULATOR_USER.uniqueName
      : undefined;
  }

  /** 401 with the challenges the service sends (git picks Basic). */
  private unauthorized(res: ServerResponse) {
    const base = this.options.baseUrl;
    res.writeHead(401, {
      ...serviceHeaders(),
      'WWW-Authenticate': [
        'Bearer authorization_uri=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000',
        `Basic realm="${base}/"`,
        'TFS-Federated',
      ],
      'X-TFS-FedAuthRealm': base,
      'X-TFS-FedAuthIssuer': `${base}/`,
      'X-VSS-ResourceTenant': '00000000-0000-0000-0000-000000000000',
      'Content-Length': '0',
    });
    res.end();
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ) {
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter(Boolean)
        .map(decodeURIComponent);
    } catch {
      throw controllerNotFound(url.pathname);
    }
    if (segments.length === 0) throw organizationNotFound();
    const organization = this.state.organization(segments[0]);
    if (!organization) throw organizationNotFound();
    const rest = segments.slice(1);
    const user = this.authenticate(req);
    if (!user) {
      this.unauthorized(res);
      return;
    }
    if (rest[1]?.toLowerCase() === '_git') {
      await this.serveGit(req, res, organization, rest, user);
      return;
    }
    const ctx: RequestContext = { req, res, url, method, organization };
    if (rest[0]?.toLowerCase() === '_apis') {
      await this.routeApis(ctx, undefined, rest.slice(1));
    } else if (rest[1]?.toLowerCase() === '_apis') {
      await this.routeApis(
        ctx,
        this.state.project(organization, rest[0]),
        rest.slice(2),
      );
    } else {
      throw controllerNotFound(url.pathname);
    }
  }

  private async routeApis(
    ctx: RequestContext,
    project: ProjectState | undefined,
    rest: string[],
  ) {
    if (ctx.method === 'OPTIONS') {
      sendList(ctx, locationsOf(rest[0]));
      return;
    }
    const [area, ...tail] = rest;
    const organizationLevel = project === undefined;
    switch (area?.toLowerCase()) {
      case 'git':
        await this.gitApi.route(ctx, project, tail);
        return;
      case 'resourceareas':
        if (!organizationLevel) break;
        this.resourceAreas(ctx, tail[0]);
        return;
      case 'connectiondata':
        if (!organizationLevel) break;
        this.connectionData(ctx);
        return;
      case 'projects':
        if (!organizationLevel) break;
        await this.projects(ctx, tail);
        return;
      case 'operations':
        if (!organizationLevel || tail.length !== 1) break;
        this.operation(ctx, tail[0]);
        return;
      case 'hooks':
        if (
          !organizationLevel ||
          tail[0]?.toLowerCase() !== 'subscriptions' ||
          tail.length > 2
        )
          break;
        await this.subscriptions(ctx, tail[1]);
        return;
      default:
        break;
    }
    throw controllerNotFound(ctx.url.pathname);
  }

  private resourceAreas(ctx: RequestContext, areaId: string | undefined) {
    negotiate(ctx, LOCATIONS.resourceAreas);
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
    const locationUrl = `${this.state.organizationUrl(ctx.organization)}/`;
    const areas = RESOURCE_AREAS.map(area => ({ ...area, locationUrl }));
    if (areaId === undefined) {
      sendList(ctx, areas);
      return;
    }
    const area = areas.find(
      a =>
        a.id === areaId.toLowerCase() ||
        a.name.toLowerCase() === areaId.toLowerCase(),
    );
    if (area) sendJson(ctx, 200, area);
    else sendJson(ctx, 404, null);
  }

  private connectionData(ctx: RequestContext) {
    negotiate(ctx, LOCATIONS.connectionData);
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
    const user = {
      id: EMULATOR_USER.id,
      descriptor: EMULATOR_USER.descriptor,
      subjectDescriptor: EMULATOR_USER.descriptor,
      providerDisplayName: EMULATOR_USER.displayName,
      isActive: true,
      properties: {
        Account: { $type: 'System.String', $value: EMULATOR_USER.uniqueName },
      },
      resourceVersion: 2,
      metaTypeId: 0,
    };
    sendJson(ctx, 200, {
      authenticatedUser: user,
      authorizedUser: user,
      instanceId: ctx.organization.id,
      deploymentId: DEPLOYMENT_ID,
      deploymentType: 'hosted',
      locationServiceData: {
        serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
        defaultAccessMappingMoniker: 'PublicAccessMapping',
        lastChangeId: 1,
        lastChangeId64: 1,
      },
    });
  }

  // ---- core: projects and operations --------------------------------------

  private operationReference(ctx: RequestContext, id: string, status: string) {
    return {
      id,
      status,
      url: `${this.state.organizationUrl(
        ctx.organization,
      )}/_apis/operations/${id}`,
    };
  }

  private async queueOperation(ctx: RequestContext, work: () => Promise<void>) {
    const id = randomUUID();
    await work();
    ctx.organization.operations.set(id, {
      id,
      status: 'succeeded',
      resultMessage: null,
    });
    sendJson(ctx, 202, this.operationReference(ctx, id, 'queued'));
  }

  private async projects(ctx: RequestContext, tail: string[]) {
    negotiate(ctx, LOCATIONS.projects);
    const { organization } = ctx;
    const id = tail.join('/');
    if (!id) {
      if (ctx.method === 'GET') {
        const skip = integer(ctx, ['$skip'], 0);
        const top = integer(ctx, ['$top'], 100);
        const projects = [...organization.projects.values()]
          .sort((a, b) => a.name.localeCompare(b.name))
          .slice(skip, skip + top);
        sendList(
          ctx,
          projects.map(p => this.state.projectJson(organization, p)),
        );
      } else if (ctx.method === 'POST') {
        await this.createProjectFromRequest(ctx);
      } else {
        throw methodNotAllowed(ctx.method);
      }
      return;
    }
    const project = this.state.project(organization, id);
    if (ctx.method === 'GET') {
      sendJson(ctx, 200, this.projectDetails(ctx, project));
    } else if (ctx.method === 'DELETE') {
      await this.queueOperation(ctx, () =>
        this.state.deleteProject(organization, project),
      );
    } else {
      throw methodNotAllowed(ctx.method);
    }
  }

  private projectDetails(ctx: RequestContext, project: ProjectState) {
    const organizationUrl = this.state.organizationUrl(ctx.organization);
    const url = `${organizationUrl}/_apis/projects/${project.id}`;
    const includeCapabilities =
      String(ctx.url.searchParams.get('includeCapabilities')).toLowerCase() ===
      'true';
    return {
      ...this.state.projectJson(ctx.organization, project),
      _links: {
        self: { href: url },
        collection: {
          href: `${organizationUrl}/_apis/projectCollections/${ctx.organization.id}`,
        },
        web: { href: `${organizationUrl}/${encodeURIComponent(project.name)}` },
      },
      ...(includeCapabilities
        ? {
            capabilities: {
              versioncontrol: {
                sourceControlType: 'Git',
                gitEnabled: 'True',
                tfvcEnabled: 'False',
              },
              processTemplate: {
                templateName: 'Agile',
                templateTypeId: project.processTemplateId,
              },
            },
          }
        : {}),
      defaultTeam: {
        id: project.defaultTeamId,
        name: `${project.name} Team`,
        url: `${url}/teams/${project.defaultTeamId}`,
      },
    };
  }

  private async createProjectFromRequest(ctx: RequestContext) {
    const body = ((await readJson(ctx)) ?? {}) as {
      name?: unknown;
      description?: unknown;
      visibility?: unknown;
      capabilities?: {
        versioncontrol?: { sourceControlType?: unknown };
        processTemplate?: { templateTypeId?: unknown };
      };
    };
    const sourceControl = body.capabilities?.versioncontrol?.sourceControlType;
    const processTemplateId =
      body.capabilities?.processTemplate?.templateTypeId;
    if (
      typeof body.name !== 'string' ||
      typeof sourceControl !== 'string' ||
      typeof processTemplateId !== 'string'
    ) {
      throw invalidProjectCreate();
    }
    if (sourceControl.toLowerCase() !== 'git') {
      throw invalidProjectCreate();
    }
    const visibility = enumValue(body.visibility ?? 'private', VISIBILITIES);
    if (!visibility) throw invalidProjectCreate();
    const { organization } = ctx;
    // Validates the name and uniqueness before the operation is queued, as the service does.
    await this.queueOperation(ctx, async () => {
      await this.state.createProject(organization, {
        name: body.name as string,
        description:
          typeof body.description === 'string' ? body.description : undefined,
        visibility: visibility === 'public' ? 'public' : 'private',
        processTemplateId,
      });
    });
  }

  private operation(ctx: RequestContext, id: string) {
    negotiate(ctx, LOCATIONS.operations);
    if (ctx.method !== 'GET') throw methodNotAllowed(ctx.method);
    const operation = ctx.organization.operations.get(id.toLowerCase());
    if (!operation) throw operationNotFound(id);
    const reference = this.operationReference(
      ctx,
      operation.id,
      operation.status,
    );
    sendJson(ctx, 200, {
      ...reference,
      _links: { self: { href: reference.url } },
      detailedMessage: null,
      resultMessage: operation.resultMessage,
      resultUrl: null,
    });
  }

  // ---- hooks --------------------------------------------------------------

  private async subscriptions(ctx: RequestContext, id: string | undefined) {
    negotiate(ctx, LOCATIONS.subscriptions);
    const { organization } = ctx;
    const organizationUrl = this.state.organizationUrl(organization);
    const user = identityRef(organizationUrl);
    const toJson = (s: Parameters<ServiceHooks['toJson']>[0]) =>
      this.hooks.toJson(s, organizationUrl, user);
    const projectExists = (projectId: string) => {
      try {
        this.state.project(organization, projectId);
        return true;
      } catch {
        return false;
      }
    };
    const repositoryExists = (projectId: string, repositoryId: string) => {
      try {
        this.state.repository(
          organization,
          this.state.project(organization, projectId),
          repositoryId,
        );
        return true;
      } catch {
        return false;
      }
    };
    if (id === undefined) {
      if (ctx.method === 'GET') {
        const query = ctx.url.searchParams;
        const filter = {
          publisherId: query.get('publisherId'),
          eventType: query.get('eventType'),
          consumerId: query.get('consumerId'),
          consumerActionId: query.get('consumerActionId'),
        };
        sendList(ctx, this.hooks.list(organization, filter).map(toJson));
      } else if (ctx.method === 'POST') {
        const body = ((await readJson(ctx)) ?? {}) as Record<string, unknown>;
        sendJson(
          ctx,
          200,
          toJson(
            this.hooks.save(
              organization,
              body,
              projectExists,
              repositoryExists,
            ),
          ),
        );
      } else {
        throw methodNotAllowed(ctx.method);
      }
      return;
    }
    if (ctx.method === 'GET') {
      sendJson(ctx, 200, toJson(this.hooks.get(organization, id)));
    } else if (ctx.method === 'PUT') {
      this.hooks.get(organization, id);
      const body = ((await readJson(ctx)) ?? {}) as Record<string, unknown>;
      sendJson(
        ctx,
        200,
        toJson(
          this.hooks.save(
            organization,
            body,
            projectExists,
            repositoryExists,
            id,
          ),
        ),
      );
    } else if (ctx.method === 'DELETE') {
      this.hooks.remove(organization, id);
      sendEmpty(ctx, 204);
    } else {
      throw methodNotAllowed(ctx.method);
    }
  }

  // ---- git over smart HTTP and web pages ----------------------------------

  private async serveGit(
    req: IncomingMessage,
    res: ServerResponse,
    organization: OrganizationState,
    rest: string[],
    user: string,
  ) {
    const [projectName, , repositoryName, ...pathParts] = rest;
    let path: string;
    let repository;
    try {
      const project = this.state.project(organization, projectName);
      repository = this.state.repository(
        organization,
        project,
        repositoryName ?? '',
      );
      path = this.state.pathOf(organization, repository);
    } catch (error) {
      if (!(error instanceof AzureError)) throw error;
      throw repositoryNotFound(repositoryName ?? '');
    }
    const pathInRepo = `/${pathParts.join('/')}`;
    if (SMART_HTTP_PATHS.has(pathInRepo)) {
      // Hold back the end of the response until the push's ref updates are
      // recorded, so that a client sees its push (default branch, push id)
      // in the API as soon as `git push` returns, as on the service.
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      let ending: unknown[] | undefined;
      res.end = ((...args: unknown[]) => {
        ending = args;
        return res;
      }) as unknown as ServerResponse['end'];
      try {
        await this.options.git.serveSmartHttp(req, res, path, pathInRepo, user);
        await this.pushes.settled();
      } finally {
        res.end = end as unknown as ServerResponse['end'];
        if (ending) end(...ending);
      }
      return;
    }
    const isWebPage =
      pathParts.length === 0 ||
      (pathParts.length === 2 && pathParts[0].toLowerCase() === 'pullrequest');
    if (!isWebPage || req.method !== 'GET')
      throw controllerNotFound(parseUrl(req).pathname);
    const title =
      pathParts.length === 0
        ? repository.name
        : `Pull request ${pathParts[1]} - ${repository.name}`;
    const html = `<!DOCTYPE html><html><head><title>${title} - Repos</title></head><body><h1>${title}</h1></body></html>`;
    res.writeHead(200, {
      ...serviceHeaders(),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(html)),
    });
    res.end(html);
  }
}
