import { actorOf } from '../protection';
import { RefConflictError, ZERO_SHA } from '../../git/GitRepositories';
import { GitHubError, notFound } from '../errors';
import type { TreeChange } from '../gitObjects';
import { timestamp, type PullRecord, type RepoRecord } from '../model';
import {
  changes,
  findPull,
  mergeability,
  notify,
  refresh,
} from '../pullRequests';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { json, route, stringField, visibleRepo, writableRepo } from './common';

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
  const status = await mergeability(
    state,
    repo,
    pull,
    actorOf(req.viewer, state.bot),
  );
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

/** Merging pull requests: the merge check and the merge (merge commit, squash or rebase). */
export function mergeRoutes(state: GitHubState): Route[] {
  return [
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
  ];
}
