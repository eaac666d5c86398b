/**
 * Pushes: every ref update of an Azure DevOps repository, whether it came
 * from `git push`, the `pushes` or `refs` API or a pull request merge, is
 * recorded as a push (with a per-repository `pushId`) and published to
 * service hooks as one `git.push` event. Also gives a repository its
 * default branch on the first branch pushed, as the service does.
 */
import { randomUUID } from 'node:crypto';
import {
  ZERO_SHA,
  type CommitInfo,
  type GitRepositories,
  type RefUpdate,
} from '../git/GitRepositories';
import { newCommits } from './gitTrees';
import { publishPullRequestEvent } from './pullRequestHooks';
import type { ServiceHooks, SubscriptionState } from './hooks';
import type {
  OrganizationState,
  PushRecord,
  RefUpdateRecord,
  RepositoryState,
} from './model';
import type { AzureOrganizations } from './state';
import { eventResourceContainers, identityRef, repositoryJson, userDate } from './views';

interface Batch {
  organization: OrganizationState;
  repository: RepositoryState;
  /** The refs an API call is about to move; undefined for a `git push` (collected within one tick). */
  refs?: Set<string>;
  record?: PushRecord;
}

const BRANCH_PREFIX = 'refs/heads/';

/** The push log of every repository, fed by `GitRepositories.onRefUpdate`. */
export class PushLog {
  /** Pushes made through the API, which know the refs they move. */
  private readonly open = new Map<string, Batch>();
  /** Ref updates of a `git push`, which `GitRepositories` reports one by one in the same tick. */
  private readonly pending = new Map<string, Batch>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Pending moves of HEAD to a repository's first branch. */
  private headUpdates: Promise<void> = Promise.resolve();
  /** `git push` batches not yet recorded and published. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly state: AzureOrganizations,
    private readonly git: GitRepositories,
    private readonly hooks: ServiceHooks,
  ) {}

  /** Records one ref update (the `GitRepositories` listener). */
  onRefUpdate(update: RefUpdate) {
    if (!update.repository.startsWith('azure/')) return;
    const found = this.state.byPath(update.repository);
    if (!found) return;
    const { organization, repository } = found;
    if (
      !repository.defaultBranch &&
      update.ref.startsWith(BRANCH_PREFIX) &&
      update.after !== ZERO_SHA
    ) {
      repository.defaultBranch = update.ref;
      const branch = update.ref.slice(BRANCH_PREFIX.length);
      this.headUpdates = this.headUpdates
        .then(() => this.git.setDefaultBranch(update.repository, branch))
        .catch(() => undefined);
    }
    const refUpdate = {
      name: update.ref,
      oldObjectId: update.before,
      newObjectId: update.after,
    };
    const explicit = this.open.get(repository.id);
    if (explicit?.refs?.has(update.ref)) {
      this.append(explicit, refUpdate);
      return;
    }
    let batch = this.pending.get(repository.id);
    if (!batch) {
      const started: Batch = { organization, repository };
      this.pending.set(repository.id, started);
      const recorded = new Promise<void>(resolve => {
        setImmediate(() => {
          this.pending.delete(repository.id);
          this.finish(started)
            .catch(() => undefined)
            .then(resolve);
        });
      });
      this.inFlight.add(recorded);
      void recorded.then(() => this.inFlight.delete(recorded));
      batch = started;
    }
    this.append(batch, refUpdate);
  }

