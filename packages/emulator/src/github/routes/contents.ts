import { RefConflictError } from '../../git/GitRepositories';
import { GitHubError, missingField, notFound } from '../errors';
import type { RepoRecord } from '../model';
import { actorOf, directUpdateViolations, type Actor } from '../protection';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { contentEntry, contentFile, contentType, gitCommit } from '../views';
import {
  json,
  refOrDefault,
  route,
  stringField,
  visibleRepo,
  writableRepo,
  signatureField,
} from './common';

/** Where GitHub points protected-branch refusals. */
export const PROTECTED_BRANCHES_DOCS =
  'https://docs.github.com/articles/about-protected-branches';

/** What the contents API says when an author or committer lacks a name or email. */
const CONTENTS_SIGNATURE_MISSING = (field: string) =>
  `"name" and "email" weren't supplied for "${field}".`;

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

/** Whether the caller asked for raw content (`application/vnd.github.raw`, or the v3 form). */
export function wantsRaw(req: ApiRequest): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(
    String(req.headers.accept ?? ''),
  );
}

function cleanPath(path: string | undefined): string {
  return (path ?? '').replace(/^\/+|\/+$/g, '');
}

/** Refuses a direct write to a branch whose protection demands pull requests. */
function checkProtection(
  repo: RepoRecord,
  branch: string,
  action: 'update' | 'delete',
  actor: Actor,
) {
  const violations = directUpdateViolations(
    repo.protections.get(branch),
    actor,
  );
  if (violations.length > 0) {
    throw new GitHubError(
      409,
      `Could not ${action} file: ${violations.join(
        ' ',
      )} Changes must be made through a pull request.`,
      { documentationUrl: PROTECTED_BRANCHES_DOCS },
    );
  }
}

async function getContent(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = visibleRepo(state, req);
  if (await state.isEmpty(repo)) throw notFound('This repository is empty.');
  const ref = await refOrDefault(state, req, repo);
  const commit = await state.resolve(repo, ref);
  if (!commit) throw notFound(`No commit found for the ref ${ref}`);
  const path = cleanPath(req.params.path);
  const entry = await state.git.treeEntry(repo.path, commit, path);
  if (!entry) throw notFound();

  if (entry.type === 'tree') {
    const entries = await state.objects.listTree(repo.path, entry.sha, {
      prefix: path || undefined,
    });
    return json(
      200,
      entries.map(child =>
        contentEntry(
          repo,
          ref,
          {
            path: child.path,
            type: contentType(child),
            sha: child.sha,
            size: child.size ?? 0,
          },
          state.urls,
        ),
      ),
    );
  }
  if (entry.type !== 'blob') {
    // A submodule: GitHub describes it with the commit it points at.
    return json(200, {
      ...contentEntry(
        repo,
        ref,
        { path, type: 'submodule', sha: entry.sha, size: 0 },
        state.urls,
      ),
      submodule_git_url: null,
    });
  }
  const content = await state.objects.readBlob(repo.path, entry.sha);
  if (wantsRaw(req)) {
    return {
      status: 200,
      raw: { content, contentType: 'text/plain; charset=utf-8' },
      headers: { 'X-GitHub-Media-Type': 'github.v3; param=raw' },
    };
  }
  if (entry.mode === '120000') {
    return json(200, {
      ...contentEntry(
        repo,
        ref,
        { path, type: 'symlink', sha: entry.sha, size: content.length },
        state.urls,
      ),
      target: content.toString('utf8'),
    });
  }
  return json(
    200,
    contentFile(repo, ref, path, entry.sha, content, state.urls),
  );
}

/** Reads the branch a contents write goes to and the file's current blob there. */
async function writeTarget(
  state: GitHubState,
  req: ApiRequest,
  repo: RepoRecord,
  path: string,
) {
  const branch =
    stringField(req, 'branch') || (await state.defaultBranch(repo));
  const tip = await state.branchSha(repo, branch);
  if (!tip && !(await state.isEmpty(repo)))
    throw notFound(`Branch ${branch} not found`);
  const existing = tip
    ? await state.git.treeEntry(repo.path, tip, path)
    : undefined;
  return { branch, tip, existing };
}

