import type { IncomingMessage, ServerResponse } from 'node:http';
import { runGit } from './runGit';

/** The whole body of a request. */
async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Bridges one HTTP request to `git http-backend` (git's CGI program for the
 * smart HTTP protocol) for the repositories under `root`: the request body
 * goes to its stdin, its CGI headers become the response's status and
 * headers, and the rest of its output is written to the response (left open
 * for the caller to end). git is started by the launcher like every other git
 * process of the emulator (runGit.ts), so the exchange is buffered: the
 * emulator's packs are small.
 */
export async function runHttpBackend(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathInfo: string,
  remoteUser: string,
): Promise<void> {
  const query = (req.url ?? '').split('?')[1] ?? '';
  const output = (
    await runGit(undefined, ['http-backend'], {
      input: await bodyOf(req),
      env: {
        HOME: root,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: pathInfo,
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: query,
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_USER: remoteUser,
        REMOTE_ADDR: '127.0.0.1',
      },
    })
  ).stdout;
  const end = output.indexOf('\r\n\r\n');
  let status = 200;
  for (const line of output.subarray(0, Math.max(end, 0)).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else res.setHeader(name, value);
  }
  res.statusCode = status;
  res.write(end < 0 ? output : output.subarray(end + 4));
}
