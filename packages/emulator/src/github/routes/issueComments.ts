/**
 * Comments on pull requests as issues (a pull request is an issue on GitHub):
 * list, create and update, as docs.github.com/rest/issues/comments describes.
 * Kept beside the repository record, so that nothing else in the model changes.
 */
import { notFound } from '../errors';
import { nodeId, timestamp, type Account, type RepoRecord } from '../model';
import { findPull } from '../pullRequests';
import type { Route } from '../router';
import type { GitHubState } from '../state';
import { simpleUser } from '../views';
import { json, page, route, stringField, visibleRepo, writableRepo } from './common';

/** One issue comment. */
export interface IssueCommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Account;
  createdAt: string;
  updatedAt: string;
}

const commentsOfRepo = new WeakMap<RepoRecord, IssueCommentRecord[]>();
/** Comment ids are unique on the whole server, as GitHub's are. */
let nextCommentId = 1;

/** The comments of a repository's issues and pull requests, oldest first (for tests). */
export function issueCommentsOf(repo: RepoRecord): IssueCommentRecord[] {
  let comments = commentsOfRepo.get(repo);
  if (!comments) {
    comments = [];
    commentsOfRepo.set(repo, comments);
  }
  return comments;
}

function commentJson(state: GitHubState, repo: RepoRecord, comment: IssueCommentRecord) {
  const api = state.urls.repoApi(repo);
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${state.urls.repoWeb(repo)}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: simpleUser(comment.user, state.urls),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'COLLABORATOR',
  };
}

function commentOf(repo: RepoRecord, id: string): IssueCommentRecord {
  const comment = issueCommentsOf(repo).find(c => String(c.id) === id);
  if (!comment) throw notFound();
  return comment;
}

/** Issue comments of pull requests: list, create, update. */
export function issueCommentRoutes(state: GitHubState): Route[] {
  return [
    route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 'issues/comments#list-issue-comments', async req => {
      const repo = visibleRepo(state, req);
      const pull = findPull(repo, req.params.issue_number);
      return page(
        req,
        issueCommentsOf(repo)
          .filter(c => c.issueNumber === pull.number)
          .map(c => commentJson(state, repo, c)),
      );
    }),
    route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', 'issues/comments#create-an-issue-comment', async req => {
      const repo = writableRepo(state, req);
      const pull = findPull(repo, req.params.issue_number);
      const body = stringField(req, 'body', true);
      const now = timestamp();
      const comment: IssueCommentRecord = { id: nextCommentId++, issueNumber: pull.number, body, user: req.viewer!, createdAt: now, updatedAt: now };
      issueCommentsOf(repo).push(comment);
      return json(201, commentJson(state, repo, comment));
    }),
    route('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', 'issues/comments#update-an-issue-comment', async req => {
      const repo = writableRepo(state, req);
      const comment = commentOf(repo, req.params.comment_id);
      const body = stringField(req, 'body', true);
      comment.body = body;
      comment.updatedAt = timestamp();
      return json(200, commentJson(state, repo, comment));
    }),
  ];
}
