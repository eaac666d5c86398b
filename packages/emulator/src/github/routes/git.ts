import { RefConflictError, ZERO_SHA } from '../../git/GitRepositories';
import { GitHubError, missingField, notFound } from '../errors';
import type { TreeChange } from '../gitObjects';
import type { RepoRecord } from '../model';
import {
  actorOf,
  directUpdateViolations,
  forcePushRefused,
  type Actor,
} from '../protection';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { gitCommit, gitRef, gitTree, wrappedBase64 } from '../views';
import { PROTECTED_BRANCHES_DOCS, wantsRaw } from './contents';
import {
  booleanField,
  json,
  noContent,
  page,
  requireCommits,
  route,
  stringField,
  visibleRepo,
  writableRepo,
  signatureField,
} from './common';

/** What the Git Database API says when an author or committer lacks a name or email. */
const GIT_SIGNATURE_MISSING = `"email", "name" weren't supplied.`;

const TREE_MODES: Record<string, TreeChange['type']> = {
  '100644': 'blob',
  '100755': 'blob',
  '120000': 'blob',
  '040000': 'tree',
  '160000': 'commit',
};

/** A ref and the object it points at, typed as GitHub types it. */
async function refJson(
  state: GitHubState,
  repo: RepoRecord,
  ref: string,
  sha: string,
) {
  const type = (await state.objects.objectType(repo.path, sha)) ?? 'commit';
  return gitRef(repo, ref, sha, type, state.urls);
}

async function refList(state: GitHubState, repo: RepoRecord, prefix: string) {
  const refs = [...(await state.git.refs(repo.path))]
    .filter(([ref]) => ref.startsWith(prefix))
    .sort(([a], [b]) => a.localeCompare(b));
  const answers = [];
  for (const [ref, sha] of refs)
    answers.push(await refJson(state, repo, ref, sha));
  return answers;
}

async function validRefName(
  state: GitHubState,
  repo: RepoRecord,
  ref: string,
): Promise<boolean> {
  try {
    await state.objects.run(repo.path, ['check-ref-format', ref]);
    return true;
  } catch {
    return false;
  }
}

/** Refuses ref changes that branch protection forbids for the actor. */
function checkRefProtection(
  repo: RepoRecord,
  ref: string,
  change: { fastForward: boolean; deletion: boolean },
  actor: Actor,
) {
  if (!ref.startsWith('refs/heads/')) return;
  const rules = repo.protections.get(ref.slice('refs/heads/'.length));
  const refuse = (message: string) =>
    new GitHubError(422, message, {
      documentationUrl: PROTECTED_BRANCHES_DOCS,
    });
  if (change.deletion && forcePushRefused(rules))
    throw refuse('Cannot delete this protected branch');
  if (directUpdateViolations(rules, actor).length > 0)
    throw refuse('Changes must be made through a pull request.');
  if (!change.fastForward && forcePushRefused(rules))
    throw refuse('Cannot force-push to this branch');
}

async function createRef(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const ref = stringField(req, 'ref', true);
  const sha = stringField(req, 'sha', true);
  await requireCommits(state, repo);
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
    throw new GitHubError(
      422,
      `Reference name must start with 'refs/' and have at least two slashes.`,
    );
  }
  if (!(await validRefName(state, repo, ref)))
    throw new GitHubError(422, `Reference name is invalid`);
  if (!(await state.objects.objectType(repo.path, sha)))
    throw new GitHubError(422, 'Object does not exist');
  try {
    await state.git.updateRef(repo.path, ref, sha, { expectedSha: ZERO_SHA });
  } catch {
    // Either the ref exists, or git refuses a clash with an existing one (refs/heads/a vs refs/heads/a/b).
    throw new GitHubError(422, 'Reference already exists');
  }
  const body = await refJson(state, repo, ref, sha);
  return json(201, body, { Location: body.url });
}

