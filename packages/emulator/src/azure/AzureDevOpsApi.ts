import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http';
import type { GitRepositories } from '../git/GitRepositories';
import type { EmulatedApi, EmulatedApiContext } from '../system';

/** Options of the emulated Azure DevOps (collection URL `<baseUrl>/<organization>`). */
export interface AzureDevOpsApiOptions extends EmulatedApiContext {
  git: GitRepositories;
  /** Personal access tokens accepted as basic-auth passwords. */
  tokens: string[];
  /** The organizations that exist. */
  organizations: string[];
}

/** The emulated Azure DevOps REST API and git host (being built: answers 501 for now). */
export class AzureDevOpsApi implements EmulatedApi {
  constructor(private readonly options: AzureDevOpsApiOptions) {}

  async handle(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    sendJson(res, 501, { message: `not emulated yet (${this.options.baseUrl})` });
  }
}
