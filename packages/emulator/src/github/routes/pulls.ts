import { RefConflictError, ZERO_SHA } from '../../git/GitRepositories';
import { GitHubError, notFound, validationFailed } from '../errors';
import { pullRequestPayload } from '../events';
import type { TreeChange } from '../gitObjects';
import {
  nodeId,
  timestamp,
  type Account,
  type PullRecord,
  type RepoRecord,
  type ReviewRecord,
} from '../model';
import { paginate } from '../pagination';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { diffEntry, simpleUser } from '../views';
import { commitJson, latestStatuses } from './commits';
import {
  booleanField,
  json,
  page,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

/** The most commits and files GitHub lists for a pull request. */
const MAX_PULL_COMMITS = 250;
const MAX_PULL_FILES = 3000;

/** Reads a PR's head and base tips from git while it is open; closed PRs keep the SHAs they closed with. */
async function refresh(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
): Promise<void> {
  if (pull.state !== 'open') return;
  pull.head.sha = (await state.branchSha(repo, pull.head.ref)) ?? pull.head.sha;
  pull.base.sha = (await state.branchSha(repo, pull.base.ref)) ?? pull.base.sha;
}

/** The commits a pull request adds and the files it changes. */
async function changes(state: GitHubState, repo: RepoRecord, pull: PullRecord) {
  const mergeBase = await state.objects.mergeBase(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  const shas = await state.objects.revList(
    repo.path,
    [pull.head.sha, `^${pull.base.sha}`],
    { reverse: true },
  );
  const files = await state.objects.diff(
    repo.path,
    mergeBase ?? pull.base.sha,
    pull.head.sha,
  );
  return { shas, files };
}

/**
 * Why merging into a protected base is refused, or undefined. The token's
 * user administers every repository, so rules bind only with enforce_admins.
 */
function mergeBlocker(
  repo: RepoRecord,
  pull: PullRecord,
  baseContainedInHead: boolean,
): string | undefined {
  const rules = repo.protections.get(pull.base.ref);
  if (!rules?.enforceAdmins) return undefined;
  const reviews = rules.requiredPullRequestReviews;
  if (reviews) {
    const approvals = new Set(
      pull.reviews
        .filter(
          review =>
            review.state === 'APPROVED' &&
            (!reviews.dismissStaleReviews || review.commitId === pull.head.sha),
        )
        .map(review => review.user.id),
    ).size;
    const count = reviews.requiredApprovingReviewCount;
    if (approvals < count) {
      return count === 1
        ? 'At least 1 approving review is required by reviewers with write access.'
        : `At least ${count} approving reviews are required by reviewers with write access.`;
    }
  }
  const checks = rules.requiredStatusChecks;
  if (checks) {
    const passed = new Set(
      latestStatuses(repo, pull.head.sha)
        .filter(status => status.state === 'success')
        .map(status => status.context),
    );
    const missing = checks.contexts.filter(context => !passed.has(context));
    if (missing.length === 1)
      return `Required status check "${missing[0]}" is expected.`;
    if (missing.length > 1)
      return `${missing.length} of ${checks.contexts.length} required status checks are expected.`;
    if (checks.strict && !baseContainedInHead)
      return 'Head branch is out of date. Review and try the merge again.';
  }
  return undefined;
}

/** Mergeability as GitHub reports it: `mergeable`, `rebaseable`, `mergeable_state`. */
async function mergeability(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
) {
  if (pull.state !== 'open')
    return {
      mergeable: null,
      rebaseable: null,
      state: 'unknown',
      blocker: undefined,
    };
  const merged = await state.objects.mergeTree(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  if (merged === 'conflict')
    return {
      mergeable: false,
      rebaseable: false,
      state: 'dirty',
      blocker: undefined,
    };
  const baseContained = await state.objects.isAncestor(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  const blocker = mergeBlocker(repo, pull, baseContained);
  let mergeState = 'clean';
  if (pull.draft) mergeState = 'draft';
  else if (blocker) mergeState = baseContained ? 'blocked' : 'behind';
  return { mergeable: true, rebaseable: true, state: mergeState, blocker };
}

/** The repository as pull requests embed it (computed once per answer: it costs git calls). */
type RepositoryJson = Awaited<ReturnType<GitHubState['repositoryJson']>>;

function side(
  state: GitHubState,
  repo: RepoRecord,
  repoJson: RepositoryJson,
  branch: { ref: string; sha: string },
) {
  return {
    label: `${repo.owner.login}:${branch.ref}`,
    ref: branch.ref,
    sha: branch.sha,
    user: simpleUser(repo.owner, state.urls),
    repo: repoJson,
  };
}

/** A pull request as `pull-request-simple` (lists) or, with details, `pull-request`. */
export async function pullJson(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  details = true,
  repoJson?: RepositoryJson,
) {
  await refresh(state, repo, pull);
  const embedded = repoJson ?? (await state.repositoryJson(repo, undefined));
  const api = `${state.urls.repoApi(repo)}/pulls/${pull.number}`;
  const issue = `${state.urls.repoApi(repo)}/issues/${pull.number}`;
  const html = `${state.urls.repoWeb(repo)}/pull/${pull.number}`;
  const statuses = `${state.urls.repoApi(repo)}/statuses/${pull.head.sha}`;
  const simple = {
    url: api,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(pull.user, state.urls),
    body: pull.body,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: [],
    milestone: null,
    draft: pull.draft,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${state.urls.repoApi(repo)}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    head: side(state, repo, embedded, pull.head),
    base: side(state, repo, embedded, pull.base),
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: {
        href: `${state.urls.repoApi(repo)}/pulls/comments{/number}`,
      },
      commits: { href: `${api}/commits` },
      statuses: { href: statuses },
    },
    author_association:
      pull.user.id === repo.owner.id ? 'OWNER' : 'COLLABORATOR',
    auto_merge: null,
    active_lock_reason: null,
  };
  if (!details) return simple;
  const { shas, files } = await changes(state, repo, pull);
  const status = await mergeability(state, repo, pull);
  return {
    ...simple,
    merged: pull.mergedAt !== null,
    mergeable: status.mergeable,
    rebaseable: status.rebaseable,
    mergeable_state: status.state,
    merged_by: pull.mergedBy ? simpleUser(pull.mergedBy, state.urls) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: shas.length,
    additions: files.reduce((sum, file) => sum + file.additions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    changed_files: files.length,
  };
}

/** Sends a pull_request event to the repository's hooks. */
async function notify(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  action: string,
  extra: Record<string, unknown> = {},
) {
  if (!repo.hooks.some(hook => hook.active)) return;
  const payload = await pullRequestPayload(
    state,
    repo,
    pull,
    action,
    await pullJson(state, repo, pull),
    extra,
  );
  state.webhooks.send(repo, 'pull_request', action, payload);
}

/** Tells hooks that open pull requests from a branch got new commits (called on every ref update). */
export async function synchronizePulls(
  state: GitHubState,
  repo: RepoRecord,
  branch: string,
  before: string,
  after: string,
) {
  for (const pull of repo.pulls) {
    if (pull.state !== 'open' || pull.head.ref !== branch || after === ZERO_SHA)
      continue;
    pull.head.sha = after;
    pull.updatedAt = timestamp();
    await notify(state, repo, pull, 'synchronize', { before, after });
  }
}

function findPull(repo: RepoRecord, number: string): PullRecord {
  const pull = repo.pulls.find(
    candidate => String(candidate.number) === number,
  );
  if (!pull) throw notFound();
  return pull;
}

/** The branch of a `head` value (`branch` or `owner:branch`); another owner would be a fork, which the emulator lacks. */
function headBranch(repo: RepoRecord, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.login.toLowerCase()
    ? head.slice(colon + 1)
    : undefined;
}

async function createPull(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const head = stringField(req, 'head');
  const base = stringField(req, 'base');
  const missing = [
    ...(base
      ? []
      : [{ resource: 'PullRequest', code: 'missing_field', field: 'base' }]),
    ...(head
      ? []
      : [{ resource: 'PullRequest', code: 'missing_field', field: 'head' }]),
  ];
  if (missing.length > 0) throw validationFailed(missing);
  const title = stringField(req, 'title');
  if (!title)
    throw validationFailed([
      { resource: 'Issue', code: 'missing_field', field: 'title' },
    ]);
  const branch = headBranch(repo, head!);
  const headSha = branch ? await state.branchSha(repo, branch) : undefined;
  if (!branch || !headSha)
    throw validationFailed([
      { resource: 'PullRequest', field: 'head', code: 'invalid' },
    ]);
  const baseSha = await state.branchSha(repo, base!);
  if (!baseSha)
    throw validationFailed([
      { resource: 'PullRequest', field: 'base', code: 'invalid' },
    ]);
  // Checked before and again after the await below: two requests that arrive
  // together must not both open a pull request, as GitHub guarantees.
  const refuseDuplicate = () => {
    const duplicate = repo.pulls.find(
      pull =>
        pull.state === 'open' &&
        pull.head.ref === branch &&
        pull.base.ref === base,
    );
    if (duplicate) {
      throw validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner.login}:${branch}.`,
        },
      ]);
    }
  };
  refuseDuplicate();
  const ahead = await state.objects.countCommits(repo.path, [
    headSha,
    `^${baseSha}`,
  ]);
  if (ahead === 0) {
    throw validationFailed([
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `No commits between ${base} and ${branch}`,
      },
    ]);
  }
  refuseDuplicate();
  const now = timestamp();
  const pull: PullRecord = {
    id: state.nextId('pull'),
    number: repo.nextNumber++,
    title,
    body: stringField(req, 'body') ?? null,
    state: 'open',
    draft: booleanField(req, 'draft') ?? false,
    user: req.viewer!,
    head: { ref: branch, sha: headSha },
    base: { ref: base!, sha: baseSha },
    maintainerCanModify: booleanField(req, 'maintainer_can_modify') ?? false,
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    mergedAt: null,
    mergeCommitSha: null,
    mergedBy: null,
    reviews: [],
  };
  repo.pulls.push(pull);
  await notify(state, repo, pull, 'opened');
  const body = await pullJson(state, repo, pull);
  return json(201, body, { Location: body.url });
}

async function listPulls(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = visibleRepo(state, req);
  const wanted = req.query.get('state') ?? 'open';
  const head = req.query.get('head');
  const base = req.query.get('base');
  // A head without `owner:` is silently ignored by GitHub, so it filters nothing here either.
  let headFilter: { owner: string; branch: string } | undefined;
  if (head?.includes(':')) {
    const colon = head.indexOf(':');
    headFilter = {
      owner: head.slice(0, colon).toLowerCase(),
      branch: head.slice(colon + 1),
    };
  }
  const sort = req.query.get('sort') ?? 'created';
  const direction =
    req.query.get('direction') ??
    (sort === 'created' || sort === 'updated' ? 'desc' : 'asc');
  const key = (pull: PullRecord) =>
    (sort === 'updated' ? pull.updatedAt : pull.createdAt) +
    String(pull.number).padStart(10, '0');
  const matching = repo.pulls
    .filter(pull => wanted === 'all' || pull.state === wanted)
    .filter(
      pull =>
        !headFilter ||
        (headFilter.owner === repo.owner.login.toLowerCase() &&
          headFilter.branch === pull.head.ref),
    )
    .filter(pull => !base || pull.base.ref === base)
    .sort((a, b) =>
      direction === 'asc'
        ? key(a).localeCompare(key(b))
        : key(b).localeCompare(key(a)),
    );
  const paged = paginate(matching, req.query, req.url.toString());
  const repoJson = await state.repositoryJson(repo, undefined);
  const body = [];
  for (const pull of paged.items)
    body.push(await pullJson(state, repo, pull, false, repoJson));
  return json(200, body, paged.headers);
}

async function updatePull(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const pull = findPull(repo, req.params.pull_number);
  await refresh(state, repo, pull);
  const title = stringField(req, 'title');
  const body = req.body.body;
  const wantedState = stringField(req, 'state');
  const base = stringField(req, 'base');
  if (wantedState !== undefined && !['open', 'closed'].includes(wantedState)) {
    throw validationFailed([
      { resource: 'PullRequest', code: 'invalid', field: 'state' },
    ]);
  }
  if (base !== undefined && !(await state.branchSha(repo, base))) {
    throw validationFailed([
      { resource: 'PullRequest', code: 'invalid', field: 'base' },
    ]);
  }
  let action: string | undefined;
  if (wantedState === 'open' && pull.state === 'closed') {
    if (pull.mergedAt)
      throw validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          field: 'state',
          message:
            'state cannot be changed. The pull request has already been merged.',
        },
      ]);
    if (!(await state.branchSha(repo, pull.head.ref))) {
      throw validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          field: 'state',
          message: `state cannot be changed. The ${pull.head.ref} branch has been deleted.`,
        },
      ]);
    }
    const duplicate = repo.pulls.find(
      other =>
        other !== pull &&
        other.state === 'open' &&
        other.head.ref === pull.head.ref &&
        other.base.ref === (base ?? pull.base.ref),
    );
    if (duplicate) {
      throw validationFailed([
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner.login}:${pull.head.ref}.`,
        },
      ]);
    }
    pull.state = 'open';
    pull.closedAt = null;
    action = 'reopened';
  } else if (wantedState === 'closed' && pull.state === 'open') {
    pull.state = 'closed';
    pull.closedAt = timestamp();
    action = 'closed';
  }
  if (title !== undefined) pull.title = title;
  if (body !== undefined) pull.body = body === null ? null : String(body);
  if (base !== undefined) pull.base.ref = base;
  const maintainerCanModify = booleanField(req, 'maintainer_can_modify');
  if (maintainerCanModify !== undefined)
    pull.maintainerCanModify = maintainerCanModify;
  pull.updatedAt = timestamp();
  await refresh(state, repo, pull);
  await notify(state, repo, pull, action ?? 'edited');
  return json(200, await pullJson(state, repo, pull));
}

