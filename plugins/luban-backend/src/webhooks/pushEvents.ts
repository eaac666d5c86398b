import { isObject, webUrlOf } from './payloadFields';

/** The all-zero SHA git hosts send for a created or deleted ref's missing side. */
const ZERO_SHA = /^0+$/;
const SHA = /^[0-9a-f]{40}$/i;

/**
 * One push to a repository, whatever the host: every ref it moved to a new
 * commit. Deleted refs are left out; nothing here is ever run by a shell.
 */
export interface PushEvent {
  provider: 'github' | 'azure';
  /** The repository's web address, e.g. `https://github.com/o/r`. */
  repositoryUrl: string;
  /**
   * `commit`: the commit a pushed tag points at, when the host names it
   * (GitHub's `head_commit`; `after` is the tag object of an annotated tag).
   */
  refs: Array<{ ref: string; before?: string; after: string; commit?: string }>;
}

function refUpdate(ref: unknown, before: unknown, after: unknown) {
  if (typeof ref !== 'string' || !ref.startsWith('refs/') || typeof after !== 'string' || !SHA.test(after) || ZERO_SHA.test(after)) {
    return undefined;
  }
  return { ref, before: typeof before === 'string' && SHA.test(before) && !ZERO_SHA.test(before) ? before : undefined, after };
}

/**
 * A GitHub `push` delivery as a PushEvent; undefined for other events,
 * branch deletions and payloads that do not look like a push.
 */
export function fromGitHubDelivery(eventName: string | undefined, payload: unknown): PushEvent | undefined {
  if (eventName !== 'push' || !isObject(payload) || payload.deleted === true) return undefined;
  const update = refUpdate(payload.ref, payload.before, payload.after);
  const repositoryUrl = webUrlOf(isObject(payload.repository) ? payload.repository.html_url : undefined);
  if (!update || !repositoryUrl) return undefined;
  const headCommit = isObject(payload.head_commit) ? payload.head_commit.id : undefined;
  const commit = typeof headCommit === 'string' && SHA.test(headCommit) ? { commit: headCommit } : {};
  return { provider: 'github', repositoryUrl, refs: [{ ...update, ...commit }] };
}

/**
 * An Azure DevOps `git.push` service hook delivery as a PushEvent, with
 * every ref update (not only the first); undefined for other events.
 */
export function fromAzureDevOpsDelivery(payload: unknown): PushEvent | undefined {
  if (!isObject(payload) || payload.eventType !== 'git.push' || !isObject(payload.resource)) return undefined;
  const { resource } = payload;
  const repository = isObject(resource.repository) ? resource.repository : {};
  const repositoryUrl = webUrlOf(repository.webUrl ?? repository.remoteUrl);
  const refs = (Array.isArray(resource.refUpdates) ? resource.refUpdates : [])
    .map((u: unknown) => (isObject(u) ? refUpdate(u.name, u.oldObjectId, u.newObjectId) : undefined))
    .filter((u: ReturnType<typeof refUpdate>): u is NonNullable<ReturnType<typeof refUpdate>> => u !== undefined);
  if (!repositoryUrl || refs.length === 0) return undefined;
  return { provider: 'azure', repositoryUrl, refs };
}
