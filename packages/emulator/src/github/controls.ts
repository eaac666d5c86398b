/**
 * Test and demo controls of the emulated GitHub that are not part of its
 * wire API: seeding repositories and reviews by other users.
 * {@link GitHubApi} exposes them as methods.
 */
import { addReview } from './routes/reviews';
import type { GitHubState } from './state';

/** Options of {@link GitHubApi.createRepository}. */
export interface SeedRepositoryOptions {
  /** Files of an initial commit (path → content); none leaves the repository empty. */
  files?: Record<string, string | Buffer>;
  defaultBranch?: string;
  private?: boolean;
  description?: string;
}

/** Creates a repository directly; owners other than `luban-bot` are organizations. */
export async function seedRepository(
  state: GitHubState,
  owner: string,
  name: string,
  options: SeedRepositoryOptions,
) {
  const account = state.account(owner);
  if (!account) throw new Error(`invalid GitHub owner ${owner}`);
  if (state.findRepo(owner, name))
    throw new Error(`repository ${owner}/${name} already exists`);
  const repo = await state.createRepo(account, name, {
    files: options.files,
    defaultBranch: options.defaultBranch,
    visibility: options.private ? 'private' : 'public',
    description: options.description ?? null,
  });
  return state.repositoryJson(repo, state.bot);
}

/** Records an approving review by another user (the token's user cannot approve its own pull requests). */
export function approvePullRequest(
  state: GitHubState,
  owner: string,
  name: string,
  pullNumber: number,
  reviewer: string,
): void {
  const repo = state.findRepo(owner, name);
  const pull = repo?.pulls.find(candidate => candidate.number === pullNumber);
  if (!repo || !pull)
    throw new Error(`no pull request ${owner}/${name}#${pullNumber}`);
  const account = state.account(reviewer);
  if (!account) throw new Error(`invalid reviewer ${reviewer}`);
  addReview(state, pull, { ...account, type: 'User' }, 'APPROVED');
}
