import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrl } from '../http';
import type { GitRepositories } from '../git/GitRepositories';
import type { EmulatedApi, EmulatedApiContext } from '../system';
import {
  AzureError,
  controllerNotFound,
  internalError,
  organizationNotFound,
} from './errors';
import {
  negotiate,
  sendList,
  serviceHeaders,
  type RequestContext,
} from './context';
import {
  createProject,
  createRepository,
  repositoryPath,
  requirePullRequests,
  votePullRequest,
  type RequirePullRequestsOptions,
} from './controls';
import { ServiceHooks, type DeliveryRecord } from './hooks';
import { LOCATIONS, locationsOf } from './locations';
import { EMULATOR_USER, type ProjectState } from './model';
import { PushLog } from './pushes';
import type { AzureServices, ItemEtags } from './routes/common';
import { connectionData, resourceAreas } from './routes/discovery';
import { routeGitArea } from './routes/git';
import { serveGitHttp } from './routes/gitHttp';
import { subscriptionsResource } from './routes/hooks';
import { policyConfigurationsResource } from './routes/policies';
import { getOperation, projectsResource } from './routes/projects';
import { AzureOrganizations } from './state';

/** Options of the emulated Azure DevOps (collection URL `<baseUrl>/<organization>`). */
export interface AzureDevOpsApiOptions extends EmulatedApiContext {
  git: GitRepositories;
  /** Personal access tokens accepted as basic-auth passwords (and as bearer tokens). */
  tokens: string[];
  /** The organizations that exist; each starts with a project `platform`. */
  organizations: string[];
}

/**
 * The emulated Azure DevOps Services: the REST API (location discovery,
 * api-version negotiation, projects, Git repositories, refs, items, pushes,
 * commits, pull requests, service hooks) and git over smart HTTP, all
 * behind PAT authentication, with the service's status codes and error
 * bodies. The routes live in `routes/`, one file per resource group.
 */
export class AzureDevOpsApi implements EmulatedApi {
  private readonly services: AzureServices;
  private readonly unsubscribe: () => void;
  /** Settles once the organizations exist (after construction and after each reset). */
  private ready: Promise<void>;

  constructor(private readonly options: AzureDevOpsApiOptions) {
    const state = new AzureOrganizations(
      options.baseUrl,
      options.git,
      options.organizations,
    );
    const hooks = new ServiceHooks();
    const pushes = new PushLog(state, options.git, hooks);
    this.services = {
      state,
      git: options.git,
      pushes,
      hooks,
      itemEtags: 'content',
    };
    this.unsubscribe = options.git.onRefUpdate(update =>
      pushes.onRefUpdate(update),
    );
    this.ready = state.load();
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
        this.services.hooks.reset();
        this.services.itemEtags = 'content';
        await this.services.state.reset();
      });
    this.ready = run;
    await run;
  }

  /** What the items API sends as ETag from now on (see {@link ItemEtags}); a reset restores `content`. */
  setItemEtags(mode: ItemEtags) {
    this.services.itemEtags = mode;
  }

  /** Stops listening to ref updates of the shared repositories. */
  close() {
    this.unsubscribe();
  }

  /** Creates a Git project (with its default repository of the same name). */
  async createProject(organization: string, name: string) {
    await this.ready;
    return createProject(this.services, organization, name);
  }

  /** Creates a repository, optionally with files committed to `branch` (default `main`). */
  async createRepository(
    organization: string,
    project: string,
    name: string,
    options: { files?: Record<string, string | Buffer>; branch?: string } = {},
  ) {
    await this.ready;
    return createRepository(
      this.services,
      organization,
      project,
      name,
      options,
    );
  }

  /** Where a repository lives in the shared `GitRepositories` (`azure/<org>/<project>/<repo>.git`). */
  async repositoryPath(
    organization: string,
    project: string,
    repository: string,
  ): Promise<string> {
    await this.ready;
    return repositoryPath(this.services, organization, project, repository);
  }

  /**
   * Puts a branch under a required (blocking) branch policy, as a project
   * administrator would: "Require a minimum number of reviewers" unless told
   * otherwise. Direct pushes to the branch are then refused with TF402455;
   * pull requests still complete into it. Returns the policy configuration.
   */
  async requirePullRequests(
    organization: string,
    project: string,
    repository: string,
    branch: string,
    options: RequirePullRequestsOptions = {},
  ) {
    await this.ready;
    return requirePullRequests(
      this.services,
      organization,
      project,
      repository,
      branch,
      options,
    );
  }

  /**
   * Casts a reviewer's vote on a pull request, as that reviewer would in the
   * web UI: 10 approve, 5 approve with suggestions, 0 reset, -5 wait for
   * the author, -10 reject. The reviewer is named; the author cannot vote
   * for itself here.
   */
  async votePullRequest(
    organization: string,
    project: string,
    repository: string,
    pullRequestId: number,
    reviewer: string,
    vote: number,
  ) {
    await this.ready;
    votePullRequest(
      this.services,
      organization,
      project,
      repository,
      pullRequestId,
      reviewer,
      vote,
    );
  }

  /** Every service hook delivery attempt so far (payload, headers, the receiver's status). */
  deliveries(): DeliveryRecord[] {
    return this.services.hooks.deliveries();
  }

  /** Resolves once every service hook delivery started so far has finished. */
  async deliveriesSettled(): Promise<void> {
    await this.services.pushes.settled();
    await this.services.hooks.idle();
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
        req.headers['user-agent'],
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
    const organization = this.services.state.organization(segments[0]);
    if (!organization) throw organizationNotFound();
    const rest = segments.slice(1);
    const user = this.authenticate(req);
    if (!user) {
      this.unauthorized(res);
      return;
    }
    if (rest[1]?.toLowerCase() === '_git') {
      await serveGitHttp(this.services, req, res, organization, rest, user);
      return;
    }
    const ctx: RequestContext = { req, res, url, method, organization };
    if (rest[0]?.toLowerCase() === '_apis') {
      await this.routeApis(ctx, undefined, rest.slice(1));
    } else if (rest[1]?.toLowerCase() === '_apis') {
      await this.routeApis(
        ctx,
        this.services.state.project(organization, rest[0]),
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
        await routeGitArea(this.services, ctx, project, tail);
        return;
      case 'policy':
        if (
          !project ||
          tail[0]?.toLowerCase() !== 'configurations' ||
          tail.length > 2
        )
          break;
        negotiate(ctx, LOCATIONS.policyConfigurations);
        await policyConfigurationsResource(
          this.services,
          ctx,
          project,
          tail[1],
        );
        return;
      case 'resourceareas':
        if (!organizationLevel) break;
        resourceAreas(this.services, ctx, tail[0]);
        return;
      case 'connectiondata':
        if (!organizationLevel) break;
        connectionData(ctx);
        return;
      case 'projects':
        if (!organizationLevel) break;
        await projectsResource(this.services, ctx, tail);
        return;
      case 'operations':
        if (!organizationLevel || tail.length !== 1) break;
        getOperation(this.services, ctx, tail[0]);
        return;
      case 'hooks':
        if (
          !organizationLevel ||
          tail[0]?.toLowerCase() !== 'subscriptions' ||
          tail.length > 2
        )
          break;
        await subscriptionsResource(this.services, ctx, tail[1]);
        return;
      default:
        break;
    }
    throw controllerNotFound(ctx.url.pathname);
  }
}
