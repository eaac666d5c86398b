import type { LoggerService } from '@backstage/backend-plugin-api';
import { argoCdApplicationName, harborProjectName, type LubanVulnerabilities } from '@luban-backstage/plugin-luban-common';
import { requiredApprovalsOfBranch, type GitProviders, type HarborClient, type RepoLocation } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { LubanTarget } from '../EntityTargets';
import { toLubanVulnerabilities } from '../builds/HarborScans';
import { pullRequestReview } from '../promotion/approvals';
import type { OpenChange, PromotionStateReader } from '../promotion/PromotionStateReader';
import type { AppIndex } from './AppIndex';
import { reachesSeverity } from './deliveryEvents';
import type { DeliveryNotifier } from './DeliveryNotifier';
import { runningOf } from './DeliveryWatcher';
import type { VulnerabilitySeverity } from './notificationsConfig';

/** A rescan is rare (new CVE data, a rebuild of the same digest): the scans of running digests are read less often than pull requests. */
const SCAN_EVERY_NTH_LOOK = 5;
const MAX_CACHED_SCANS = 20_000;

/**
 * Looks, every `luban.notifications.checkInterval`, at what no watch
 * reports: luban's open pull requests in each GitOps repository (one list
 * per repository, as the Delivery view reads it, and the reviews of each)
 * and Harbor's scans of the digests Argo CD runs (each digest's read at
 * most every fifth look: 5 minutes by default). A pull request seen open and gone at the next look is read
 * once more to tell a merge from a close.
 */
export class DeliverySweep {
  /** The open pull requests of each GitOps repository at the last look, by number. */
  private readonly open = new Map<string, Map<number, { change: OpenChange; target: LubanTarget }>>();
  /** Harbor's scan of each running digest, read at most every {@link SCAN_EVERY_NTH_LOOK}th look. */
  private readonly scanCache = new Map<string, { value: LubanVulnerabilities; expiresAt: number }>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly options: {
      apps: AppIndex;
      git: GitProviders;
      state: Pick<PromotionStateReader, 'openChanges'>;
      clusters: ClusterAccess;
      harbor?: HarborClient;
      notifier: DeliveryNotifier;
      minSeverity: VulnerabilitySeverity;
      intervalMs: number;
      logger: LoggerService;
    },
  ) {}

  start() {
    const loop = () => {
      this.sweep()
        .catch(error => this.options.logger.warn('Notifications could not look at pull requests and scans', { error: String(error) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs).unref();
        });
    };
    loop();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One look at every app's pull requests and running digests. */
  async sweep(): Promise<void> {
    const targets = await this.options.apps.all();
    const byRepo = new Map<string, { repo: RepoLocation; targets: LubanTarget[] }>();
    for (const target of targets) {
      if (!target.gitopsRepo) continue;
      const key = target.gitopsRepo.webUrl.toLowerCase();
      const entry = byRepo.get(key) ?? { repo: target.gitopsRepo, targets: [] };
      entry.targets.push(target);
      byRepo.set(key, entry);
    }
    await Promise.all([
      ...[...byRepo.entries()].map(([key, { repo, targets: ofRepo }]) =>
        this.pullRequests(key, repo, ofRepo).catch(error =>
          this.options.logger.warn('Notifications could not read the pull requests of a repository', { repository: repo.webUrl, error: String(error) }),
        ),
      ),
      ...targets.map(target =>
        this.scans(target).catch(error =>
          this.options.logger.warn('Notifications could not read the scans of an app', { entityRef: target.entityRef, error: String(error) }),
        ),
      ),
    ]);
    this.options.logger.debug('Notifications looked at pull requests and scans', { apps: targets.length, repositories: byRepo.size });
  }

  private async pullRequests(key: string, repo: RepoLocation, targets: LubanTarget[]) {
    const { notifier, git } = this.options;
    const provider = git.forRepository(repo);
    const now = new Map<number, { change: OpenChange; target: LubanTarget }>();
    for (const change of await this.options.state.openChanges(repo)) {
      const target = targets.find(t => t.app === change.change.app);
      if (target) now.set(change.number, { change, target });
    }
    const event = (change: OpenChange, target: LubanTarget, state: 'opened' | 'approved' | 'merged') => ({
      kind: 'pull-request' as const,
      project: target.project,
      app: target.app,
      entityRef: target.entityRef,
      change: change.change.kind,
      env: change.change.env,
      state,
      number: change.number,
      url: change.webUrl,
      title: change.title,
    });
    for (const { change, target } of now.values()) {
      await notifier.notify(event(change, target, 'opened'));
      const review = await pullRequestReview(provider, repo, change, requiredApprovalsOfBranch(target.environments));
      // With no approval required, every pull request reads approved: only someone's approval is news.
      if (review.state === 'approved' && review.approvedBy.length > 0) await notifier.notify(event(change, target, 'approved'));
    }
    for (const [number, { change, target }] of this.open.get(key) ?? []) {
      if (now.has(number)) continue;
      if ((await provider.getPullRequest(repo, number)).state === 'merged') await notifier.notify(event(change, target, 'merged'));
    }
    this.open.set(key, now);
  }

  private async scans(target: LubanTarget) {
    const { clusters, notifier, minSeverity } = this.options;
    const environmentsOf = new Map<string, string[]>();
    for (const env of target.environments) {
      const informer = await clusters.applications(clusters.cluster(env.cluster).name);
      const name = argoCdApplicationName(env.name, target.project, target.app);
      const application = informer.list(o => o.metadata?.name === name)[0];
      const running = application ? runningOf(application) : undefined;
      if (running?.startsWith('sha256:')) environmentsOf.set(running, [...(environmentsOf.get(running) ?? []), env.name]);
    }
    for (const [digest, environments] of environmentsOf) {
      const scan = await this.scanOf(target, digest);
      if (!scan?.scanned) continue;
      const counts = { critical: scan.critical, high: scan.high, medium: scan.medium, low: scan.low };
      if (!reachesSeverity(counts, minSeverity)) continue;
      await notifier.notify({
        kind: 'vulnerable',
        project: target.project,
        app: target.app,
        entityRef: target.entityRef,
        digest,
        environments,
        counts,
        minSeverity,
        harborUrl: scan.url,
      });
    }
  }

  /** Harbor's scan of a digest of the app, from the cache while fresh; undefined when Harbor is not configured. */
  private async scanOf(target: LubanTarget, digest: string): Promise<LubanVulnerabilities | undefined> {
    const harbor = this.options.harbor;
    if (!harbor) return undefined;
    const project = harborProjectName(target.project);
    const key = JSON.stringify([project, target.app, digest]);
    const cached = this.scanCache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const value = toLubanVulnerabilities(harbor, target.app, await harbor.getArtifact(project, target.app, digest));
    if (this.scanCache.size > MAX_CACHED_SCANS) this.scanCache.clear();
    this.scanCache.set(key, { value, expiresAt: Date.now() + SCAN_EVERY_NTH_LOOK * this.options.intervalMs });
    return value;
  }
}
