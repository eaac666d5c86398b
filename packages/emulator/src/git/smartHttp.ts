import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Bridges one HTTP request to `git http-backend` (git's CGI program for the
 * smart HTTP protocol) for the repositories under `root`: the request body
 * goes to its stdin, its CGI headers become the response's status and
 * headers, and the rest of its output streams into the response (left open
 * for the caller to end).
 */
export async function runHttpBackend(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathInfo: string,
  remoteUser: string,
): Promise<void> {
  const query = (req.url ?? '').split('?')[1] ?? '';
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
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
    });
    req.pipe(child.stdin);
    let headerBuffer = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      headerBuffer = Buffer.concat([headerBuffer, chunk]);
      const end = headerBuffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of headerBuffer.subarray(0, end).toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.statusCode = status;
      res.write(headerBuffer.subarray(end + 4));
    });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}
