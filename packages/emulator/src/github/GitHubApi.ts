import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GitRepositories, RefUpdate } from '../git/GitRepositories';
import { BodyTooLargeError, parseUrl, readBody } from '../http';
import { SerialQueues } from '../serialQueues';
import type { EmulatedApi, EmulatedApiContext } from '../system';
import {
  badCredentials,
  GENERIC_DOCUMENTATION_URL,
  GitHubError,
  notFound,
} from './errors';
import { pushPayload } from './events';
import {
  GHES_VERSION,
  timestamp,
  type Account,
  type DeliveryRecord,
  type RepoRecord,
} from './model';
import {
  documentationUrl,
  RouteTable,
  type ApiRequest,
  type ApiResponse,
  type Route,
} from './router';
import { accountRoutes } from './routes/accounts';
import { actionsRoutes } from './routes/actions';
import { collaboratorRoutes } from './routes/collaborators';
import { branchRoutes } from './routes/branches';
import { commitRoutes } from './routes/commits';
import { contentRoutes } from './routes/contents';
import { gitRoutes } from './routes/git';
import { hookRoutes } from './routes/hooks';
import { synchronizePulls } from './pullRequests';
import { mergeRoutes } from './routes/merge';
import { pullRoutes } from './routes/pulls';
import { repositoryRoutes } from './routes/repos';
import { reviewRoutes } from './routes/reviews';
import { issueCommentRoutes } from './routes/issueComments';
import { GitHubState } from './state';
import {
  RateLimits,
  rateHeaders,
  rateLimitBody,
  rateLimited,
} from './rateLimit';
import {
  approvePullRequest,
  seedRepository,
  type SeedRepositoryOptions,
} from './controls';

export type { SeedRepositoryOptions } from './controls';
import { subscribes } from './webhooks';
import { GitHubWeb } from './web';

/** Options of the emulated GitHub (Enterprise-style: REST under /api/v3, git at /<owner>/<repo>.git). */
export interface GitHubApiOptions extends EmulatedApiContext {
  git: GitRepositories;
  /** Tokens accepted in `Authorization: token|Bearer <token>` (and as git's basic-auth password). */
  tokens: string[];
}

const API_PREFIX = '/api/v3';

/**
 * The emulated GitHub Enterprise Server: the REST API under `/api/v3`, git
 * over smart HTTP at `/<owner>/<repo>.git`, raw files, and webhooks for every
 * push (API writes and `git push` alike).
 */
export class GitHubApi implements EmulatedApi {
  private readonly state: GitHubState;
  private readonly routes: RouteTable;
  private readonly web: GitHubWeb;
  private readonly rateLimits = new RateLimits();
  /** Tokens of other users (`userToken`), each an account with write access. */
  private readonly userTokens = new Map<string, Account>();
  private readonly unsubscribe: () => void;
  /** Ref-update work (push events) per repository, kept in order. */
  private readonly refWork = new SerialQueues<number>();
  /** Repositories of an earlier run (a fixed `gitRoot`) are known before the first request. */
  private readonly ready: Promise<void>;

  constructor(private readonly options: GitHubApiOptions) {
    this.state = new GitHubState(options.git, options.baseUrl);
    const routes: Route[] = [
      ...accountRoutes(this.state),
      ...repositoryRoutes(this.state),
      ...collaboratorRoutes(this.state),
      ...actionsRoutes(this.state),
      ...contentRoutes(this.state),
      ...gitRoutes(this.state),
      ...branchRoutes(this.state),
      ...commitRoutes(this.state),
      ...pullRoutes(this.state),
      ...mergeRoutes(this.state),
      ...reviewRoutes(this.state),
      ...issueCommentRoutes(this.state),
      ...hookRoutes(this.state),
    ];
    this.routes = new RouteTable(routes);
    this.web = new GitHubWeb(this.state, (req, query) =>
      this.authenticate(req, query),
    );
    this.unsubscribe = options.git.onRefUpdate(update =>
      this.refUpdated(update),
    );
    this.ready = this.state.adoptExisting();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseUrl(req);
    try {
      await this.ready;
      if (
        url.pathname === API_PREFIX ||
        url.pathname.startsWith(`${API_PREFIX}/`)
      ) {
        await this.rest(req, res, url);
      } else {
        await this.web.handle(req, res, url);
      }
    } finally {
      this.options.requestLog.record(
        'github',
        req.method ?? 'GET',
        url.pathname + url.search,
        res.statusCode,
        req.headers['user-agent'],
      );
    }
  }

