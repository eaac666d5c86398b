import type { KubernetesObject } from '@kubernetes/client-node';
import type { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import type { EventParams } from '@backstage/plugin-events-node';
import { releaseTagOfRef } from '@luban-backstage/plugin-luban-common';
import { isBuildOfImage, toKpackBuild } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../service/ClusterAccess';
import type { EntityTargets } from '../service/EntityTargets';
import type { ReplicaEvents } from '../service/live/ReplicaEvents';
import { pullRequestOfDelivery } from '../service/previews/pullRequestEvents';
import { ArgoCdRefresher } from '../service/deploy/ArgoCdRefresher';
import type { ReleaseBuilds } from '../service/builds/ReleaseBuilds';
import { DeliveryLog } from './DeliveryLog';
import { LUBAN_WEBHOOK_TOPICS } from './webhookModule';
import { fromAzureDevOpsDelivery, fromGitHubDelivery, type PushEvent } from './pushEvents';
import { deliveryIdOf, headerOf, webUrlOf } from './payloadFields';

/**
 * Turns authenticated push deliveries into luban actions: a push to an
 * app's source branch makes kpack resolve the branch now when it has not
 * built the commit yet (so the pushed commit is built without waiting for
 * kpack's one-minute poll), and a push to a GitOps repository refreshes the
 * pages that show it, on every replica.
 */
export class PushHandler {
  /**
   * Delivery ids acted on, and commits a build was already asked for (by
   * Image): the delivery id is not signed, so a captured push sent again
   * under a new id must not make kpack build again either (once the commit's
   * build is gone from its history, nothing else would stop it). Kept in the
   * database, so neither a restart nor another replica forgets them.
   */
  private readonly log: Promise<DeliveryLog>;

  constructor(
    private readonly options: {
      targets: Pick<EntityTargets, 'allTargets'>;
      clusters: ClusterAccess;
      /** Tells every replica (this one included) which GitOps repository changed. */
      changes: Pick<ReplicaEvents, 'gitopsChanged'>;
      logger: LoggerService;
      /** The luban plugin's database, where the delivery log lives. */
      database: DatabaseService;
      /** Builds pushed version tags (`v1.2.3`) as release candidates; tags are ignored without it. */
      releases?: Pick<ReleaseBuilds, 'build' | 'giveBackForgotten'>;
    },
  ) {
    // Made now, not at the first delivery, so that the first push is not slowed by creating the table.
    this.log = DeliveryLog.create(options.database);
    // A failure surfaces at the first delivery that needs the log; until then it is not an unhandled rejection.
    this.log.catch(() => undefined);
  }

  /** Whether `key` is new to the delivery log (and records it). */
  private async firstTime(key: string): Promise<boolean> {
    return (await this.log).firstTime(key);
  }

  /** The events topics to subscribe to. */
  static readonly topics = [LUBAN_WEBHOOK_TOPICS.github, LUBAN_WEBHOOK_TOPICS.azure];

  /**
   * A pull request opened, closed or reopened on a GitOps repository changes
   * its open pull requests without a push: every replica is told, as of a
   * push, so that none keeps showing the list it read before.
   */
  private async gitopsPullRequest(event: EventParams): Promise<boolean> {
    const pr = pullRequestOfDelivery(event);
    if (!pr) return false;
    const repositoryUrl = pr.repositoryUrl.toLowerCase();
    const target = (await this.options.targets.allTargets()).find(t => t.gitopsRepo?.webUrl.toLowerCase() === repositoryUrl);
    if (!target?.gitopsRepo) return false;
    await this.options.changes.gitopsChanged({ repositoryUrl: target.gitopsRepo.webUrl, reason: 'pull-request' });
    return true;
  }

  /** Normalizes one delivery: the push, or why it is not acted on. */
  async toPush(event: EventParams): Promise<PushEvent | 'replay' | 'not a push'> {
    const deliveryId = deliveryIdOf(event);
    if (deliveryId && !(await this.firstTime(`delivery:${event.topic}:${deliveryId}`))) return 'replay';
    const push =
      event.topic === LUBAN_WEBHOOK_TOPICS.github
        ? fromGitHubDelivery(headerOf(event.metadata, 'x-github-event'), event.eventPayload)
        : fromAzureDevOpsDelivery(event.eventPayload);
    return push ?? 'not a push';
  }

  /**
   * Acts on one delivery, then logs what became of it, one line per
   * delivery: an operator tracing a push sees whether luban acted on it,
   * took it for a replay or found no push in it (the host's delivery page
   * shows only the 202).
   */
  async onEvent(event: EventParams): Promise<void> {
    const report = { topic: event.topic, delivery: deliveryIdOf(event) };
    try {
      const outcome = await this.act(event);
      this.options.logger.info('luban handled a webhook delivery', { ...report, outcome });
    } catch (error) {
      this.options.logger.warn('luban handled a webhook delivery', { ...report, outcome: 'failed', error: String(error) });
      throw error;
    }
  }

  private async act(event: EventParams): Promise<'replay' | 'not a push' | 'push' | 'pull request of a GitOps repository'> {
    const push = await this.toPush(event);
    if (push === 'not a push' && (await this.gitopsPullRequest(event))) return 'pull request of a GitOps repository';
    if (typeof push === 'string') return push;
    this.options.logger.debug('luban push event', { topic: event.topic, repository: push.repositoryUrl, refs: push.refs.map(r => r.ref) });
    const repositoryUrl = push.repositoryUrl.toLowerCase();
    const targets = await this.options.targets.allTargets();
    const argoClusters = new Set<string>();
    let gitopsRepoUrl: string | undefined;
    for (const target of targets) {
      if (target.gitopsRepo?.webUrl.toLowerCase() === repositoryUrl) {
        gitopsRepoUrl = target.gitopsRepo.webUrl;
        for (const env of target.environments) argoClusters.add(this.options.clusters.cluster(env.cluster).name);
      }
      if (target.sourceRepo?.webUrl.toLowerCase() === repositoryUrl) {
        await this.nudge(target, push).catch(error =>
          this.options.logger.warn('luban could not nudge a build', { entityRef: target.entityRef, error: String(error) }),
        );
        await this.buildReleases(target, push).catch(error =>
          this.options.logger.warn('luban could not build a release tag', { entityRef: target.entityRef, error: String(error) }),
        );
      }
    }
    // Once per repository, however many apps it deploys: each replica refreshes every page it follows of it.
    if (gitopsRepoUrl) await this.options.changes.gitopsChanged({ repositoryUrl: gitopsRepoUrl, reason: 'push' });
    // A merged pull request shows in Argo CD in seconds, not at its next reconciliation.
    for (const { ref } of argoClusters.size ? push.refs : []) {
      if (!ref.startsWith('refs/heads/')) continue;
      const branch = ref.slice('refs/heads/'.length);
      await new ArgoCdRefresher(this.options).refresh(argoClusters, { repositoryUrl: push.repositoryUrl, branch }, 'push');
    }
    return 'push';
  }

  /**
   * Has kpack build each pushed version tag's commit as a release candidate,
   * once per Image and tag whatever the deliveries (a tag moved later is not
   * built again: a release is what was first tagged). Other tags are logged
   * and left alone.
   */
  private async buildReleases(target: Awaited<ReturnType<EntityTargets['allTargets']>>[number], push: PushEvent) {
    const { releases, logger } = this.options;
    const image = `${target.image.namespace}/${target.image.name}`;
    const tags = push.refs.filter(r => r.ref.startsWith('refs/tags/'));
    if (tags.length === 0) return;
    // The repository the Image builds is luban's record of it (onboarding wrote it), not a catalog annotation:
    // a Component claiming the app cannot have another repository's tags pin its Image.
    const live = await this.options.clusters.gateway(target.cluster).get<KubernetesObject & { spec?: { source?: { git?: { url?: string } } } }>({
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Image',
      metadata: { namespace: target.image.namespace, name: target.image.name },
    });
    if (webUrlOf(live?.spec?.source?.git?.url)?.toLowerCase() !== push.repositoryUrl.toLowerCase()) {
      logger.warn('luban ignored pushed tags of a repository the Image does not build', { image, repository: push.repositoryUrl });
      return;
    }
    for (const update of tags) {
      const tag = releaseTagOfRef(update.ref);
      if (!tag || !releases) {
        logger.info('luban ignored a pushed tag', { image, ref: update.ref, why: tag ? 'release builds are off' : 'not a version tag (v1.2.3)' });
        continue;
      }
      if (!(await this.firstTime(`release:${image}@${tag}`))) continue;
      // Not awaited: kpack may first finish a running build; the delivery is answered meanwhile.
      releases.build(target, { tag, commit: update.commit ?? update.after }).catch(error =>
        logger.warn('luban could not build a release tag', { image, tag, error: String(error) }),
      );
    }
  }

  /**
   * Makes kpack resolve the Image's branch now when a push to it has no Build
   * yet. Not `kp image trigger`: a TRIGGER build rebuilds the commit kpack
   * last resolved, which before its next poll is the one before the push.
   */
  private async nudge(target: Awaited<ReturnType<EntityTargets['allTargets']>>[number], push: PushEvent) {
    const { clusters, logger } = this.options;
    const gateway = clusters.gateway(target.cluster);
    const image = await gateway.get<{ apiVersion: string; kind: string; metadata: any; spec?: { source?: { git?: { revision?: string } } } }>({
      apiVersion: 'kpack.io/v1alpha2',
      kind: 'Image',
      metadata: { namespace: target.image.namespace, name: target.image.name },
    });
    // An Image a release borrowed and never gave back follows its branch again from this push on.
    const givenBack = image && (await this.options.releases?.giveBackForgotten(target, image));
    const branch = givenBack || image?.spec?.source?.git?.revision;
    const update = push.refs.find(r => r.ref === `refs/heads/${branch}`);
    if (!image || !update) return;
    const builds = (await clusters.builds(target.cluster))
      .list(o => isBuildOfImage(o, target.image))
      .map(o => toKpackBuild(o));
    if (builds.some(b => b.revision === update.after)) return;
    // A running build is no reason to wait: kpack builds the newly resolved commit once it ends.
    const commit = `${target.image.namespace}/${target.image.name}@${update.after}`;
    if (!(await this.firstTime(`nudge:${commit}`))) return;
    const { sourceResolver } = await gateway.resolveSourceNow(target.image.namespace, target.image.name);
    logger.info('luban asked kpack to resolve a pushed commit', {
      image: `${target.image.namespace}/${target.image.name}`,
      commit: update.after,
      sourceResolver,
    });
  }
}
