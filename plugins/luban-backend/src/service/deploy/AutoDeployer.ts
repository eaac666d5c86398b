import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { KubernetesObject } from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  LUBAN_APP_ANNOTATION,
  LUBAN_KPACK_IMAGE_ANNOTATION,
  LUBAN_PROJECT_ANNOTATION,
  ciNamespaceName,
  gitopsOverlayPath,
  kpackImageName,
  promotionBranchName,
  shortDigest,
} from '@luban-backstage/plugin-luban-common';
import {
  isBuildOfImage,
  readOverlayImages,
  setOverlayImage,
  toKpackBuild,
  type AutoDeployMode,
  type GitOpsWriter,
  type GitProviders,
  type KpackBuild,
  type ResourceInformer,
} from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import { EntityTargets, type LubanTarget, type RefusedEntity } from '../EntityTargets';
import { ArgoCdRefresher } from './ArgoCdRefresher';
import { decideCatchUp } from './catchUpDecision';
import { StoppableTimers } from './StoppableTimers';

const RETRY_MS = 5_000;
/**
 * The first wait before the catch-up asks again while the catalog names no app yet; doubled each time up to
 * {@link RETRY_MS}. After a fresh start the catalog ingests its locations within a second or two.
 */
const FIRST_CATALOG_RETRY_MS = 250;
/** How long a succeeded Build waits for the catalog to know its app. */
const UNKNOWN_APP_PATIENCE_MS = 10 * 60_000;
/** How often the newest Builds are compared with the overlays, for a deploy the live path missed or failed. */
const CATCH_UP_INTERVAL_MS = 5 * 60_000;

/** Whether a refused entity's annotations name the app a Build is of. */
function claimsBuildOf({ entity }: RefusedEntity, build: KpackBuild): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const project = annotations[LUBAN_PROJECT_ANNOTATION] ?? '';
  const app = annotations[LUBAN_APP_ANNOTATION] ?? '';
  return (
    annotations[LUBAN_KPACK_IMAGE_ANNOTATION] === `${build.namespace}/${build.image}` ||
    (ciNamespaceName(project) === build.namespace && kpackImageName(app) === build.image)
  );
}

/**
 * Writes the digest of every successful kpack Build into the overlay of
 * its app's first environment, whatever that environment is called,
 * replacing the reference platform's workflow step. In `pull-request` mode,
 * or when the GitOps branch is protected, the change is proposed instead. Exactly once per Build, even with several backend replicas: the
 * edit is compare-and-set and idempotent by content (a replica that comes
 * second finds the digest there and commits nothing), and a Build older
 * than the one deployed never overwrites it. On start and every few minutes
 * it catches up: each app's newest successful Build that no one deployed
 * (it finished while no luban watched) is deployed, unless the overlay
 * changed after it finished (see {@link decideCatchUp}).
 */
export class AutoDeployer {
  private readonly seen = new Set<string>();
  /** Builds (`cluster/namespace/name`) this process deployed, is deploying, or decided on: the catch-up leaves them be. */
  private readonly handled = new Set<string>();
  private readonly timers = new StoppableTimers();
  private readonly argoCd: ArgoCdRefresher;

  constructor(
    private readonly options: {
      clusters: ClusterAccess;
      git: GitProviders;
      /** The one GitOps writer of the backend, shared with promotions. */
      writer: GitOpsWriter;
      targets: Pick<EntityTargets, 'allTargets'>;
      gitopsBranch: string;
      mode: AutoDeployMode;
      logger: LoggerService;
      /** Told after each overlay change, for live updates. */
      onDeployed?: (target: LubanTarget, build: KpackBuild, url: string) => void;
    },
  ) {
    this.argoCd = new ArgoCdRefresher({ clusters: options.clusters, logger: options.logger });
  }

  /** Follows the builds of every named cluster; keeps trying while one is unreachable. */
  start(clusterNames: string[]) {
    if (this.options.mode === 'off') return;
    for (const name of clusterNames) this.follow(name);
  }

  stop() {
    this.timers.stop();
  }

  private static handledKey(clusterName: string, build: KpackBuild) {
    return `${clusterName}/${build.namespace}/${build.name}`;
  }