/** Replays a pull request's commits on the base, file by file, as a rebase merge; undefined when that would conflict. */
async function rebaseCommits(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  shas: string[],
): Promise<string | undefined> {
  const mergeBase = await state.objects.mergeBase(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  if (!mergeBase) return undefined;
  const baseChanged = new Set(
    (await state.objects.diff(repo.path, mergeBase, pull.base.sha)).map(
      file => file.filename,
    ),
  );
  let tip = pull.base.sha;
  for (const sha of shas) {
    const info = (await state.git.commitInfo(repo.path, sha))!;
    if (info.parents.length !== 1) return undefined;
    const files = await state.objects.diff(repo.path, info.parents[0], sha);
    if (
      files.some(
        file =>
          baseChanged.has(file.filename) ||
          (file.previousFilename && baseChanged.has(file.previousFilename)),
      )
    ) {
      return undefined;
    }
    const entries: TreeChange[] = [];
    for (const file of files) {
      if (file.previousFilename)
        entries.push({
          path: file.previousFilename,
          mode: '100644',
          type: 'blob',
          sha: null,
        });
      if (file.status === 'removed') {
        entries.push({
          path: file.filename,
          mode: '100644',
          type: 'blob',
          sha: null,
        });
      } else {
        const entry = (await state.git.treeEntry(
          repo.path,
          sha,
          file.filename,
        ))!;
        entries.push({
          path: file.filename,
          mode: entry.mode,
          type: entry.type === 'tree' ? 'tree' : 'blob',
          sha: entry.sha,
        });
      }
    }
    const tree = await state.objects.buildTree(
      repo.path,
      await state.objects.treeOf(repo.path, tip),
      entries,
    );
    tip = await state.objects.writeCommit(repo.path, {
      tree,
      parents: [tip],
      message: info.message,
      author: info.author,
      committer: state.webCommitter(),
    });
  }
  return tip;
}

/** The message of a merge or squash commit, following the repository's message settings. */
async function mergeMessage(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  method: string,
  req: ApiRequest,
  shas: string[],
) {
  let title: string;
  let body: string;
  if (method === 'squash') {
    const messages = await Promise.all(
      shas.map(
        async sha => (await state.git.commitInfo(repo.path, sha))!.message,
      ),
    );
    if (
      repo.settings.squash_merge_commit_title === 'COMMIT_OR_PR_TITLE' &&
      messages.length === 1
    ) {
      // A single commit is squashed under its own message, as on GitHub.
      const [first, ...rest] = messages[0].split('\n');
      title = first;
      body = rest.join('\n').trim();
    } else {
      title = `${pull.title} (#${pull.number})`;
      body = messages.map(message => `* ${message}`).join('\n\n');
    }
    if (repo.settings.squash_merge_commit_message === 'PR_BODY')
      body = pull.body ?? '';
    else if (repo.settings.squash_merge_commit_message === 'BLANK') body = '';
  } else {
    title =
      repo.settings.merge_commit_title === 'PR_TITLE'
        ? `${pull.title} (#${pull.number})`
        : `Merge pull request #${pull.number} from ${repo.owner.login}/${pull.head.ref}`;
    if (repo.settings.merge_commit_message === 'PR_BODY')
      body = pull.body ?? '';
    else if (repo.settings.merge_commit_message === 'BLANK') body = '';
    else body = pull.title;
  }
  title = stringField(req, 'commit_title') ?? title;
  body = stringField(req, 'commit_message') ?? body;
  return body ? `${title}\n\n${body}` : title;
}

async function mergePull(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const pull = findPull(repo, req.params.pull_number);
  await refresh(state, repo, pull);
  const notMergeable = (message = 'Pull Request is not mergeable') =>
    new GitHubError(405, message);
  if (pull.state !== 'open') throw notMergeable();
  if (pull.draft) throw notMergeable('Pull Request is still a draft');
  const method = stringField(req, 'merge_method') ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method)) {
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/merge_method', "${method}" is not a valid value.`,
    );
  }
  const allowed = {
    merge: repo.settings.allow_merge_commit,
    squash: repo.settings.allow_squash_merge,
    rebase: repo.settings.allow_rebase_merge,
  };
  if (!allowed[method as keyof typeof allowed]) {
    const kind = {
      merge: 'Merge commits',
      squash: 'Squash merges',
      rebase: 'Rebase merges',
    }[method as keyof typeof allowed];
    throw notMergeable(`${kind} are not allowed on this repository.`);
  }
  const expectedHead = stringField(req, 'sha');
  if (expectedHead && expectedHead !== pull.head.sha) {
    throw new GitHubError(
      409,
      'Head branch was modified. Review and try the merge again.',
    );
  }
  const status = await mergeability(state, repo, pull);
  if (status.mergeable === false) throw notMergeable();
  if (status.blocker) throw notMergeable(status.blocker);
  const { shas } = await changes(state, repo, pull);
  const message = await mergeMessage(state, repo, pull, method, req, shas);
  const merged = await state.objects.mergeTree(
    repo.path,
    pull.base.sha,
    pull.head.sha,
  );
  if (merged === 'conflict') throw notMergeable();
  let sha: string | undefined;
  if (method === 'rebase') {
    sha = await rebaseCommits(state, repo, pull, shas);
    if (!sha) throw notMergeable("This branch can't be rebased");
  } else {
    sha = await state.objects.writeCommit(repo.path, {
      tree: merged.tree,
      parents:
        method === 'merge' ? [pull.base.sha, pull.head.sha] : [pull.base.sha],
      message,
      author: state.botSignature(),
      committer: state.webCommitter(),
    });
  }
  try {
    await state.git.updateRef(repo.path, `refs/heads/${pull.base.ref}`, sha, {
      expectedSha: pull.base.sha,
    });
  } catch (error) {
    if (error instanceof RefConflictError)
      throw new GitHubError(
        409,
        'Base branch was modified. Review and try the merge again.',
      );
    throw error;
  }
  const now = timestamp();
  Object.assign(pull, {
    state: 'closed',
    mergedAt: now,
    closedAt: now,
    updatedAt: now,
    mergeCommitSha: sha,
    mergedBy: req.viewer!,
  });
  if (
    repo.settings.delete_branch_on_merge &&
    pull.head.ref !== (await state.defaultBranch(repo))
  ) {
    const tip = await state.branchSha(repo, pull.head.ref);
    if (tip === pull.head.sha)
      await state.git.updateRef(
        repo.path,
        `refs/heads/${pull.head.ref}`,
        ZERO_SHA,
        { expectedSha: tip },
      );
  }
  await notify(state, repo, pull, 'closed');
  return json(200, {
    sha,
    merged: true,
    message: 'Pull Request successfully merged',
  });
}

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

