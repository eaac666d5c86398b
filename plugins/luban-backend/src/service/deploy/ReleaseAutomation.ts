import type { AuditorService, DatabaseService, LifecycleService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LUBAN_LABELS, argoCdApplicationName, shortDigest, type LubanEnvironment } from '@luban-backstage/plugin-luban-common';
import { isBuildOfImage, toKpackBuild, type LubanReleasesConfig, type ResourceInformer } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import { EntityTargets, type LubanTarget } from '../EntityTargets';
import type { ReplicaEvents } from '../live/ReplicaEvents';
import type { GitOpsPromotionService } from '../promotion/GitOpsPromotionService';
import { decideAutomaticChanges, type AutomaticChange } from './releaseDecisions';
import { StoppableTimers } from './StoppableTimers';
import { DeliveryLog } from '../../webhooks/DeliveryLog';

/** The actors luban names in pull requests and audit events for what it does by itself. */
export const AUTOMATION_ACTORS = { promote: 'luban-auto-promote', rollback: 'luban-rollback-proposal' } as const;
const RETRY_MS = 5_000;
/** How long an empty catalog is asked again soon; after it, the periodic catch-up looks (as auto-deploy waits for apps). */
const EMPTY_CATALOG_PATIENCE_MS = 10 * 60_000;
/** How often every app is looked at again, for a change the Application watch missed (a restart, a dropped watch). */
const CATCH_UP_INTERVAL_MS = 5 * 60_000;

/**
 * Promotion chains, tag promotions and rollback proposals: what luban does
 * by itself when Argo CD reports a change. Each Application change makes it
 * read its app's state as the Delivery view does and act on
 * {@link decideAutomaticChanges}; a pass over every app runs at start and
 * every few minutes. Once per digest: this process remembers what it did,
 * and across replicas the writes converge (one branch and pull request per
 * app, environment and digest; a compare-and-set commit that a second
 * replica finds already made), and only a new pull request or commit is
 * audited.
 */
export class ReleaseAutomation {
  private readonly done = new Set<string>();
  private made?: Promise<DeliveryLog>;
  private readonly timers = new StoppableTimers();
  private readonly informers = new Map<string, ResourceInformer<KubernetesObject>>();
  /** Names of the Applications that may call for a change, seen since the running pass began. */
  private pending = new Set<string>();
  private running?: Promise<void>;
  /** The wait before asking the catalog again while it names no app; doubled each time up to {@link RETRY_MS}. */
  private catalogRetryMs = 125;
  /** Since when the catalog has named no app, while it names none. */
  private catalogEmptySince?: number;

  constructor(
    private readonly options: {
      clusters: ClusterAccess;
      targets: Pick<EntityTargets, 'allTargets'>;
      environments: LubanEnvironment[];
      promotion: Pick<GitOpsPromotionService, 'getState' | 'promote' | 'rollback'>;
      releases: LubanReleasesConfig;
      auditor: AuditorService;
      logger: LoggerService;
      /** Where what luban made by itself is remembered, for every replica and across restarts. */
      database: DatabaseService;
      /** Told after each change luban made by itself, for live updates. */
      onChanged?: (target: LubanTarget) => void;
    },
  ) {}

  /**
   * Starts the automation with the backend (on every cluster luban knows) and stops it with it, unless the
   * configuration asks for none (no chain, no tag promotion, no rollback proposal).
   */
  static startIfWanted(
    options: Omit<ReleaseAutomation['options'], 'onChanged'> & {
      lifecycle: LifecycleService;
      /** Told which GitOps repository luban changed, so that every replica refreshes its pages. */
      changes: Pick<ReplicaEvents, 'gitopsChanged'>;
    },
  ): ReleaseAutomation | undefined {
    const { environments, releases, lifecycle, changes, ...rest } = options;
    if (!(releases.promoteTagsTo || releases.rollbackProposalWindowMs > 0 || environments.some(e => e.autoPromote))) return undefined;
    const automation = new ReleaseAutomation({
      ...rest,
      environments,
      releases,
      onChanged: target => changes.gitopsChanged({ repositoryUrl: EntityTargets.requireGitopsRepo(target).webUrl, reason: 'deployed' }),
    });
    // Argo CD's Applications of an environment live on its cluster.
    lifecycle.addStartupHook(() => automation.start([...new Set(environments.map(e => options.clusters.cluster(e.cluster).name))]));
    lifecycle.addShutdownHook(() => automation.stop());
    return automation;
  }