  private failed(clusterName: string, build: KpackBuild, error: unknown) {
    // The next catch-up tries again.
    this.handled.delete(AutoDeployer.handledKey(clusterName, build));
    this.options.logger.error('Auto-deploy failed', { build: `${build.namespace}/${build.name}`, error: String(error) });
  }

  private follow(clusterName: string) {
    this.options.clusters
      .builds(clusterName)
      .then(informer => this.watch(clusterName, informer))
      .catch(error => {
        if (this.timers.stopped) return;
        this.options.logger.warn('Auto-deploy cannot read the builds of a cluster yet', { cluster: clusterName, error: String(error) });
        this.timers.later(() => this.follow(clusterName), RETRY_MS);
      });
  }

  private watch(clusterName: string, informer: ResourceInformer<KubernetesObject>) {
    if (this.timers.stopped) return;
    // Builds that had succeeded before luban looked are not redeployed as they change: the catch-up decides
    // on each app's newest, by what the overlay says (a rollback may have replaced them on purpose).
    for (const object of informer.list()) {
      if (toKpackBuild(object).status === 'succeeded') this.seen.add(`${clusterName}/${object.metadata?.uid}`);
    }
    informer.onChange(({ type, object }) => {
      if (type === 'DELETED' || this.timers.stopped) return;
      const build = toKpackBuild(object);
      const key = `${clusterName}/${object.metadata?.uid}`;
      if (build.status !== 'succeeded' || !build.latestImage || this.seen.has(key)) return;
      this.seen.add(key);
      this.handled.add(AutoDeployer.handledKey(clusterName, build));
      this.deploy(clusterName, build, informer).catch(error => this.failed(clusterName, build, error));
    });
    this.catchUpLoop(clusterName, informer, Date.now());
  }

  /**
   * Deploys one succeeded build to the first environment of the one app
   * its Image feeds. A new app's first build can finish before the catalog
   * has ingested the app's entity (the template registers both at once), so a
   * build of an Image no entity names yet is retried for a while.
   */
  async deploy(
    clusterName: string,
    build: KpackBuild,
    informer: ResourceInformer<KubernetesObject>,
    waitingSince = Date.now(),
  ): Promise<void> {
    const { target, others } = await this.appOf(clusterName, build);
    const patient = !this.timers.stopped && Date.now() - waitingSince < UNKNOWN_APP_PATIENCE_MS;
    if (!target && !patient) this.handled.delete(AutoDeployer.handledKey(clusterName, build));
    if (target || !patient) {
      for (const { entityRef, reason } of others) {
        this.options.logger.warn('Auto-deploy left out an entity that claims the app of a Build', {
          build: `${build.namespace}/${build.name}`,
          entityRef,
          reason,
        });
      }
    }
    if (target) {
      await this.deployTo(target, build, informer);
    } else if (patient) {
      this.timers.later(
        () => this.deploy(clusterName, build, informer, waitingSince).catch(error => this.failed(clusterName, build, error)),
        RETRY_MS,
      );
    }
  }

  /**
   * A catch-up pass now, then every few minutes; soon again while the
   * catalog names no app at all yet (its first ingestion after a fresh
   * start), sooner at first: a quarter second, doubling up to five.
   */
  private catchUpLoop(clusterName: string, informer: ResourceInformer<KubernetesObject>, since: number, retryMs = FIRST_CATALOG_RETRY_MS) {
    this.catchUp(clusterName, informer)
      .catch(error => {
        this.options.logger.warn('Auto-deploy could not catch up', { cluster: clusterName, error: String(error) });
        return { catalogEmpty: false };
      })
      .then(({ catalogEmpty }) => {
        const soon = catalogEmpty && Date.now() - since < UNKNOWN_APP_PATIENCE_MS;
        const nextRetryMs = Math.min(retryMs * 2, RETRY_MS);
        this.timers.later(() => this.catchUpLoop(clusterName, informer, since, nextRetryMs), soon ? retryMs : CATCH_UP_INTERVAL_MS);
      });
  }

  /** The newest successful Build of each Image of the cluster, by `namespace/image`. */
  private static newestBuilds(informer: ResourceInformer<KubernetesObject>): Map<string, KpackBuild> {
    const newest = new Map<string, KpackBuild>();
    for (const object of informer.list()) {
      const build = toKpackBuild(object);
      if (build.status !== 'succeeded' || !build.latestImage) continue;
      const image = `${build.namespace}/${build.image}`;
      if ((newest.get(image)?.number ?? -1) < build.number) newest.set(image, build);
    }
    return newest;
  }

