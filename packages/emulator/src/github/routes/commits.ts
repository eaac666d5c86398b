import type { CommitInfo } from '../../git/GitRepositories';
import { GitHubError, notFound, validationFailed } from '../errors';
import {
  timestamp,
  type Account,
  type RepoRecord,
  type StatusRecord,
} from '../model';
import { linkHeader, pageOf } from '../pagination';
import type { ApiRequest, ApiResponse, Route } from '../router';
import type { GitHubState } from '../state';
import { diffEntry, restCommit, simpleUser } from '../views';
import {
  json,
  page,
  requireCommits,
  route,
  stringField,
  visibleRepo,
  writableRepo,
} from './common';

/** How many commits compare lists at most. */
const MAX_COMPARE_COMMITS = 250;

/** A REST commit, matched to accounts by email. */
export function commitJson(
  state: GitHubState,
  repo: RepoRecord,
  commit: CommitInfo,
  withFiles?: Parameters<typeof restCommit>[4],
) {
  return restCommit(
    repo,
    commit,
    state.urls,
    email => state.accountByEmail(email),
    withFiles,
  );
}

/** Splits `base...head` (or `base..head`); each side may be `owner:branch`. */
function parseBasehead(
  repo: RepoRecord,
  basehead: string,
): { base: string; head: string } {
  const parts = basehead.includes('...')
    ? basehead.split('...')
    : basehead.split('..');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw notFound();
  const side = (value: string) => {
    const colon = value.indexOf(':');
    if (colon < 0) return value;
    // Another owner would be a fork; the emulator has none.
    if (value.slice(0, colon).toLowerCase() !== repo.owner.login.toLowerCase())
      throw notFound();
    return value.slice(colon + 1);
  };
  return { base: side(parts[0]), head: side(parts[1]) };
}

/** `GET .../compare/{base}...{head}` as `commit-comparison`. */
export async function compare(
  state: GitHubState,
  repo: RepoRecord,
  base: string,
  head: string,
  req?: ApiRequest,
) {
  const baseSha = await state.resolve(repo, base);
  const headSha = await state.resolve(repo, head);
  if (!baseSha || !headSha) throw notFound();
  const mergeBase = await state.objects.mergeBase(repo.path, baseSha, headSha);
  const ahead = await state.objects.revList(
    repo.path,
    [headSha, `^${baseSha}`],
    { reverse: true },
  );
  const behindBy = await state.objects.countCommits(repo.path, [
    baseSha,
    `^${headSha}`,
  ]);
  let status = 'diverged';
  if (baseSha === headSha) status = 'identical';
  else if (behindBy === 0) status = 'ahead';
  else if (ahead.length === 0) status = 'behind';
  let listed = ahead.slice(0, MAX_COMPARE_COMMITS);
  if (req && (req.query.has('per_page') || req.query.has('page'))) {
    const { perPage, page: pageNumber } = pageOf(req.query);
    listed = ahead.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  }
  const commits = [];
  for (const sha of listed)
    commits.push(
      commitJson(state, repo, (await state.git.commitInfo(repo.path, sha))!),
    );
  const files = await state.objects.diff(
    repo.path,
    mergeBase ?? baseSha,
    headSha,
  );
  const web = state.urls.repoWeb(repo);
  return {
    url: `${state.urls.repoApi(repo)}/compare/${base}...${head}`,
    html_url: `${web}/compare/${base}...${head}`,
    permalink_url: `${web}/compare/${repo.owner.login}:${baseSha.slice(
      0,
      7,
    )}...${repo.owner.login}:${headSha.slice(0, 7)}`,
    diff_url: `${web}/compare/${base}...${head}.diff`,
    patch_url: `${web}/compare/${base}...${head}.patch`,
    base_commit: commitJson(
      state,
      repo,
      (await state.git.commitInfo(repo.path, baseSha))!,
    ),
    merge_base_commit: commitJson(
      state,
      repo,
      (await state.git.commitInfo(repo.path, mergeBase ?? baseSha))!,
    ),
    status,
    ahead_by: ahead.length,
    behind_by: behindBy,
    total_commits: ahead.length,
    commits,
    files: files.map(file => diffEntry(repo, headSha, file, state.urls)),
  };
}

