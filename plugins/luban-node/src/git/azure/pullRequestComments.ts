import { CommentThreadStatus, CommentType } from 'azure-devops-node-api/interfaces/GitInterfaces';
import type { PullRequestComment } from '../pullRequestComments';
import type { RepoLocation } from '../repoLocation';
import { describeRepo } from '../support';
import type { AzureDevOpsClient } from './client';

/**
 * Keeps one comment of luban's on a pull request: the first comment of a
 * thread of its own (Pull Request Threads, learn.microsoft.com/rest/api/azure/devops/git/pull-request-threads),
 * found again by a marker it carries; created once, then updated in place.
 */
export async function upsertAzureDevOpsPullRequestComment(
  client: AzureDevOpsClient,
  repo: RepoLocation,
  number: number,
  comment: PullRequestComment,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { project, repository } = client.names(repo);
  const action = `comment on pull request ${number} of ${describeRepo(repo)}`;
  const hidden = `<!-- ${comment.marker} -->`;
  const content = `${comment.body}\n\n${hidden}`;
  return client.call(repo, action, async ({ git }) => {
    const threads = (await git.getThreads(repository, number, project)) ?? [];
    const thread = threads.find(t => t.comments?.[0]?.content?.includes(hidden));
    const first = thread?.comments?.[0];
    if (thread && first?.content === content) return 'unchanged';
    if (thread?.id !== undefined && first?.id !== undefined) {
      await git.updateComment({ content }, repository, number, thread.id, first.id, project);
      return 'updated';
    }
    await git.createThread(
      { comments: [{ parentCommentId: 0, content, commentType: CommentType.Text }], status: CommentThreadStatus.Closed },
      repository,
      number,
      project,
    );
    return 'created';
  });
}