  /**
   * Compares each app's newest successful Build that this process has not
   * dealt with (a Build that finished while no luban watched, or whose live
   * deploy failed) with its first environment's overlay, and deploys it
   * where {@link decideCatchUp} says so. Every replica does the same: the
   * write is compare-and-set and idempotent by content, so one commits.
   */
  private async catchUp(clusterName: string, informer: ResourceInformer<KubernetesObject>) {
    const builds = [...AutoDeployer.newestBuilds(informer).values()].filter(
      b => !this.handled.has(AutoDeployer.handledKey(clusterName, b)),
    );
    const counts = { checked: builds.length, deployed: 0, leftAlone: 0, unchanged: 0, waitingForApp: 0, failed: 0 };
    /** The Images (`namespace/image`) whose newest Build this pass decided on. */
    const decided: string[] = [];
    const claims = builds.length > 0 ? await this.allClaims() : undefined;
    for (const build of builds) {
      if (this.timers.stopped) break;
      const { target } = await this.appOf(clusterName, build, claims);
      if (!target) {
        counts.waitingForApp++;
        // Once the catalog names apps, an Image none claims is not luban's (a new app's first Build is the live path's):
        // later passes leave it, rather than reading the catalog and the project records for it every few minutes.
        if (claims?.targets.length) this.handled.add(AutoDeployer.handledKey(clusterName, build));
        continue;
      }
      try {
        counts[await this.catchUpBuild(clusterName, target, build, informer)]++;
        decided.push(`${build.namespace}/${build.image}`);
      } catch (error) {
        counts.failed++;
        this.failed(clusterName, build, error);
      }
    }
    // Said every pass, so that a test (or an operator at debug level) sees a pass finish.
    this.options.logger.debug('Auto-deploy caught up', { cluster: clusterName, ...counts, apps: claims?.targets.length, decided });
    return { catalogEmpty: counts.waitingForApp > 0 && claims?.targets.length === 0 };
  }

  private async catchUpBuild(
    clusterName: string,
    target: LubanTarget,
    build: KpackBuild,
    informer: ResourceInformer<KubernetesObject>,
  ): Promise<'deployed' | 'leftAlone' | 'unchanged'> {
    const key = AutoDeployer.handledKey(clusterName, build);
    const env = target.environments[0];
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const repo = EntityTargets.requireGitopsRepo(target);
    const decision = await decideCatchUp(this.options.git, { repo, branch: this.options.gitopsBranch, path, app: target.app }, build);
    // A newer Build succeeded meanwhile: the live path deploys it.
    const newest = AutoDeployer.newestBuilds(informer).get(`${build.namespace}/${build.image}`);
    if (this.handled.has(key) || newest?.name !== build.name) return 'unchanged';
    if (decision.kind === 'deployed' || decision.kind === 'no-overlay') {
      if (decision.kind === 'deployed') this.handled.add(key);
      return 'unchanged';
    }
    this.handled.add(key);
    const about = { app: target.app, env: env.name, build: build.number, digest: build.digest, finishedAt: build.finishedAt };
    if (decision.kind === 'overlay-changed-later') {
      this.options.logger.info('Auto-deploy left a Build alone: the overlay changed after it finished', {
        ...about,
        overlayChangedAt: decision.overlayChangedAt,
        overlayDigest: decision.overlayDigest,
      });
      return 'leftAlone';
    }
    await this.deployTo(target, build, informer, { caughtUp: true, finishedAt: build.finishedAt, overlayChangedAt: decision.overlayChangedAt });
    return 'deployed';
  }