function statusJson(
  state: GitHubState,
  repo: RepoRecord,
  status: StatusRecord,
  creator: Account,
) {
  return {
    url: `${state.urls.repoApi(repo)}/statuses/${status.sha}`,
    avatar_url: null,
    id: status.id,
    node_id: Buffer.from(`013:StatusContext${status.id}`).toString('base64'),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: simpleUser(creator, state.urls),
  };
}

/** The newest status per context for a commit. */
export function latestStatuses(repo: RepoRecord, sha: string): StatusRecord[] {
  const latest = new Map<string, StatusRecord>();
  for (const status of repo.statuses)
    if (status.sha === sha) latest.set(status.context, status);
  return [...latest.values()];
}

async function listCommits(
  state: GitHubState,
  req: ApiRequest,
): Promise<ApiResponse> {
  const repo = visibleRepo(state, req);
  await requireCommits(state, repo);
  const revision = req.query.get('sha') || (await state.defaultBranch(repo));
  const start = await state.resolve(repo, revision);
  if (!start) throw notFound(`No commit found for SHA: ${revision}`);
  const { perPage, page: pageNumber } = pageOf(req.query);
  const filters = {
    path: req.query.get('path')?.replace(/^\/+/, '') || undefined,
    since: req.query.get('since') ?? undefined,
    until: req.query.get('until') ?? undefined,
  };
  let shas = await state.objects.revList(repo.path, start, filters);
  const author = req.query.get('author');
  if (author) {
    // Authors match by login (the bot) or by email, as on GitHub.
    const email =
      state.account(author) === state.bot ? state.bot.email! : author;
    const infos = await Promise.all(
      shas.map(sha => state.git.commitInfo(repo.path, sha)),
    );
    shas = infos
      .filter(
        info => info && info.author.email.toLowerCase() === email.toLowerCase(),
      )
      .map(info => info!.sha);
  }
  const listed = shas.slice((pageNumber - 1) * perPage, pageNumber * perPage);
  const body = [];
  for (const sha of listed)
    body.push(
      commitJson(state, repo, (await state.git.commitInfo(repo.path, sha))!),
    );
  const link = linkHeader(req.url.toString(), pageNumber, perPage, shas.length);
  return json(200, body, link ? { Link: link } : {});
}

