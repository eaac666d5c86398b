import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestLog } from './controls';

/** One emulated system's HTTP API, served on its own port. */
export interface EmulatedApi {
  /** Answers one request; the server has already applied latency and faults. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Resolves once the system can serve (state loaded from disk). */
  whenReady?(): Promise<void>;
  /** Forgets all state (objects, repositories), for tests. */
  reset?(): Promise<void> | void;
  /** Closes open streams before the server stops. */
  close?(): void;
}

/** What every emulated API is given. */
export interface EmulatedApiContext {
  requestLog: RequestLog;
  /** The base URL the system is reachable at, e.g. `http://127.0.0.1:7013`. */
  baseUrl: string;
}
