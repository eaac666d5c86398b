import { InputError, NotFoundError } from '@backstage/errors';
import type { GitFile } from '../GitProvider';
import type { RepoLocation } from '../repoLocation';
import { EtagCache, FULL_SHA, SingleFlight, describeRepo, normalizePath, readKey } from '../support';
import { API_VERSION, AzureRequestError, versionOf, type AzureDevOpsClient } from './client';

/** The REST resource location of items, read through the library's HTTP client to see the status and error body. */
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

/**
 * File reads from Azure DevOps. A read at a branch asks for the branch's
 * head (one request, joined by concurrent reads of the same branch), then
 * reads the file at that commit, which never changes and is kept by commit
 * id. Freshness never rests on the items API's ETag: the service does not
 * document it, and a stale 304 would show an old overlay.
 */
export class AzureDevOpsContents {
  /** Files by repository, path and commit id (undefined: not there at that commit). */
  private readonly atCommit = new EtagCache<GitFile | undefined>(20_000);
  private readonly heads = new SingleFlight<string | undefined>();

  constructor(private readonly client: AzureDevOpsClient) {}

  async readFile(repo: RepoLocation, path: string, ref: string): Promise<GitFile | undefined> {
    const file = normalizePath(path, repo);
    const action = `read '${file}' in ${describeRepo(repo)}@${ref}`;
    // A tag is read as it is now, uncached; luban reads branches and commits.
    if (ref.startsWith('refs/tags/')) return this.readItem(repo, file, ref, action);
    const commit = FULL_SHA.test(ref) ? ref : await this.branchHead(repo, ref, action);
    // No such branch (or repository): the items API says which, with the service's own error.
    if (!commit) return this.readItem(repo, file, ref, action);
    const key = readKey(repo, file, commit);
    const cached = this.atCommit.get(key);
    if (cached) return cached.value;
    const value = await this.readItem(repo, file, commit, action);
    this.atCommit.set(key, '', value && { ...value, commitSha: commit });
    return value && { ...value, commitSha: commit };
  }

  /** The branch's head now; concurrent reads of one branch share the request. */
  private async branchHead(repo: RepoLocation, ref: string, action: string): Promise<string | undefined> {
    const name = versionOf(ref).version ?? ref;
    return this.heads.run(readKey(repo, '', `refs/heads/${name}`), () => this.client.branchHead(repo, name, action));
  }

  /** The items API's answer for a file at a version; undefined when the file is not there. */
  private async readItem(repo: RepoLocation, file: string, ref: string, action: string): Promise<GitFile | undefined> {
    const { status, text } = await this.request(repo, file, ref, action);
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
    return { content: body.content ?? '', version: body.objectId ?? '', commitSha: body.commitId ?? '' };
  }

  /** getItem through the library's own HTTP client, to read the status and error body as they are. */
  private async request(repo: RepoLocation, file: string, ref: string, action: string) {
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
      const response = await git.http.get(requestUrl!, { Accept: git.createAcceptHeader('application/json', apiVersion) });
      return { status: response.message.statusCode ?? 0, text: await response.readBody() };
    } catch (error) {
      throw this.client.fail(error, repo, action);
    }
  }
}