  /**
   * Whether an Application, as the watch cached it, may call for a change:
   * Degraded in an environment promoted into (a rollback proposal), or Synced
   * and Healthy in the source of an environment promoted into by itself. Only
   * those make luban read the app's state: a healthy platform costs no request.
   */
  private mayCallForChange(application: KubernetesObject & { status?: any }): boolean {
    const { environments, releases } = this.options;
    const env = environments.find(e => e.name === application.metadata?.labels?.[LUBAN_LABELS.environment]);
    const health = application.status?.health?.status;
    if (!env) return false;
    if (health === 'Degraded') return Boolean(env.promotesFrom) && releases.rollbackProposalWindowMs > 0;
    const chained = environments.some(e => e.promotesFrom === env.name && (e.autoPromote || releases.promoteTagsTo === e.name));
    return chained && health === 'Healthy' && application.status?.sync?.status === 'Synced';
  }

  /** Follows the Argo CD Applications of the named clusters: each as it changes, all of them every few minutes. */
  start(clusterNames: string[]) {
    for (const name of clusterNames) this.follow(name);
    this.catchUpLoop();
  }

  stop() {
    this.timers.stop();
  }

  private follow(clusterName: string) {
    this.options.clusters
      .applications(clusterName)
      .then(informer => {
        this.informers.set(clusterName, informer);
        informer.onChange(({ type, object }) => type !== 'DELETED' && this.changed(object));
        this.changed();
      })
      .catch(error => {
        if (this.timers.stopped) return;
        this.options.logger.warn('Release automation cannot read the Argo CD Applications of a cluster yet', { cluster: clusterName, error: String(error) });
        this.timers.later(() => this.follow(clusterName), RETRY_MS);
      });
  }

  private catchUpLoop() {
    this.timers.later(() => {
      this.changed();
      this.catchUpLoop();
    }, CATCH_UP_INTERVAL_MS);
  }

  /** One Application changed, or (without one) every cached Application is looked at. */
  private changed(application?: KubernetesObject) {
    const applications = application ? [application] : [...this.informers.values()].flatMap(informer => informer.list());
    for (const app of applications) if (app.metadata?.name && this.mayCallForChange(app)) this.schedule(app.metadata.name);
  }

  /** One pass at a time: changes seen while one runs are looked at by the next. */
  private schedule(applicationName: string) {
    this.pending.add(applicationName);
    if (this.running) return;
    this.running = (async () => {
      while (this.pending.size > 0 && !this.timers.stopped) {
        const names = this.pending;
        this.pending = new Set();
        await this.pass(names).catch(error => this.options.logger.warn('Release automation pass failed', { error: String(error) }));
      }
      this.running = undefined;
    })();
  }

  private async pass(applicationNames: Set<string>) {
    const targets = await this.options.targets.allTargets();
    if (targets.length === 0) {
      // After a fresh start the catalog ingests its locations within seconds: asked again soon, not in five
      // minutes; but not for ever (Applications of an offboarded project remain): then the catch-up looks.
      this.catalogEmptySince ??= Date.now();
      if (Date.now() - this.catalogEmptySince > EMPTY_CATALOG_PATIENCE_MS) return;
      this.catalogRetryMs = Math.min(this.catalogRetryMs * 2, RETRY_MS);
      this.timers.later(() => applicationNames.forEach(name => this.schedule(name)), this.catalogRetryMs);
      return;
    }
    this.catalogEmptySince = undefined;
    const concerned = (target: LubanTarget) =>
      target.environments.some(e => applicationNames.has(argoCdApplicationName(e.name, target.project, target.app)));
    // Several entities may name one app: it is changed once, for the first by entity ref (as auto-deploy picks).
    const apps = new Map<string, LubanTarget>();
    for (const target of [...targets].sort((a, b) => a.entityRef.localeCompare(b.entityRef))) {
      const app = JSON.stringify([target.gitopsRepo?.webUrl.toLowerCase(), target.project, target.app]);
      if (target.gitopsRepo && concerned(target) && !apps.has(app)) apps.set(app, target);
    }
    for (const target of apps.values()) {
      if (this.timers.stopped) return;
      await this.evaluate(target).catch(error =>
        this.options.logger.warn('Release automation could not look at an app', { entityRef: target.entityRef, error: String(error) }),
      );
    }
    this.options.logger.debug('Release automation looked', { apps: targets.length, applications: [...applicationNames] });
  }