/** Checks the `sha` a caller sent against the file's current blob. */
function checkBlobSha(req: ApiRequest, path: string, current: string) {
  const sha = stringField(req, 'sha');
  if (!sha) throw missingField('sha');
  if (sha !== current)
    throw new GitHubError(409, `${path} does not match ${sha}`);
}

/** Commits a contents write, turning a lost compare-and-set into GitHub's 409. */
async function commitWrite(
  state: GitHubState,
  req: ApiRequest,
  repo: RepoRecord,
  target: { branch: string; tip: string | undefined },
  path: string,
  content: Buffer | null,
): Promise<string> {
  const committer =
    signatureField(req, 'committer', CONTENTS_SIGNATURE_MISSING) ??
    state.botSignature();
  const author =
    signatureField(req, 'author', CONTENTS_SIGNATURE_MISSING) ?? committer;
  try {
    return await state.commitFiles(repo, {
      branch: target.branch,
      parent: target.tip,
      message: stringField(req, 'message', true),
      author,
      committer,
      files: [{ path, content }],
    });
  } catch (error) {
    if (error instanceof RefConflictError) {
      throw new GitHubError(
        409,
        `is at ${error.actual} but expected ${error.expected}`,
      );
    }
    throw error;
  }
}

async function putContent(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const path = cleanPath(req.params.path);
  stringField(req, 'message', true);
  const encoded = stringField(req, 'content', true);
  if (!BASE64.test(encoded))
    throw new GitHubError(422, 'content is not valid Base64');
  const target = await writeTarget(state, req, repo, path);
  if (target.existing?.type === 'tree') {
    throw new GitHubError(
      422,
      `Invalid request.\n\n"path" cannot be a directory.`,
    );
  }
  if (target.existing) checkBlobSha(req, path, target.existing.sha);
  checkProtection(
    repo,
    target.branch,
    'update',
    actorOf(req.viewer, state.bot),
  );
  const content = Buffer.from(encoded, 'base64');
  const sha = await commitWrite(state, req, repo, target, path, content);
  const blob = (await state.git.treeEntry(repo.path, sha, path))!;
  return json(target.existing ? 200 : 201, {
    content: contentEntry(
      repo,
      target.branch,
      { path, type: 'file', sha: blob.sha, size: content.length },
      state.urls,
    ),
    commit: gitCommit(
      repo,
      (await state.git.commitInfo(repo.path, sha))!,
      state.urls,
    ),
  });
}

async function deleteContent(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = writableRepo(state, req);
  const path = cleanPath(req.params.path);
  stringField(req, 'message', true);
  const target = await writeTarget(state, req, repo, path);
  if (!target.existing || target.existing.type !== 'blob') throw notFound();
  checkBlobSha(req, path, target.existing.sha);
  checkProtection(
    repo,
    target.branch,
    'delete',
    actorOf(req.viewer, state.bot),
  );
  const sha = await commitWrite(state, req, repo, target, path, null);
  return json(200, {
    content: null,
    commit: gitCommit(
      repo,
      (await state.git.commitInfo(repo.path, sha))!,
      state.urls,
    ),
  });
}

/** The contents API: read, create, update and delete files. */
export function contentRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/contents',
      'repos/contents#get-repository-content',
      req => getContent(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/contents/{path+}',
      'repos/contents#get-repository-content',
      req => getContent(state, req),
    ),
    route(
      'PUT',
      '/repos/{owner}/{repo}/contents/{path+}',
      'repos/contents#create-or-update-file-contents',
      req => putContent(state, req),
    ),
    route(
      'DELETE',
      '/repos/{owner}/{repo}/contents/{path+}',
      'repos/contents#delete-a-file',
      req => deleteContent(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/readme',
      'repos/contents#get-a-repository-readme',
      async req => {
        const repo = visibleRepo(state, req);
        const ref = await refOrDefault(state, req, repo);
        const commit = await state.resolve(repo, ref);
        if (!commit) throw notFound(`No commit found for the ref ${ref}`);
        const files = await state.objects.listTree(repo.path, commit);
        const readme = files.find(
          file => file.type === 'blob' && /^readme(\.|$)/i.test(file.path),
        );
        if (!readme) throw notFound();
        return getContent(state, {
          ...req,
          params: { ...req.params, path: readme.path },
          query: new URLSearchParams({ ref }),
        });
      },
    ),
  ];
}