  /**
   * One Image feeds one app's overlay: the Build of `ci-<project>/<name>`
   * goes to the entity of project `<project>` and app `<name>` that the
   * project's record accepts (the first by entity ref when several name the
   * same overlay). Everyone else who claims it is listed, with why not.
   */
  private async appOf(clusterName: string, build: KpackBuild, known?: Awaited<ReturnType<AutoDeployer['allClaims']>>) {
    const { targets, refused } = known ?? (await this.allClaims());
    const claims = targets
      .filter(t => isBuildOfImage(build, t.image) && this.options.clusters.cluster(t.cluster).name === clusterName)
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    const others: Array<{ entityRef: string; reason: string }> = refused
      .filter(r => claimsBuildOf(r, build))
      .map(({ entity, error }) => ({ entityRef: stringifyEntityRef(entity), reason: error.message }));
    let target: LubanTarget | undefined;
    for (const claim of claims) {
      if (kpackImageName(claim.app) !== build.image) {
        others.push({ entityRef: claim.entityRef, reason: `its app '${claim.app}' is not the app the Image ${build.namespace}/${build.image} builds` });
      } else if (!claim.gitopsRepo || claim.environments.length === 0) {
        others.push({ entityRef: claim.entityRef, reason: 'its project has no GitOps repository or no environment' });
      } else if (target) {
        others.push({ entityRef: claim.entityRef, reason: `${target.entityRef} already claims the app` });
      } else {
        target = claim;
      }
    }
    return { target, others };
  }

  /** Every entity luban deploys, and those refused; read once per catch-up pass. */
  private async allClaims() {
    const refused: RefusedEntity[] = [];
    const targets = await this.options.targets.allTargets({ onRefused: r => refused.push(r) });
    return { targets, refused };
  }

  private async deployTo(
    target: LubanTarget,
    build: KpackBuild,
    informer: ResourceInformer<KubernetesObject>,
    /** Said in the log line: `{ caughtUp: true }` for a Build that finished while no luban deployed it. */
    how: Record<string, unknown> = {},
  ) {
    const { git, writer, gitopsBranch, logger } = this.options;
    const repo = EntityTargets.requireGitopsRepo(target);
    const env = target.environments[0];
    const path = gitopsOverlayPath(target.app, env.name, env.overlayPathPattern);
    const digest = build.digest;
    if (!digest) throw new InputError(`kpack Build ${build.namespace}/${build.name} names no image digest: '${build.latestImage}'`);
    const repository = build.latestImage!.slice(0, build.latestImage!.lastIndexOf('@'));
    const buildNumberOf = (deployedDigest?: string) =>
      deployedDigest
        ? informer
            .list(o => isBuildOfImage(o, { namespace: build.namespace, name: build.image }))
            .map(o => toKpackBuild(o))
            .find(b => b.digest === deployedDigest)?.number
        : undefined;
    const edit = (current: string | undefined) => {
      if (current === undefined) return undefined;
      const deployed = readOverlayImages(current, path).find(i => i.name === target.app)?.digest;
      const deployedNumber = buildNumberOf(deployed);
      // A slower, older build finishing late must not replace a newer one.
      if (deployedNumber !== undefined && deployedNumber > build.number) return undefined;
      return setOverlayImage(current, { name: target.app, newName: repository, digest }, path).content;
    };
    const message = `Deploy ${target.app} build ${build.number} to ${env.name} (${shortDigest(digest)})\n\nkpack Build ${build.namespace}/${build.name}${build.revision ? ` of commit ${build.revision}` : ''}.`;
    const change = {
      branch: gitopsBranch,
      message,
      edits: { [path]: edit },
      proposal: { branch: promotionBranchName(target.app, env.name, digest), title: `Deploy ${target.app} build ${build.number} to ${env.name}`, body: message },
    };
    const deployed = { app: target.app, env: env.name, build: build.number, digest, ...how };
    const result =
      this.options.mode === 'commit' ? await writer.commitOrPropose(repo, change) : await writer.proposeChange(repo, change);
    if (result.pullRequest) {
      logger.info('Auto-deploy pull request opened', { ...deployed, pullRequest: result.pullRequest.webUrl });
      this.options.onDeployed?.(target, build, result.pullRequest.webUrl);
    } else if (result.commitSha) {
      const commit = git.forRepository(repo).webUrlOfCommit(repo, result.commitSha);
      logger.info('Auto-deployed', { ...deployed, commit });
      // Argo CD would see the commit only at its next reconciliation, minutes from now.
      const argoCluster = this.options.clusters.cluster(env.cluster).name;
      await this.argoCd.refresh([argoCluster], { repositoryUrl: repo.cloneUrl, branch: gitopsBranch, paths: [path] }, 'deployed');
      this.options.onDeployed?.(target, build, commit);
    } else {
      // Another replica, or a newer build, was there first: said, so that an operator sees every replica handled the build.
      logger.info('Auto-deploy found nothing to change', deployed);
    }
  }
}