async function updateRef(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const ref = `refs/${req.params.ref}`;
  const sha = stringField(req, 'sha', true);
  const force = booleanField(req, 'force') ?? false;
  await requireCommits(state, repo);
  const current = (await state.git.refs(repo.path)).get(ref);
  if (!current) throw new GitHubError(422, 'Reference does not exist');
  if (!(await state.objects.objectType(repo.path, sha)))
    throw new GitHubError(422, 'Object does not exist');
  const fastForward = await state.objects.isAncestor(repo.path, current, sha);
  if (!fastForward && !force)
    throw new GitHubError(422, 'Update is not a fast forward');
  checkRefProtection(
    repo,
    ref,
    { fastForward, deletion: false },
    actorOf(req.viewer, state.bot),
  );
  try {
    await state.git.updateRef(repo.path, ref, sha, { expectedSha: current });
  } catch (error) {
    if (error instanceof RefConflictError)
      throw new GitHubError(422, 'Reference cannot be updated');
    throw error;
  }
  return json(200, await refJson(state, repo, ref, sha));
}

async function deleteRef(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const ref = `refs/${req.params.ref}`;
  const current = (await state.git.refs(repo.path)).get(ref);
  if (!current) throw new GitHubError(422, 'Reference does not exist');
  checkRefProtection(
    repo,
    ref,
    { fastForward: true, deletion: true },
    actorOf(req.viewer, state.bot),
  );
  await state.git.updateRef(repo.path, ref, ZERO_SHA, { expectedSha: current });
  return noContent();
}

async function createTree(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const entries = req.body.tree;
  if (!Array.isArray(entries)) throw missingField('tree');
  await requireCommits(state, repo);
  const baseTreeSha = stringField(req, 'base_tree');
  let baseTree: string | undefined;
  if (baseTreeSha) {
    baseTree = await state.objects.treeOf(repo.path, baseTreeSha);
    if (!baseTree || !/^[0-9a-f]{40}$/.test(baseTreeSha))
      throw new GitHubError(422, 'Invalid tree info');
  }
  const changes: TreeChange[] = [];
  for (const raw of entries as Array<Record<string, unknown>>) {
    const path =
      typeof raw.path === 'string' ? raw.path.replace(/^\/+/, '') : '';
    const mode = typeof raw.mode === 'string' ? raw.mode : '';
    const type = TREE_MODES[mode];
    if (!path || !type || (raw.type !== undefined && raw.type !== type)) {
      throw new GitHubError(422, 'Invalid tree info', {
        errors: [`tree.path, tree.mode and tree.type must describe one entry`],
      });
    }
    const hasContent = typeof raw.content === 'string';
    if (hasContent && raw.sha !== undefined) {
      throw new GitHubError(
        422,
        'Must supply either tree.sha or tree.content. Request will be rejected if both are present.',
      );
    }
    if (hasContent) {
      changes.push({
        path,
        mode,
        type,
        sha: await state.objects.writeBlob(
          repo.path,
          Buffer.from(raw.content as string, 'utf8'),
        ),
      });
    } else if (raw.sha === null) {
      changes.push({ path, mode, type, sha: null });
    } else if (typeof raw.sha === 'string') {
      const actual = await state.objects.objectType(repo.path, raw.sha);
      if (type !== 'commit' && actual !== type)
        throw new GitHubError(
          422,
          `tree.sha ${raw.sha} is not a valid ${type}`,
        );
      changes.push({ path, mode, type, sha: raw.sha });
    } else {
      throw new GitHubError(
        422,
        'Must supply either tree.sha or tree.content. Request will be rejected if both are present.',
      );
    }
  }
  const sha = await state.objects.buildTree(repo.path, baseTree, changes);
  const body = gitTree(
    repo,
    sha,
    await state.objects.listTree(repo.path, sha),
    state.urls,
  );
  return json(201, body, { Location: body.url });
}

async function createCommit(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const message = stringField(req, 'message', true);
  const tree = stringField(req, 'tree', true);
  await requireCommits(state, repo);
  if ((await state.objects.objectType(repo.path, tree)) !== 'tree')
    throw new GitHubError(422, 'Tree SHA does not exist');
  const parents = req.body.parents ?? [];
  if (!Array.isArray(parents))
    throw new GitHubError(
      422,
      `Invalid request.\n\nFor 'properties/parents', ${JSON.stringify(
        parents,
      )} is not an array.`,
    );
  for (const parent of parents) {
    if (
      typeof parent !== 'string' ||
      (await state.objects.objectType(repo.path, parent)) !== 'commit'
    ) {
      throw new GitHubError(
        422,
        'Parent SHA does not exist or is not a commit object',
      );
    }
  }
  const author =
    signatureField(req, 'author', () => GIT_SIGNATURE_MISSING) ??
    state.botSignature();
  const committer =
    signatureField(req, 'committer', () => GIT_SIGNATURE_MISSING) ??
    (req.body.author ? author : state.botSignature());
  const sha = await state.objects.writeCommit(repo.path, {
    tree,
    parents: parents as string[],
    message,
    author,
    committer,
  });
  const body = gitCommit(
    repo,
    (await state.git.commitInfo(repo.path, sha))!,
    state.urls,
  );
  return json(201, body, { Location: body.url });
}

