import { InputError, NotFoundError } from '@backstage/errors';
import type { GitFile } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { EtagCache, FULL_SHA, describeRepo, normalizePath, readKey } from '../support';
import { API_VERSION, AzureRequestError, versionOf, type AzureDevOpsClient } from './client';

/** The REST resource location of items, which azure-devops-node-api has no method for with custom headers. */
const ITEMS_LOCATION = 'fb93c0db-47ed-4a31-8c20-47552878fb44';

/** The answer of the items API, as far as luban reads it. */
interface ItemBody {
  message?: string;
  typeKey?: string;
  objectId?: string;
  commitId?: string;
  content?: string;
  isFolder?: boolean;
}

/** File reads from Azure DevOps: a file at a commit once, at a branch by one conditional request. */
export class AzureDevOpsContents {
  private readonly reads = new EtagCache<GitFile | undefined>(20_000);

  constructor(private readonly client: AzureDevOpsClient) {}

  async readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    const file = normalizePath(path, repo);
    const action = `read '${file}' in ${describeRepo(repo)}@${ref}`;
    const key = readKey(repo, file, ref);
    const cached = this.reads.get(key);
    // What a commit holds never changes.
    if (cached && FULL_SHA.test(ref)) return cached.value;
    const { status, text, etag } = await this.request(repo, file, ref, action, cached?.etag);
    if (status === 304 && cached) return cached.value;
    let body: ItemBody = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { message: text.slice(0, 200) };
    }
    if (status === 404 && body.typeKey === 'GitItemNotFoundException') return undefined;
    if (status === 404 && body.typeKey === 'GitUnresolvableToCommitException') {
      throw new NotFoundError(`${this.client.system(repo)} could not ${action}: there is no branch, tag or commit '${ref}'`);
    }
    if (status < 200 || status >= 300) throw this.client.fail(new AzureRequestError(status, body), repo, action);
    if (body.isFolder) throw new InputError(`${this.client.system(repo)} could not ${action}: it is a folder, not a file`);
    const value = { content: body.content ?? '', version: body.objectId ?? '', commitSha: body.commitId ?? '' };
    if (etag || FULL_SHA.test(ref)) this.reads.set(key, etag ?? '', value);
    return value;
  }

  /** getItem cannot send If-None-Match: the same request through the library's own HTTP client. */
  private async request(repo: RepoLocation, file: string, ref: string, action: string, etag?: string) {
    const { project, repository } = this.client.names(repo);
    const { git } = await this.client.connection(repo, action);
    try {
      const { apiVersion, requestUrl } = await git.vsoClient.getVersioningData(
        API_VERSION,
        'git',
        ITEMS_LOCATION,
        { project, repositoryId: repository },
        { path: `/${file}`, includeContent: true, versionDescriptor: versionOf(ref) },
      );
      const response = await git.http.get(requestUrl!, {
        Accept: git.createAcceptHeader('application/json', apiVersion),
        ...(etag ? { 'If-None-Match': etag } : {}),
      });
      return {
        status: response.message.statusCode ?? 0,
        etag: response.message.headers.etag as string | undefined,
        text: await response.readBody(),
      };
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
  }
}
