import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account, RepoRecord } from './model';
import type { GitHubState } from './state';

const SMART_HTTP =
  /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const RAW = /^\/raw\/([^/]+)\/([^/]+)\/(.+)$/;
const CODELOAD =
  /^\/_codeload\/([^/]+)\/([^/]+)\/(tar\.gz|zip)\/([0-9a-f]{40})$/;

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`);
}

/**
 * The non-API side of the emulated GitHub: git over smart HTTP, raw files,
 * archive downloads and minimal web pages for the `html_url`s the API hands out.
 */
export class GitHubWeb {
  /** Smart HTTP exchanges still running (their ref updates are reported at the end). */
  private readonly exchanges = new Set<Promise<void>>();

  constructor(
    private readonly state: GitHubState,
    /** The user a request authenticates as: undefined when anonymous, `invalid` for a bad credential. */
    private readonly authenticate: (
      req: IncomingMessage,
      query: URLSearchParams,
    ) => Account | undefined | 'invalid',
  ) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const path = url.pathname;
    const smart = SMART_HTTP.exec(path);
    if (smart) {
      await this.smartHttp(
        req,
        res,
        url,
        decodeURIComponent(smart[1]),
        decodeURIComponent(smart[2]),
        smart[3],
      );
      return;
    }
    const raw = RAW.exec(path);
    if (raw && req.method === 'GET') {
      await this.raw(
        req,
        res,
        url,
        decodeURIComponent(raw[1]),
        decodeURIComponent(raw[2]),
        raw[3],
      );
      return;
    }
    const codeload = CODELOAD.exec(path);
    if (codeload && req.method === 'GET') {
      await this.archive(req, res, url, codeload);
      return;
    }
    this.page(req, res, url);
  }

  /** The repository a web request may read, or undefined (missing, or private to an anonymous caller). */
  private readable(
    req: IncomingMessage,
    url: URL,
    owner: string,
    name: string,
  ): RepoRecord | undefined {
    const repo = this.state.findRepo(owner, name);
    const viewer = this.authenticate(req, url.searchParams);
    if (
      !repo ||
      (repo.visibility !== 'public' &&
        (viewer === undefined || viewer === 'invalid'))
    )
      return undefined;
    return repo;
  }

  private async smartHttp(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    owner: string,
    name: string,
    action: string,
  ) {
    const service =
      action === 'info/refs' ? url.searchParams.get('service') : action;
    const push = service === 'git-receive-pack';
    const viewer = this.authenticate(req, url.searchParams);
    const repo = this.state.findRepo(owner, name);
    const challenge = { 'WWW-Authenticate': 'Basic realm="GitHub"' };
    if (viewer === 'invalid') {
      sendText(
        res,
        401,
        'Invalid username or token. Password authentication is not supported for Git operations.\n',
        challenge,
      );
      return;
    }
    // Anonymous callers cannot tell a private repository from a missing one: both ask for credentials.
    if (!viewer && (!repo || repo.visibility !== 'public' || push)) {
      sendText(res, 401, 'Authentication required\n', challenge);
      return;
    }
    if (!repo) {
      sendText(res, 404, 'Repository not found.\n');
      return;
    }
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      // Dumb HTTP (info/refs without ?service) is not served by GitHub.
      sendText(
        res,
        403,
        'Please upgrade your git client.\nGitHub.com no longer supports git over dumb-http: https://github.com/blog/809-git-dumb-http-transport-to-be-turned-off-in-90-days\n',
      );
      return;
    }
    if (push && repo.settings.archived) {
      sendText(res, 403, 'This repository was archived so it is read-only.\n');
      return;
    }
    const exchange = this.state.git.serveSmartHttp(
      req,
      res,
      repo.path,
      `/${action}`,
      viewer ? viewer.login : 'anonymous',
    );
    this.exchanges.add(exchange);
    try {
      await exchange;
    } finally {
      this.exchanges.delete(exchange);
    }
  }

  /** Resolves once every running smart HTTP exchange has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.exchanges]);
  }

  /** `/raw/<owner>/<repo>/<ref>/<path>`: the ref may hold slashes, so the longest prefix naming a commit wins. */
  private async raw(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    owner: string,
    name: string,
    rest: string,
  ) {
    const repo = this.readable(req, url, owner, name);
    if (!repo) {
      sendText(res, 404, '404: Not Found');
      return;
    }
    const parts = rest.split('/').map(decodeURIComponent);
    for (let split = parts.length - 1; split >= 1; split--) {
      const commit = await this.state.resolve(
        repo,
        parts.slice(0, split).join('/'),
      );
      if (!commit) continue;
      const file = await this.state.git.readFile(
        repo.path,
        commit,
        parts.slice(split).join('/'),
      );
      if (!file) break;
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': file.content.length,
      });
      res.end(file.content);
      return;
    }
    sendText(res, 404, '404: Not Found');
  }

  private async archive(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
  ) {
    const repo = this.readable(
      req,
      url,
      decodeURIComponent(match[1]),
      decodeURIComponent(match[2]),
    );
    const sha = match[4];
    if (
      !repo ||
      (await this.state.objects.objectType(repo.path, sha)) !== 'commit'
    ) {
      sendText(res, 404, '404: Not Found');
      return;
    }
    const format = match[3] as 'tar.gz' | 'zip';
    // GitHub names the single top folder of an archive <owner>-<repo>-<short sha>.
    const prefix = `${repo.owner.login}-${repo.name}-${sha.slice(0, 7)}`;
    const content = await this.state.objects.archive(
      repo.path,
      sha,
      format,
      prefix,
    );
    res.writeHead(200, {
      'Content-Type':
        format === 'zip' ? 'application/zip' : 'application/x-gzip',
      'Content-Disposition': `attachment; filename=${prefix}.${format}`,
      'Content-Length': content.length,
      ETag: `"${sha}"`,
    });
    res.end(content);
  }

  /** A minimal HTML page for a web URL (a repository, PR, file...); 404 for what does not exist. */
  private page(req: IncomingMessage, res: ServerResponse, url: URL) {
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    let title: string | undefined;
    if (segments.length === 0) title = 'GitHub Enterprise (luban emulator)';
    else if (segments.length === 1)
      title = this.state.account(segments[0])?.login;
    else {
      const repo = this.readable(
        req,
        url,
        segments[0],
        segments[1].replace(/\.git$/, ''),
      );
      if (repo)
        title = [repo.owner.login, repo.name, ...segments.slice(2)].join('/');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') title = undefined;
    if (!title) {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><title>Page not found</title><h1>404</h1>');
      return;
    }
    const html = `<!DOCTYPE html><html><head><title>${escapeHtml(
      title,
    )}</title></head><body><h1>${escapeHtml(title)}</h1></body></html>`;
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }
}
