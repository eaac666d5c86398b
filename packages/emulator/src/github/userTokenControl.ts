import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrl, readBody, sendJson } from '../http';
import type { GitHubApi } from './GitHubApi';

/** The control that hands out another user's token (`POST /_emulator/github/user-tokens`). */
const USER_TOKEN_CONTROL = '/_emulator/github/user-tokens';

/**
 * Serves {@link GitHubApi.userToken} over HTTP, for tests that reach the
 * emulator only through its ports (the browser tests of scripts/test-e2e):
 * `POST /_emulator/github/user-tokens` with `{ "login": "<user>" }` answers
 * `{ "token": "…" }`, a token of that user with write access (not
 * administration), bound by branch protection as a teammate is on GitHub.
 * Answers false for any other path.
 */
export async function handleGitHubUserTokenControl(
  req: IncomingMessage,
  res: ServerResponse,
  github: GitHubApi,
): Promise<boolean> {
  if (parseUrl(req).pathname !== USER_TOKEN_CONTROL) return false;
  if (req.method !== 'POST') {
    sendJson(res, 405, { message: `${USER_TOKEN_CONTROL} takes POST` });
    return true;
  }
  let login: unknown;
  try {
    login = JSON.parse((await readBody(req)).toString('utf8')).login;
  } catch {
    login = undefined;
  }
  if (typeof login !== 'string') {
    sendJson(res, 400, {
      message: 'the body must be JSON: { "login": string }',
    });
    return true;
  }
  try {
    sendJson(res, 201, { token: github.userToken(login) });
  } catch (error) {
    sendJson(res, 400, { message: (error as Error).message });
  }
  return true;
}
