import {
  ZERO_SHA,
  type CommitInfo,
  type RefUpdate,
} from '../git/GitRepositories';
import type { HookRecord, PullRecord, RepoRecord } from './model';
import type { GitHubState } from './state';
import { hook as hookJson, organizationSimple, simpleUser } from './views';

/** GitHub's zen sayings, sent with every ping. */
const ZEN = [
  'Design for failure.',
  'Keep it logically awesome.',
  'Practicality beats purity.',
  'Responsive is better than fast.',
  'Approachable is better than simple.',
  'Mind your words, they are important.',
  'Speak like a human.',
  'Avoid administrative distraction.',
];

/** How many commits a push payload lists, as on GitHub. */
const MAX_PUSH_COMMITS = 20;

/** Seconds since the epoch, how push payloads write repository dates. */
function epochSeconds(iso: string | null): number | null {
  return iso ? Math.floor(new Date(iso).getTime() / 1000) : null;
}

/** Fields every repository event carries: repository, sender and (for organizations) organization. */
async function envelope(state: GitHubState, repo: RepoRecord) {
  return {
    repository: await state.repositoryJson(repo, undefined),
    ...(repo.owner.type === 'Organization'
      ? { organization: organizationSimple(repo.owner, state.urls) }
      : {}),
    sender: simpleUser(state.bot, state.urls),
  };
}

/** The `ping` a new hook (or `POST .../pings`) receives. */
export async function pingPayload(
  state: GitHubState,
  repo: RepoRecord,
  hook: HookRecord,
) {
  return {
    zen: ZEN[hook.id % ZEN.length],
    hook_id: hook.id,
    hook: hookJson(repo, hook, state.urls),
    ...(await envelope(state, repo)),
  };
}

/** A commit as push payloads list it, with the paths it added, removed and modified. */
async function pushCommit(
  state: GitHubState,
  repo: RepoRecord,
  commit: CommitInfo,
) {
  const files = await state.objects.diff(
    repo.path,
    commit.parents[0],
    commit.sha,
  );
  const person = (who: { name: string; email: string }) => {
    const account = state.accountByEmail(who.email);
    return {
      name: who.name,
      email: who.email,
      ...(account ? { username: account.login } : {}),
    };
  };
  return {
    id: commit.sha,
    tree_id: commit.tree,
    distinct: true,
    message: commit.message,
    timestamp: commit.author.date,
    url: `${state.urls.repoWeb(repo)}/commit/${commit.sha}`,
    author: person(commit.author),
    committer: person(commit.committer),
    added: files
      .filter(file => file.status === 'added')
      .map(file => file.filename),
    removed: files
      .filter(file => file.status === 'removed')
      .map(file => file.filename),
    modified: files
      .filter(file => file.status !== 'added' && file.status !== 'removed')
      .map(file => file.filename),
  };
}

/** The `push` event for a ref update, shaped like GitHub's. */
export async function pushPayload(
  state: GitHubState,
  repo: RepoRecord,
  update: RefUpdate,
) {
  const created = update.before === ZERO_SHA;
  const deleted = update.after === ZERO_SHA;
  const forced =
    !created &&
    !deleted &&
    !(await state.objects.isAncestor(repo.path, update.before, update.after));

  let shas: string[] = [];
  if (!deleted) {
    // A new ref lists the commits no other ref had; an update lists what it added.
    const exclude = created
      ? [...(await state.git.refs(repo.path))]
          .filter(([ref]) => ref !== update.ref)
          .map(([, sha]) => `^${sha}`)
      : [`^${update.before}`];
    shas = await state.objects.revList(repo.path, [update.after, ...exclude], {
      reverse: true,
    });
  }
  const listed = shas.slice(-MAX_PUSH_COMMITS);
  const commits = [];
  for (const sha of listed) {
    const info = await state.git.commitInfo(repo.path, sha);
    if (info) commits.push(await pushCommit(state, repo, info));
  }
  let headCommit = null;
  if (!deleted) {
    const last = commits[commits.length - 1];
    if (last?.id === update.after) headCommit = last;
    else {
      const info = await state.git.commitInfo(repo.path, update.after);
      headCommit = info ? await pushCommit(state, repo, info) : null;
    }
  }

  let baseRef: string | null = null;
  if (update.ref.startsWith('refs/tags/') && !deleted) {
    const branch = [...(await state.branches(repo))].find(
      ([, sha]) => sha === update.after,
    );
    baseRef = branch ? `refs/heads/${branch[0]}` : null;
  }

  const short = (sha: string) => sha.slice(0, 12);
  let compare = `${state.urls.repoWeb(repo)}/compare/${short(
    update.before,
  )}...${short(update.after)}`;
  if (created)
    compare = `${state.urls.repoWeb(repo)}/commit/${short(update.after)}`;

  const { repository, ...rest } = await envelope(state, repo);
  return {
    ref: update.ref,
    before: update.before,
    after: update.after,
    repository: {
      ...repository,
      created_at: epochSeconds(repo.createdAt),
      pushed_at: epochSeconds(repo.pushedAt),
      stargazers: 0,
      master_branch: repository.default_branch,
      ...(repo.owner.type === 'Organization'
        ? { organization: repo.owner.login }
        : {}),
      custom_properties: {},
    },
    pusher: { name: state.bot.login, email: state.bot.email },
    ...rest,
    created,
    deleted,
    forced,
    base_ref: baseRef,
    compare,
    commits,
    head_commit: headCommit,
  };
}

/** A `pull_request` event. */
export async function pullRequestPayload(
  state: GitHubState,
  repo: RepoRecord,
  pull: PullRecord,
  action: string,
  pullJson: unknown,
  extra: Record<string, unknown> = {},
) {
  const { repository, ...rest } = await envelope(state, repo);
  return {
    action,
    number: pull.number,
    pull_request: pullJson,
    ...extra,
    repository,
    ...rest,
  };
}