/** Commits, compare, tags, statuses and archives (branches in `branches.ts`). */
export function commitRoutes(state: GitHubState): Route[] {
  return [
    route(
      'GET',
      '/repos/{owner}/{repo}/commits',
      'commits/commits#list-commits',
      req => listCommits(state, req),
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/commits/{ref+}/status',
      'commits/statuses#get-the-combined-status-for-a-specific-reference',
      async req => {
        const repo = visibleRepo(state, req);
        const sha = await state.resolve(repo, req.params.ref);
        if (!sha) throw notFound(`No commit found for SHA: ${req.params.ref}`);
        const statuses = latestStatuses(repo, sha);
        let combined = 'pending';
        if (
          statuses.some(
            status => status.state === 'failure' || status.state === 'error',
          )
        )
          combined = 'failure';
        else if (
          statuses.length > 0 &&
          statuses.every(status => status.state === 'success')
        )
          combined = 'success';
        return json(200, {
          state: combined,
          statuses: statuses.map(status =>
            statusJson(state, repo, status, state.bot),
          ),
          sha,
          total_count: statuses.length,
          repository: await state.repositoryJson(repo, req.viewer),
          commit_url: `${state.urls.repoApi(repo)}/commits/${sha}`,
          url: `${state.urls.repoApi(repo)}/commits/${sha}/status`,
        });
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/commits/{ref+}',
      'commits/commits#get-a-commit',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const sha = await state.resolve(repo, req.params.ref);
        if (!sha)
          throw new GitHubError(
            422,
            `No commit found for SHA: ${req.params.ref}`,
          );
        if (
          /application\/vnd\.github(\.v3)?\.sha/.test(
            String(req.headers.accept ?? ''),
          )
        ) {
          return {
            status: 200,
            raw: {
              content: sha,
              contentType: 'application/vnd.github.sha; charset=utf-8',
            },
          };
        }
        const info = (await state.git.commitInfo(repo.path, sha))!;
        const files = await state.objects.diff(repo.path, info.parents[0], sha);
        return json(200, commitJson(state, repo, info, files));
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/compare/{basehead+}',
      'commits/commits#compare-two-commits',
      async req => {
        const repo = visibleRepo(state, req);
        await requireCommits(state, repo);
        const { base, head } = parseBasehead(repo, req.params.basehead);
        return json(200, await compare(state, repo, base, head, req));
      },
    ),
    route(
      'GET',
      '/repos/{owner}/{repo}/tags',
      'repos/repos#list-repository-tags',
      async req => {
        const repo = visibleRepo(state, req);
        const tags = [...(await state.git.refs(repo.path))]
          .filter(([ref]) => ref.startsWith('refs/tags/'))
          .map(([ref]) => ref.slice('refs/tags/'.length))
          .sort((a, b) => b.localeCompare(a));
        const body = [];
        for (const name of tags) {
          const sha = (await state.resolve(repo, `refs/tags/${name}`))!;
          body.push({
            name,
            commit: { sha, url: `${state.urls.repoApi(repo)}/commits/${sha}` },
            zipball_url: `${state.urls.repoApi(
              repo,
            )}/zipball/refs/tags/${name}`,
            tarball_url: `${state.urls.repoApi(
              repo,
            )}/tarball/refs/tags/${name}`,
            node_id: Buffer.from(`03:Ref${repo.id}:refs/tags/${name}`).toString(
              'base64',
            ),
          });
        }
        return page(req, body);
      },
    ),
    route(
      'POST',
      '/repos/{owner}/{repo}/statuses/{sha}',
      'commits/statuses#create-a-commit-status',
      async req => {
        const repo = writableRepo(state, req);
        const sha = req.params.sha;
        if ((await state.objects.objectType(repo.path, sha)) !== 'commit') {
          throw validationFailed([
            {
              resource: 'Status',
              code: 'custom',
              field: 'sha',
              message: `No commit found for SHA: ${sha}`,
            },
          ]);
        }
        const statusState = stringField(req, 'state', true);
        if (!['error', 'failure', 'pending', 'success'].includes(statusState)) {
          throw validationFailed([
            {
              resource: 'Status',
              code: 'custom',
              field: 'state',
              message: `state is not included in the list`,
            },
          ]);
        }
        const status: StatusRecord = {
          id: state.nextId('status'),
          sha,
          state: statusState as StatusRecord['state'],
          context: stringField(req, 'context') ?? 'default',
          description: stringField(req, 'description') ?? null,
          targetUrl: stringField(req, 'target_url') ?? null,
          createdAt: timestamp(),
        };
        repo.statuses.push(status);
        return json(201, statusJson(state, repo, status, req.viewer!));
      },
    ),
    ...(['tarball', 'zipball'] as const).map(kind =>
      route(
        'GET',
        `/repos/{owner}/{repo}/${kind}/{ref+}`,
        `repos/contents#download-a-repository-archive-${
          kind === 'tarball' ? 'tar' : 'zip'
        }`,
        async req => {
          const repo = visibleRepo(state, req);
          await requireCommits(state, repo);
          const sha = await state.resolve(repo, req.params.ref);
          if (!sha) throw notFound();
          const format = kind === 'tarball' ? 'tar.gz' : 'zip';
          // GitHub redirects archive downloads to its codeload host; the emulator serves them itself.
          return {
            status: 302,
            headers: {
              Location: `${state.urls.web}/_codeload/${repo.owner.login}/${repo.name}/${format}/${sha}`,
            },
          };
        },
      ),
    ),
  ];
}