  private async evaluate(target: LubanTarget) {
    const state = await this.options.promotion.getState(target);
    const builds = (await this.options.clusters.builds(target.cluster))
      .list(o => isBuildOfImage(o, target.image))
      .map(o => toKpackBuild(o));
    const changes = decideAutomaticChanges({
      environments: target.environments,
      state,
      releaseTagOf: digest => builds.find(b => b.digest === digest)?.releaseTag,
      promoteTagsTo: this.options.releases.promoteTagsTo,
      rollbackProposalWindowMs: this.options.releases.rollbackProposalWindowMs,
      now: new Date(),
    });
    const made = await (this.made ??= DeliveryLog.create(this.options.database));
    for (const change of changes) {
      // Per app, not per entity: two entities naming one app are one change.
      const key = `automatic:${JSON.stringify([target.project, target.app, change.kind, change.kind === 'promote' ? change.to : change.env, change.digest])}`;
      if (this.done.has(key)) continue;
      // Claimed in the database: made once by all replicas, and not again after a restart (a promotion someone
      // rolled back stays rolled back while its digest is unchanged).
      if (!(await made.firstTime(key))) continue;
      if (await this.act(target, change)) this.done.add(key);
      else await made.forget(key);
    }
  }

  /** Makes one change; true once it is made (here or by another replica) or can never be. */
  private async act(target: LubanTarget, change: AutomaticChange): Promise<boolean> {
    const { promotion, logger } = this.options;
    const actor = { userEntityRef: AUTOMATION_ACTORS[change.kind] };
    const about = { entityRef: target.entityRef, ...change, digest: shortDigest(change.digest) };
    try {
      const result =
        change.kind === 'promote'
          ? await promotion.promote(target, { from: change.from, to: change.to }, actor, { commit: change.commit })
          : await promotion.rollback(target, { env: change.env, toDigest: undefined }, actor);
      if (!result.allowed) {
        // Asked again at the next change or pass: a soak time ends, a scan finishes.
        logger.info('luban did not promote by itself: a gate did not pass', { ...about, failed: result.gates.filter(g => !g.passed).map(g => g.gate) });
        return false;
      }
      const made = result.commit ?? (result.pullRequest && !result.pullRequest.reused ? result.pullRequest : undefined);
      if (made) {
        await this.audit(change, target, { pullRequest: result.pullRequest?.url, commit: result.commit?.url });
        this.options.onChanged?.(target);
      }
      logger.info(change.kind === 'promote' ? 'luban promoted by itself' : 'luban proposed a rollback', {
        ...about,
        pullRequest: result.pullRequest?.url,
        commit: result.commit?.url,
        madeHere: Boolean(made),
      });
      return true;
    } catch (error) {
      // The environment already runs it (another replica committed), or has nothing to roll back to.
      if (error instanceof ConflictError || error instanceof InputError) {
        logger.info('luban had nothing to change by itself', { ...about, why: (error as Error).message });
        return true;
      }
      await this.audit(change, target, {}, error as Error);
      throw error;
    }
  }

  private async audit(change: AutomaticChange, target: LubanTarget, result: JsonObject, error?: Error) {
    const eventId = change.kind === 'promote' ? 'auto-promote' : 'rollback-proposal';
    const meta =
      change.kind === 'promote'
        ? { from: change.from, to: change.to, digest: change.digest, by: change.commit ? 'commit' : 'pull-request', why: change.why, releaseTag: change.releaseTag }
        : { env: change.env, digest: change.digest, overlayChangedAt: change.deployedAt };
    const event = await this.options.auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      meta: { actor: AUTOMATION_ACTORS[change.kind], entityRef: target.entityRef, ...meta },
    });
    if (error) await event.fail({ error });
    else await event.success({ meta: result });
  }
}
