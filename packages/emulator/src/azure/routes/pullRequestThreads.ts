/**
 * Pull request threads and their comments (learn.microsoft.com/rest/api/azure/devops/git/pull-request-threads
 * and pull-request-thread-comments): list and create threads, update a
 * comment's content. Kept beside the pull request, so that its model is unchanged.
 */
import { controllerNotFound, invalidArgument, methodNotAllowed, pullRequestNotFound } from '../errors';
import { negotiate, readJson, sendJson, sendList, type RequestContext } from '../context';
import { LOCATIONS } from '../locations';
import type { PullRequestState, RepositoryState } from '../model';
import { identityRef } from '../views';
import type { AzureServices } from './common';

/** One comment of a thread. */
interface CommentState {
  id: number;
  parentCommentId: number;
  content: string;
  commentType: string;
  publishedDate: string;
  lastUpdatedDate: string;
}

/** One thread of a pull request. */
interface ThreadState {
  id: number;
  status: string;
  publishedDate: string;
  lastUpdatedDate: string;
  comments: CommentState[];
}

/** CommentThreadStatus and CommentType by number, as clients may send them (azure-devops-node-api's enums). */
const THREAD_STATUSES = ['unknown', 'active', 'fixed', 'wontFix', 'closed', 'byDesign', 'pending'];
const COMMENT_TYPES = ['unknown', 'text', 'codeChange', 'system'];
function nameOf(names: string[], value: unknown, fallback: string): string {
  if (typeof value === 'number') return names[value] ?? fallback;
  return typeof value === 'string' && value ? value : fallback;
}

const threadsOf = new WeakMap<PullRequestState, ThreadState[]>();
let nextThreadId = 1;

function threads(pullRequest: PullRequestState): ThreadState[] {
  let list = threadsOf.get(pullRequest);
  if (!list) {
    list = [];
    threadsOf.set(pullRequest, list);
  }
  return list;
}

function threadJson(ctx: RequestContext, services: AzureServices, thread: ThreadState) {
  const author = identityRef(services.state.organizationUrl(ctx.organization));
  return {
    id: thread.id,
    publishedDate: thread.publishedDate,
    lastUpdatedDate: thread.lastUpdatedDate,
    comments: thread.comments.map(c => ({ ...c, author, lastContentUpdatedDate: c.lastUpdatedDate, usersLiked: [] })),
    status: thread.status,
    threadContext: null,
    properties: {},
    identities: null,
    isDeleted: false,
  };
}

/** `git/repositories/{id}/pullRequests/{pullRequestId}/threads[/{threadId}[/comments/{commentId}]]`. */
export async function routePullRequestThreads(services: AzureServices, ctx: RequestContext, repository: RepositoryState, tail: string[]) {
  const [id, , threadId, commentsSegment, commentId, ...more] = tail;
  const pullRequest = /^\d+$/.test(id) ? ctx.organization.pullRequests.get(Number(id)) : undefined;
  if (!pullRequest || pullRequest.repositoryId !== repository.id) throw pullRequestNotFound();
  if (more.length > 0 || (commentsSegment !== undefined && commentsSegment.toLowerCase() !== 'comments')) throw controllerNotFound(ctx.url.pathname);
  const now = new Date().toISOString();
  if (commentsSegment) {
    negotiate(ctx, LOCATIONS.pullRequestThreadComments);
    if (ctx.method !== 'PATCH') throw methodNotAllowed(ctx.method);
    const thread = threads(pullRequest).find(t => String(t.id) === threadId);
    const comment = thread?.comments.find(c => String(c.id) === commentId);
    if (!thread || !comment) throw invalidArgument(`The comment ${commentId} of thread ${threadId} does not exist.`);
    const body = ((await readJson(ctx)) ?? {}) as { content?: unknown };
    if (typeof body.content === 'string') comment.content = body.content;
    comment.lastUpdatedDate = now;
    thread.lastUpdatedDate = now;
    sendJson(ctx, 200, { ...comment, author: identityRef(services.state.organizationUrl(ctx.organization)) });
    return;
  }
  negotiate(ctx, LOCATIONS.pullRequestThreads);
  if (ctx.method === 'GET' && threadId === undefined) {
    sendList(ctx, threads(pullRequest).map(t => threadJson(ctx, services, t)));
  } else if (ctx.method === 'POST' && threadId === undefined) {
    const body = ((await readJson(ctx)) ?? {}) as { comments?: Array<{ content?: unknown; parentCommentId?: unknown; commentType?: unknown }>; status?: unknown };
    const comments = (body.comments ?? []).map((c, index) => ({
      id: index + 1,
      parentCommentId: typeof c.parentCommentId === 'number' ? c.parentCommentId : 0,
      content: typeof c.content === 'string' ? c.content : '',
      commentType: nameOf(COMMENT_TYPES, c.commentType, 'text'),
      publishedDate: now,
      lastUpdatedDate: now,
    }));
    if (comments.length === 0) throw invalidArgument('A thread must have at least one comment.');
    const thread: ThreadState = { id: nextThreadId++, status: nameOf(THREAD_STATUSES, body.status, 'active'), publishedDate: now, lastUpdatedDate: now, comments };
    threads(pullRequest).push(thread);
    sendJson(ctx, 200, threadJson(ctx, services, thread));
  } else {
    throw methodNotAllowed(ctx.method);
  }
}