/** The Git Database API: refs, blobs, trees and commits. */
export function gitRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/git/ref/{ref+}',
      'git/refs#get-a-reference',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const ref = `refs/${req.params.ref}`;
        const sha = (await state.git.refs(repo.path)).get(ref);
        if (!sha) throw notFound();
        return json(200, await refJson(state, repo, ref, sha));
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/matching-refs/{ref+}',
      'git/refs#list-matching-references',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        return page(req, await refList(state, repo, `refs/${req.params.ref}`));
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/refs',
      'git/refs#list-matching-references',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        return page(req, await refList(state, repo, 'refs/'));
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/refs/{ref+}',
      'git/refs#get-a-reference',
      async req => {
        // The legacy form: an exact ref, else every ref under the prefix.
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const ref = `refs/${req.params.ref}`;
        const sha = (await state.git.refs(repo.path)).get(ref);
        if (sha) return json(200, await refJson(state, repo, ref, sha));
        const matches = await refList(state, repo, `${ref}/`);
        if (matches.length === 0) throw notFound();
        return page(req, matches);
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/git/refs',
      'git/refs#create-a-reference',
      req => createRef(state, req),
    ),
    route(
      'PATCH',
      '/repos/{owner}/{repo}/git/refs/{ref+}',
      'git/refs#update-a-reference',
      req => updateRef(state, req),
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}/git/refs/{ref+}',
      'git/refs#delete-a-reference',
      req => deleteRef(state, req),
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/git/blobs',
      'git/blobs#create-a-blob',
      async req => {
        const repo = writableRepo(state, req);
        const content = stringField(req, 'content', true);
        const encoding = stringField(req, 'encoding') ?? 'utf-8';
        if (!['utf-8', 'utf8', 'base64'].includes(encoding)) {
          throw new GitHubError(
            422,
            `encoding must be either 'utf-8' or 'base64'`,
          );
        }
        await requireCommits(state, repo);
        const sha = await state.objects.writeBlob(
          repo.path,
          Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'),
        );
        const url = `${state.urls.repoApi(repo)}/git/blobs/${sha}`;
        return json(201, { url, sha }, { Location: url });
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/blobs/{file_sha}',
      'git/blobs#get-a-blob',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const sha = req.params.file_sha;
        if ((await state.objects.objectType(repo.path, sha)) !== 'blob')
          throw notFound();
        const content = await state.objects.readBlob(repo.path, sha);
        if (wantsRaw(req))
          return {
            status: 200,
            raw: { content, contentType: 'text/plain; charset=utf-8' },
          };
        return json(200, {
          sha,
          node_id: Buffer.from(`04:Blob${repo.id}:${sha}`).toString('base64'),
          size: content.length,
          url: `${state.urls.repoApi(repo)}/git/blobs/${sha}`,
          content: wrappedBase64(content),
          encoding: 'base64',
        });
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/git/trees',
      'git/trees#create-a-tree',
      req => createTree(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/trees/{tree_sha+}',
      'git/trees#get-a-tree',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const tree = await state.objects.treeOf(repo.path, req.params.tree_sha);
        if (!tree) throw notFound();
        // Any value turns recursion on, even 0 or false; only omitting it turns it off.
        const recursive = req.query.has('recursive');
        return json(
          200,
          gitTree(
            repo,
            tree,
            await state.objects.listTree(repo.path, tree, { recursive }),
            state.urls,
          ),
        );
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/git/commits',
      'git/commits#create-a-commit',
      req => createCommit(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/git/commits/{commit_sha}',
      'git/commits#get-a-commit-object',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        return json(
          200,
          gitCommit(
            repo,
            await state.commit(repo, req.params.commit_sha),
            state.urls,
          ),
        );
      },
    ),
  ];
}