  /** Creates a repository directly, for seeding and tests; owners other than `luban-bot` are organizations. */
  async createRepository(
    owner: string,
    name: string,
    options: SeedRepositoryOptions = {},
  ) {
    await this.ready;
    return seedRepository(this.state, owner, name, options);
  }

  /** Every webhook delivery attempt so far, oldest first. */
  deliveries(): DeliveryRecord[] {
    return this.state.webhooks.deliveries();
  }

  /** Resolves once every event caused so far has been delivered (or failed to be). */
  async deliveriesSettled(): Promise<void> {
    // A push's ref updates are reported after its HTTP answer has gone out.
    await this.web.settled();
    await this.refWork.idle();
    await this.state.webhooks.idle();
  }

  /**
   * Records an approving review by another user (the token's user cannot
   * approve its own pull requests), to satisfy required reviews in tests.
   */
  approvePullRequest(
    owner: string,
    name: string,
    pullNumber: number,
    reviewer = 'reviewer',
  ): void {
    approvePullRequest(this.state, owner, name, pullNumber, reviewer);
  }

  /**
   * A token of another user, with write access (not administration) to every
   * repository: what a reviewer or a teammate does through the API (review,
   * merge) is then bound by branch protection as on GitHub.
   */
  userToken(login: string): string {
    const account = this.state.account(login);
    if (
      !account ||
      account.login.toLowerCase() === this.state.bot.login.toLowerCase()
    )
      throw new Error(`invalid user ${login}`);
    const token = `ghp_user_${account.login}_${randomBytes(8).toString('hex')}`;
    this.userTokens.set(token, { ...account, type: 'User' });
    return token;
  }

  /** Resolves once the state on disk is loaded (the emulator waits for it before serving). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  /** Sets how many requests the token's user has left in this window (0 makes every call fail with 403). */
  setRateLimitRemaining(remaining: number): void {
    this.rateLimits.setRemaining(remaining);
  }

  async reset(): Promise<void> {
    // Finish reacting to pushes already made; slow webhook receivers are not waited for.
    await this.ready;
    await this.web.settled();
    await this.refWork.idle();
    this.rateLimits.clear();
    await this.state.reset();
  }

  close(): void {
    this.unsubscribe();
  }