  /**
   * Runs API work that moves the given refs of a repository as one push
   * (serialised per repository) and returns the push it made, if any.
   */
  async asPush<T>(
    organization: OrganizationState,
    repository: RepositoryState,
    refs: string[],
    work: () => Promise<T>,
  ): Promise<{ result: T; push?: PushRecord }> {
    const previous = this.locks.get(repository.id) ?? Promise.resolve();
    const batch: Batch = { organization, repository, refs: new Set(refs) };
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        this.open.set(repository.id, batch);
        try {
          return await work();
        } finally {
          this.open.delete(repository.id);
          if (batch.record) await this.finish(batch).catch(() => undefined);
        }
      });
    this.locks.set(repository.id, run);
    try {
      const result = await run;
      return { result, push: batch.record };
    } finally {
      if (this.locks.get(repository.id) === run)
        this.locks.delete(repository.id);
    }
  }

  /**
   * Resolves once every ref update so far is recorded as a push, published
   * to service hooks, and HEAD of every repository points at its default branch.
   */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.headUpdates;
  }

  /** The pushes of a repository, newest first. */
  list(
    organization: OrganizationState,
    repository: RepositoryState,
  ): PushRecord[] {
    return [...(organization.pushes.get(repository.id) ?? [])].reverse();
  }

  /** One push by id. */
  get(
    organization: OrganizationState,
    repository: RepositoryState,
    pushId: number,
  ): PushRecord | undefined {
    return organization.pushes
      .get(repository.id)
      ?.find(p => p.pushId === pushId);
  }

  /** `GitPush`. */
  toJson(
    organization: OrganizationState,
    repository: RepositoryState,
    push: PushRecord,
    options: { refUpdates?: boolean; commits?: unknown[] } = {},
  ) {
    const organizationUrl = this.state.organizationUrl(organization);
    const repositoryUrl = this.state.repositoryUrl(organization, repository);
    const url = `${repositoryUrl}/pushes/${push.pushId}`;
    return {
      ...(options.commits ? { commits: options.commits } : {}),
      ...(options.refUpdates ? { refUpdates: push.refUpdates } : {}),
      repository: repositoryJson(this.state, organization, repository),
      pushedBy: identityRef(organizationUrl),
      pushId: push.pushId,
      date: push.date,
      url,
      _links: {
        self: { href: url },
        repository: { href: repositoryUrl },
        commits: { href: `${url}/commits` },
        pusher: { href: identityRef(organizationUrl).url },
        refs: { href: `${repositoryUrl}/refs` },
      },
    };
  }

  private append(batch: Batch, refUpdate: RefUpdateRecord) {
    if (!batch.record) {
      const pushes = batch.organization.pushes.get(batch.repository.id) ?? [];
      batch.organization.pushes.set(batch.repository.id, pushes);
      batch.record = {
        pushId: (pushes[pushes.length - 1]?.pushId ?? 0) + 1,
        date: new Date().toISOString(),
        refUpdates: [],
        commitIds: [],
      };
      pushes.push(batch.record);
    }
    batch.record.refUpdates.push(refUpdate);
  }

  /** Works out the commits a push introduced and publishes its `git.push` event. */
  private async finish(batch: Batch) {
    const { organization, repository, record } = batch;
    if (!record || !organization.repositories.has(repository.id)) return;
    const path = this.state.pathOf(organization, repository);
    const gitDir = this.git.pathOf(path);
    const refs = await this.git.refs(path);
    const moved = new Set(record.refUpdates.map(u => u.name));
    const others = [...refs]
      .filter(([name]) => !moved.has(name))
      .map(([, sha]) => sha);
    const commitIds: string[] = [];
    for (const update of record.refUpdates) {
      if (update.newObjectId === ZERO_SHA) continue;
      const exclude =
        update.oldObjectId === ZERO_SHA ? others : [update.oldObjectId];
      for (const sha of await newCommits(gitDir, update.newObjectId, exclude)) {
        if (!commitIds.includes(sha)) commitIds.push(sha);
      }
    }
    record.commitIds = commitIds;
    const commits = (
      await Promise.all(commitIds.map(sha => this.git.commitInfo(path, sha)))
    ).filter((c): c is CommitInfo => c !== undefined);
    this.hooks.publish(organization, {
      eventType: 'git.push',
      projectId: repository.projectId,
      repositoryId: repository.id,
      branches: record.refUpdates
        .filter(u => u.name.startsWith(BRANCH_PREFIX))
        .map(u => u.name.slice(BRANCH_PREFIX.length)),
      render: (subscription, notificationId) =>
        this.gitPushEvent(
          organization,
          repository,
          record,
          commits,
          subscription,
          notificationId,
        ),
    });
    // "Pull request updated": a push moved an active pull request's source branch.
    for (const pullRequest of organization.pullRequests.values()) {
      const update = record.refUpdates.find(u => u.name === pullRequest.sourceRefName && u.newObjectId !== ZERO_SHA);
      if (pullRequest.repositoryId !== repository.id || pullRequest.status !== 'active' || !update) continue;
      pullRequest.lastMergeSourceCommit = update.newObjectId;
      publishPullRequestEvent({ state: this.state, hooks: this.hooks }, organization, pullRequest, 'git.pullrequest.updated', 'updated the source branch of');
    }
  }

  /** The `git.push` service hook payload (resourceVersion 1.0). */
  private gitPushEvent(
    organization: OrganizationState,
    repository: RepositoryState,
    push: PushRecord,
    commits: CommitInfo[],
    subscription: SubscriptionState,
    notificationId: number,
  ) {
    const organizationUrl = this.state.organizationUrl(organization);
    const webUrl = this.state.webUrl(organization, repository);
    const project = organization.projects.get(repository.projectId)!;
    const pusher = identityRef(organizationUrl);
    const branch = push.refUpdates[0].name.replace(/^refs\/(heads|tags)\//, '');
    const summary = `${pusher.displayName} pushed updates to ${repository.name}:${branch}.`;
    const noun =
      commits.length === 1 ? 'a commit' : `${commits.length} commits`;
    const lines = commits.map(
      c => ` - ${c.message.split('\n')[0]} ${c.sha.slice(0, 8)}`,
    );
    const detail = [
      `${pusher.displayName} pushed ${noun} to ${repository.name}:${branch}.`,
      ...lines,
    ].join('\n');
    const repositoryBody = repositoryJson(this.state, organization, repository);
    return {
      subscriptionId: subscription.id,
      notificationId,
      id: randomUUID(),
      eventType: 'git.push',
      publisherId: 'tfs',
      message: {
        text: summary,
        html: `${pusher.displayName} pushed updates to <a href="${webUrl}">${
          repository.name
        }</a>:<a href="${webUrl}?version=GB${encodeURIComponent(
          branch,
        )}">${branch}</a>.`,
        markdown: `${pusher.displayName} pushed updates to \`${repository.name}\`:\`${branch}\`.`,
      },
      detailedMessage: {
        text: detail,
        html: detail.replace(/\n/g, '<br/>'),
        markdown: detail,
      },
      resource: {
        commits: commits.map(c => ({
          commitId: c.sha,
          author: userDate(c.author),
          committer: userDate(c.committer),
          comment: c.message,
          url: `${webUrl}/commit/${c.sha}`,
        })),
        refUpdates: push.refUpdates,
        repository: {
          id: repositoryBody.id,
          name: repositoryBody.name,
          url: repositoryBody.url,
          project: repositoryBody.project,
          ...(repository.defaultBranch
            ? { defaultBranch: repository.defaultBranch }
            : {}),
          remoteUrl: repositoryBody.remoteUrl,
        },
        pushedBy: pusher,
        pushId: push.pushId,
        date: push.date,
        url: `${this.state.repositoryUrl(organization, repository)}/pushes/${
          push.pushId
        }`,
      },
      resourceVersion: '1.0',
      resourceContainers: eventResourceContainers(organization.id, project.id, organizationUrl),
      createdDate: new Date().toISOString(),
    };
  }
}
