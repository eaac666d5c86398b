import { GitHubError, validationFailed } from '../errors';
import {
  nodeId,
  timestamp,
  type Account,
  type PullRecord,
  type RepoRecord,
  type ReviewRecord,
} from '../model';
import { findPull, refresh } from '../pullRequests';
import type { Route } from '../router';
import type { GitHubState } from '../state';
import { simpleUser } from '../views';
import {
  json,
  page,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

function reviewJson(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  review: ReviewRecord,
) {
  const html = `${state.urls.repoWeb(repo)}/pull/${
    pull.number
  }#pullrequestreview-${review.id}`;
  const api = `${state.urls.repoApi(repo)}/pulls/${pull.number}`;
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: simpleUser(review.user, state.urls),
    body: review.body,
    state: review.state,
    html_url: html,
    pull_request_url: api,
    author_association: 'COLLABORATOR',
    _links: { html: { href: html }, pull_request: { href: api } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
  };
}

/** Records an approval or other review by someone other than the token's user (for tests). */
export function addReview(
  state: GitHubState,
  pull: PullRecord,
  reviewer: Account,
  reviewState: ReviewRecord['state'],
  body = '',
): ReviewRecord {
  const review: ReviewRecord = {
    id: state.nextId('review'),
    user: reviewer,
    state: reviewState,
    body,
    commitId: pull.head.sha,
    submittedAt: timestamp(),
  };
  pull.reviews.push(review);
  return review;
}

/** Reviews of pull requests: list and submit. */
export function reviewRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      'pulls/reviews#list-reviews-for-a-pull-request',
      async req => {
        const repo = visibleRepo(state, req);
        const pull = findPull(repo, req.params.pull_number);
        return page(
          req,
          pull.reviews.map(review => reviewJson(state, repo, pull, review)),
        );
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      'pulls/reviews#create-a-review-for-a-pull-request',
      async req => {
        const repo = writableRepo(state, req);
        const pull = findPull(repo, req.params.pull_number);
        await refresh(state, repo, pull);
        const event = stringField(req, 'event') ?? 'COMMENT';
        const states: Record<string, ReviewRecord['state']> = {
          APPROVE: 'APPROVED',
          REQUEST_CHANGES: 'CHANGES_REQUESTED',
          COMMENT: 'COMMENTED',
        };
        if (!states[event])
          throw validationFailed([
            { resource: 'PullRequestReview', code: 'invalid', field: 'event' },
          ]);
        if (event !== 'COMMENT' && pull.user.id === req.viewer!.id) {
          const verb = event === 'APPROVE' ? 'approve' : 'request changes on';
          throw new GitHubError(422, 'Unprocessable Entity', {
            errors: [`Review Can not ${verb} your own pull request`],
          });
        }
        const review = addReview(
          state,
          pull,
          req.viewer!,
          states[event],
          stringField(req, 'body') ?? '',
        );
        return json(200, reviewJson(state, repo, pull, review));
      },
    ),
  ];
}
