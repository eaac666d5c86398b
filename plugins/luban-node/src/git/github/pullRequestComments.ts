import type { PullRequestComment } from '../pullRequestComments';
import type { RepoLocation } from '../repoLocation';
import { describeRepo } from '../support';
import type { GitHubClient } from './client';

/**
 * Keeps one comment of luban's on a pull request (an issue, to GitHub's
 * REST API: docs.github.com/rest/issues/comments), found again by a marker
 * it carries: created once, then updated in place, never duplicated.
 */
export async function upsertGitHubPullRequestComment(
  client: GitHubClient,
  repo: RepoLocation,
  number: number,
  comment: PullRequestComment,
): Promise<'created' | 'updated' | 'unchanged'> {
  const octokit = await client.octokit(repo);
  const names = client.names(repo);
  const action = `comment on pull request #${number} of ${describeRepo(repo)}`;
  const body = `${comment.body}\n\n<!-- ${comment.marker} -->`;
  try {
    const existing = await octokit.paginate(octokit.issues.listComments, { ...names, issue_number: number, per_page: 100 });
    const mine = existing.find(c => c.body?.includes(`<!-- ${comment.marker} -->`));
    if (mine?.body === body) return 'unchanged';
    if (mine) {
      await octokit.issues.updateComment({ ...names, comment_id: mine.id, body });
      return 'updated';
    }
    await octokit.issues.createComment({ ...names, issue_number: number, body });
    return 'created';
  } catch (error) {
    throw client.fail(error, repo, action);
  }
}
