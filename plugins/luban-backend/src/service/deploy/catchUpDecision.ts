import {
  readOverlayImages,
  type GitProviders,
  type KpackBuild,
  type RepoLocation,
} from '@luban-backstage/plugin-luban-node';

/** What the catch-up does with an app's newest successful Build. */
export type CatchUpDecision =
  | { kind: 'deployed' }
  | { kind: 'deploy'; overlayChangedAt?: string }
  | { kind: 'overlay-changed-later'; overlayChangedAt?: string; overlayDigest?: string }
  | { kind: 'no-overlay' };

/**
 * Whether an app's newest successful Build still has to reach its first
 * environment's overlay. Only when the overlay does not hold its digest AND
 * the overlay's last commit is older than the Build's completion: then no one
 * deployed it because no luban was watching when it finished. A commit at or
 * after the completion was made while the Build existed — a rollback, a
 * promotion into the first environment, a hand edit — and wins: deploying
 * the Build now would silently undo a person's decision.
 */
export async function decideCatchUp(
  git: GitProviders,
  at: { repo: RepoLocation; branch: string; path: string; app: string },
  build: KpackBuild,
): Promise<CatchUpDecision> {
  const { repo, branch, path, app } = at;
  const provider = git.forRepository(repo);
  const file = await provider.readFile(repo, path, branch);
  if (!file) return { kind: 'no-overlay' };
  const overlayDigest = readOverlayImages(file.content, path).find(i => i.name === app)?.digest;
  if (overlayDigest === build.digest) return { kind: 'deployed' };
  // The same call the promotion view's "deployed at" reads: the last commit that touched the overlay.
  const overlayChangedAt = (await provider.fileHistory(repo, path, file.commitSha || branch, 1))[0]?.date;
  const changed = overlayChangedAt ? Date.parse(overlayChangedAt) : NaN;
  const finished = build.finishedAt ? Date.parse(build.finishedAt) : NaN;
  // Both are to the second: a commit in the Build's own second cannot be told apart from a later one, so it wins too.
  if (Number.isNaN(changed) || Number.isNaN(finished) || changed >= finished) {
    return { kind: 'overlay-changed-later', overlayChangedAt, overlayDigest };
  }
  return { kind: 'deploy', overlayChangedAt };
}
