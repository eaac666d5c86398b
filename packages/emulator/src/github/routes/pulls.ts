import { validationFailed } from '../errors';
import { timestamp, type PullRecord } from '../model';
import { paginate } from '../pagination';
import {
  changes,
  findPull,
  headBranch,
  notify,
  pullJson,
  refresh,
} from '../pullRequests';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { diffEntry } from '../views';
import { commitJson } from './commits';
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

/** Pull requests: create, list, read, update, files, commits (merging in `merge.ts`, reviews in `reviews.ts`). */
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
  ];
}
