import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body the emulator accepts, like an API server's 3 MiB limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Thrown by {@link readBody} when a request body exceeds the limit. */
export class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
  }
}

/** Reads a whole request body; rejects bodies over {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new BodyTooLargeError();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Writes a JSON response with the given status and extra headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parses the query string of a request URL into a plain map (last value wins). */
export function parseUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://emulator.invalid');
}
