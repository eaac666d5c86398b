import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http';
import type { GitRepositories } from '../git/GitRepositories';
import type { EmulatedApi, EmulatedApiContext } from '../system';

/** Options of the emulated GitHub (Enterprise-style: REST under /api/v3, git at /<owner>/<repo>.git). */
export interface GitHubApiOptions extends EmulatedApiContext {
  git: GitRepositories;
  /** Tokens accepted in `Authorization: token|Bearer <token>` (and as git's basic-auth password). */
  tokens: string[];
}

/** The emulated GitHub REST API and git host (being built: answers 501 for now). */
export class GitHubApi implements EmulatedApi {
  constructor(private readonly options: GitHubApiOptions) {}

  async handle(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    sendJson(res, 501, { message: `not emulated yet (${this.options.baseUrl})` });
  }
}