  /** The user a request authenticates as: undefined when anonymous, `invalid` for a credential GitHub would reject. */
  private authenticate(
    req: IncomingMessage,
    query?: URLSearchParams,
  ): Account | undefined | 'invalid' {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header) {
      const scheme = header.match(/^(token|bearer|basic)\s+(.+)$/i);
      if (!scheme) return 'invalid';
      if (scheme[1].toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2].trim(), 'base64').toString(
          'utf8',
        );
        token = decoded.slice(decoded.indexOf(':') + 1);
      } else {
        token = scheme[2].trim();
      }
    } else if (query?.get('token')) {
      token = query.get('token')!;
    }
    if (token === undefined) return undefined;
    const user = this.userTokens.get(token);
    if (user) return user;
    return this.options.tokens.includes(token) ? this.state.bot : 'invalid';
  }

  private async rest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const requestId = [4, 4, 6, 6, 8]
      .map(length =>
        randomBytes(4).toString('hex').slice(0, length).toUpperCase(),
      )
      .join(':');
    const viewer = this.authenticate(req);
    const bucket = this.rateLimits.bucket(
      viewer && viewer !== 'invalid' ? 'user' : 'anonymous',
    );
    const baseHeaders: Record<string, string> = {
      'X-GitHub-Request-Id': requestId,
      'X-GitHub-Media-Type': 'github.v3; format=json',
      'X-GitHub-Api-Version-Selected': '2022-11-28',
      'X-GitHub-Enterprise-Version': `${GHES_VERSION}.0`,
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers':
        'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'deny',
      Vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, X-Requested-With',
    };
    if (viewer && viewer !== 'invalid') {
      baseHeaders['X-OAuth-Scopes'] =
        'admin:org, admin:repo_hook, delete_repo, repo, user, workflow';
    }
    const path = url.pathname.slice(API_PREFIX.length) || '/';
    const matched = this.routes.match(method, path);
    let docs = GENERIC_DOCUMENTATION_URL;
    let response: ApiResponse;
    let counts = true;
    try {
      if (viewer === 'invalid') throw badCredentials();
      if (path === '/rate_limit' && method === 'GET') {
        // Asking for the rate limit does not count against it.
        counts = false;
        response = { status: 200, body: rateLimitBody(bucket) };
      } else {
        if (!matched) throw notFound();
        docs = documentationUrl(matched.route.docs);
        if (matched.route.requiresAuth && !viewer) {
          throw new GitHubError(401, 'Requires authentication', {
            documentationUrl: docs,
          });
        }
        if (bucket.used >= bucket.limit) throw rateLimited(viewer);
        const request: ApiRequest = {
          method,
          url: new URL(`${this.options.baseUrl}${url.pathname}${url.search}`),
          params: matched.params,
          query: url.searchParams,
          headers: req.headers,
          body: await this.readJson(req, method),
          viewer,
        };
        response = await matched.route.handle(request);
      }
    } catch (error) {
      response = this.errorResponse(error, docs);
      if (error instanceof GitHubError && error.status === 401) counts = false;
    }

    const headers: Record<string, string> = {
      ...baseHeaders,
      ...response.headers,
    };
    let payload: Buffer | undefined;
    if (response.raw) {
      payload = Buffer.isBuffer(response.raw.content)
        ? response.raw.content
        : Buffer.from(response.raw.content);
      headers['Content-Type'] = response.raw.contentType;
    } else if (
      response.body !== undefined &&
      response.status !== 204 &&
      response.status !== 302
    ) {
      payload = Buffer.from(JSON.stringify(response.body));
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    let status = response.status;
    if (method === 'GET' && status === 200 && payload) {
      const etag = `"${createHash('sha256').update(payload).digest('hex')}"`;
      headers.ETag = etag;
      headers['Cache-Control'] = `${
        viewer ? 'private' : 'public'
      }, max-age=60, s-maxage=60`;
      if (this.matchesEtag(req.headers['if-none-match'], etag)) {
        // A conditional hit costs nothing against the rate limit.
        status = 304;
        payload = undefined;
        counts = false;
        delete headers['Content-Type'];
      }
    } else {
      headers['Cache-Control'] = 'private, max-age=60, s-maxage=60';
    }
    if (counts && path !== '/rate_limit') bucket.used += 1;
    Object.assign(headers, rateHeaders(bucket));
    if (payload) headers['Content-Length'] = String(payload.length);
    res.writeHead(status, headers);
    res.end(payload);
  }

  private matchesEtag(
    header: string | string[] | undefined,
    etag: string,
  ): boolean {
    if (!header) return false;
    const values = (Array.isArray(header) ? header.join(',') : header)
      .split(',')
      .map(value => value.trim().replace(/^W\//, ''));
    return values.includes(etag) || values.includes('*');
  }

  private async readJson(
    req: IncomingMessage,
    method: string,
  ): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    if (raw.length === 0 || method === 'GET') return {};
    try {
      const parsed = JSON.parse(raw.toString('utf8'));
      if (
        parsed === null ||
        typeof parsed !== 'object' ||
        Array.isArray(parsed)
      )
        throw new Error('not an object');
      return parsed;
    } catch {
      throw new GitHubError(400, 'Problems parsing JSON');
    }
  }

  private errorResponse(error: unknown, docs: string): ApiResponse {
    if (error instanceof GitHubError) {
      return {
        status: error.status,
        body: error.body(docs),
        headers: error.details.headers,
      };
    }
    if (error instanceof BodyTooLargeError) {
      return {
        status: 413,
        body: {
          message: 'Request body too large',
          documentation_url: docs,
          status: '413',
        },
      };
    }
    // An emulator bug: say what broke, in GitHub's error shape.
    return {
      status: 500,
      body: {
        message: `Server Error: ${
          error instanceof Error ? error.message : String(error)
        }`,
        documentation_url: docs,
        status: '500',
      },
    };
  }

  /** Reacts to a moved ref of one of this system's repositories: push events, default branch, pull requests. */
  private refUpdated(update: RefUpdate): void {
    const repo = this.state.repoByPath(update.repository);
    if (!repo) return;
    repo.pushedAt = timestamp();
    void this.refWork.enqueue(repo.id, () => this.afterRefUpdate(repo, update));
  }

  private async afterRefUpdate(
    repo: RepoRecord,
    update: RefUpdate,
  ): Promise<void> {
    if (this.state.findRepo(repo.owner.login, repo.name) !== repo) return; // deleted meanwhile
    const branch = update.ref.startsWith('refs/heads/')
      ? update.ref.slice('refs/heads/'.length)
      : undefined;
    if (repo.hooks.some(hook => subscribes(hook, 'push'))) {
      this.state.webhooks.send(
        repo,
        'push',
        null,
        await pushPayload(this.state, repo, update),
      );
    }
    if (branch)
      await synchronizePulls(
        this.state,
        repo,
        branch,
        update.before,
        update.after,
      );
  }
}