/** Pull requests: create, list, read, update, merge, files, commits, reviews. */
export function pullRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls',
      'pulls/pulls#list-pull-requests',
      req => listPulls(state, req),
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/pulls',
      'pulls/pulls#create-a-pull-request',
      req => createPull(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      'pulls/pulls#get-a-pull-request',
      async req => {
        const repo = visibleRepo(state, req);
        return json(
          200,
          await pullJson(state, repo, findPull(repo, req.params.pull_number)),
        );
      },
    ),
    route(
      'PATCH',
      '/repos/{owner}/{repo}/pulls/{pull_number}',
      'pulls/pulls#update-a-pull-request',
      req => updatePull(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      'pulls/pulls#check-if-a-pull-request-has-been-merged',
      async req => {
        const repo = visibleRepo(state, req);
        if (!findPull(repo, req.params.pull_number).mergedAt) throw notFound();
        return { status: 204 };
      },
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
      'pulls/pulls#merge-a-pull-request',
      req => mergePull(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/files',
      'pulls/pulls#list-pull-requests-files',
      async req => {
        const repo = visibleRepo(state, req);
        const pull = findPull(repo, req.params.pull_number);
        await refresh(state, repo, pull);
        const { files } = await changes(state, repo, pull);
        return page(
          req,
          files
            .slice(0, MAX_PULL_FILES)
            .map(file => diffEntry(repo, pull.head.sha, file, state.urls)),
        );
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
      'pulls/pulls#list-commits-on-a-pull-request',
      async req => {
        const repo = visibleRepo(state, req);
        const pull = findPull(repo, req.params.pull_number);
        await refresh(state, repo, pull);
        const { shas } = await changes(state, repo, pull);
        const commits = [];
        for (const sha of shas.slice(0, MAX_PULL_COMMITS))
          commits.push(
            commitJson(
              state,
              repo,
              (await state.git.commitInfo(repo.path, sha))!,
            ),
          );
        return page(req, commits);
      },
    ),
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
