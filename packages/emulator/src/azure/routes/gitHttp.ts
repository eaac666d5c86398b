/** Git over smart HTTP (`{project}/_git/{repository}/…`) and the repository and pull request web pages. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseUrl } from '../../http';
import { AzureError, controllerNotFound, repositoryNotFound } from '../errors';
import { serviceHeaders } from '../context';
import type { OrganizationState } from '../model';
import { guardedRefs } from '../policies';
import { applyBranchPolicies } from '../policyHook';
import type { AzureServices } from './common';

const SMART_HTTP_PATHS = new Set([
  '/info/refs',
  '/git-upload-pack',
  '/git-receive-pack',
]);

/** Serves `git` (clone, fetch, push) and the web pages of one repository. */
export async function serveGitHttp(
  services: AzureServices,
  req: IncomingMessage,
  res: ServerResponse,
  organization: OrganizationState,
  rest: string[],
  user: string,
) {
  const [projectName, , repositoryName, ...pathParts] = rest;
  let path: string;
  let repository;
  try {
    const project = services.state.project(organization, projectName);
    repository = services.state.repository(
      organization,
      project,
      repositoryName ?? '',
    );
    path = services.state.pathOf(organization, repository);
  } catch (error) {
    if (!(error instanceof AzureError)) throw error;
    throw repositoryNotFound(repositoryName ?? '');
  }
  const pathInRepo = `/${pathParts.join('/')}`;
  if (pathInRepo === '/git-receive-pack') {
    await applyBranchPolicies(
      services.git.pathOf(path),
      guardedRefs(organization, repository),
    );
  }
  if (SMART_HTTP_PATHS.has(pathInRepo)) {
    // Hold back the end of the response until the push's ref updates are
    // recorded, so that a client sees its push (default branch, push id)
    // in the API as soon as `git push` returns, as on the service.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let ending: unknown[] | undefined;
    res.end = ((...args: unknown[]) => {
      ending = args;
      return res;
    }) as unknown as ServerResponse['end'];
    try {
      await services.git.serveSmartHttp(req, res, path, pathInRepo, user);
      await services.pushes.settled();
    } finally {
      res.end = end as unknown as ServerResponse['end'];
      if (ending) end(...ending);
    }
    return;
  }
  const isWebPage =
    pathParts.length === 0 ||
    (pathParts.length === 2 && pathParts[0].toLowerCase() === 'pullrequest');
  if (!isWebPage || req.method !== 'GET')
    throw controllerNotFound(parseUrl(req).pathname);
  const title =
    pathParts.length === 0
      ? repository.name
      : `Pull request ${pathParts[1]} - ${repository.name}`;
  const html = `<!DOCTYPE html><html><head><title>${title} - Repos</title></head><body><h1>${title}</h1></body></html>`;
  res.writeHead(200, {
    ...serviceHeaders(),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
  });
  res.end(html);
}
