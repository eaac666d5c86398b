import { httpRouteAddress, overlayRoutePath, type GitFile, type GitProviders, type RepoLocation } from '@luban-backstage/plugin-luban-node';

/** Bounded: a thousand apps in three environments keep 3,000 entries. */
const MAX_CACHED = 20_000;

/**
 * The address of an app in an environment, read from the HTTPRoute its
 * overlay includes (`luban:gitops:app` writes it beside the kustomization):
 * the same git commit as the rest of the environment's row, so the link
 * names what the overlay deploys, and Argo CD's status beside it says
 * whether that is applied. The live HTTPRoute would need a watch of
 * Gateway API objects on every cluster and read rights on them; the file at
 * a commit never changes, so after the first read it costs no request.
 */
export class AppAddresses {
  private readonly byCommit = new Map<string, string | undefined>();

  constructor(private readonly git: GitProviders) {}

  /** The app's address, or undefined when its overlay (as read at `ref`) includes no route. */
  async of(repo: RepoLocation, overlayPath: string, overlay: GitFile, ref: string): Promise<string | undefined> {
    const routePath = overlayRoutePath(overlayPath, overlay.content);
    if (!routePath) return undefined;
    const key = JSON.stringify([repo.webUrl, routePath, overlay.commitSha]);
    if (overlay.commitSha && this.byCommit.has(key)) return this.byCommit.get(key);
    const file = await this.git.forRepository(repo).readFile(repo, routePath, overlay.commitSha || ref);
    const address = file ? httpRouteAddress(file.content) : undefined;
    if (this.byCommit.size > MAX_CACHED) this.byCommit.clear();
    if (overlay.commitSha) this.byCommit.set(key, address);
    return address;
  }
}
