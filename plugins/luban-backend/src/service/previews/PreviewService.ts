import { ConflictError } from '@backstage/errors';
import type { AuditorService, AuthService, DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EventParams, EventsService } from '@backstage/plugin-events-node';
import type { JsonObject } from '@backstage/types';
import { argoCdApplicationName, LUBAN_PREVIEWS_ANNOTATION } from '@luban-backstage/plugin-luban-common';
import { appAddress, appHostname, KPACK, type GatewayConfig, type GitProviders, type KubernetesObjectRef } from '@luban-backstage/plugin-luban-node';
import type { ClusterAccess } from '../ClusterAccess';
import type { EntityTargets, LubanTarget } from '../EntityTargets';
import { DeliveryLog } from '../../webhooks/DeliveryLog';
import { LUBAN_WEBHOOK_TOPICS } from '../../webhooks/webhookModule';
import { deliveryIdOf, headerOf, webUrlOf } from '../../webhooks/payloadFields';
import { pullRequestOfDelivery, type PullRequestEvent } from './pullRequestEvents';
import { isPreviewObject, previewApplication, previewComment, previewImage, previewName, repositoryOfTag, type PreviewRef } from './previewObjects';
import { finishedBuildOf } from './waitForBuild';

type PreviewGateway = ReturnType<ClusterAccess['gateway']>;

/** Which of luban's comments on a pull request is the preview's. */
const COMMENT_MARKER = 'luban-preview';

type Outcome = 'replay' | 'not a pull request' | 'not a preview app' | 'preview';

/**
 * Pull-request previews: a pull request on an app's source repository (an
 * app that opted in, of a project luban has a record of) is built by kpack
 * in `ci-<project>`, deployed by its own Argo CD Application into the first
 * environment's namespace, and announced in one comment on the pull request,
 * kept up to date; closing the pull request deletes all of it.
 */
export class PreviewService {
  /** The events topics to subscribe to: the same authenticated ingresses as pushes. */
  static readonly topics = [LUBAN_WEBHOOK_TOPICS.github, LUBAN_WEBHOOK_TOPICS.azure];
  private readonly log: Promise<DeliveryLog>;

  /** Subscribes a PreviewService to the webhook topics. */
  static async subscribe(events: Pick<EventsService, 'subscribe'>, options: PreviewService['options']): Promise<PreviewService> {
    const previews = new PreviewService(options);
    await events.subscribe({ id: 'luban-previews', topics: PreviewService.topics, onEvent: event => previews.onEvent(event) });
    return previews;
  }

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      targets: Pick<EntityTargets, 'fromEntity'>;
      clusters: ClusterAccess;
      git: GitProviders;
      gateway: GatewayConfig;
      argoCdNamespace: string;
      auditor: AuditorService;
      logger: LoggerService;
      database: DatabaseService;
    },
  ) {
    this.log = DeliveryLog.create(options.database);
    this.log.catch(() => undefined);
  }

  /** Acts on one delivery, then logs what became of it (one line per delivery, as pushes are). */
  async onEvent(event: EventParams): Promise<void> {
    const delivery = deliveryIdOf(event);
    if (!PreviewService.isPullRequest(event)) return;
    try {
      const outcome = await this.act(event, delivery);
      this.options.logger.info('luban handled a pull-request delivery', { topic: event.topic, delivery, outcome });
    } catch (error) {
      this.options.logger.warn('luban handled a pull-request delivery', { topic: event.topic, delivery, outcome: 'failed', error: String(error) });
      throw error;
    }
  }

  /** Pushes are PushHandler's: only pull-request deliveries are logged here. */
  private static isPullRequest(event: EventParams): boolean {
    if (event.topic === LUBAN_WEBHOOK_TOPICS.github) return headerOf(event.metadata, 'x-github-event') === 'pull_request';
    const type = (event.eventPayload as { eventType?: unknown } | undefined)?.eventType;
    return typeof type === 'string' && type.startsWith('git.pullrequest.');
  }

  private async act(event: EventParams, delivery: string | undefined): Promise<Outcome> {
    const log = await this.log;
    const key = `preview-delivery:${event.topic}:${delivery}`;
    if (delivery && !(await log.firstTime(key))) return 'replay';
    try {
      return await this.actOn(event);
    } catch (error) {
      // Not done: the host's redelivery of this delivery must be acted on, not taken for a replay.
      if (delivery) await log.forget(key);
      throw error;
    }
  }

  private async actOn(event: EventParams): Promise<Outcome> {
    const pr = pullRequestOfDelivery(event);
    if (!pr) return 'not a pull request';
    const targets = await this.previewTargets(pr.repositoryUrl);
    if (targets.length === 0) return 'not a preview app';
    for (const target of targets) {
      if (pr.action === 'closed') await this.close(target, pr);
      else if (pr.headSha) await this.open(target, pr, pr.headSha);
    }
    return 'preview';
  }

  /**
   * The apps that opted in whose kpack Image — written by luban at onboarding,
   * not by whoever registers a catalog entity — builds the pull request's
   * repository (their project's record checked). A Component naming another
   * repository in its annotations gets no preview of it.
   */
  private async previewTargets(repositoryUrl: string): Promise<LubanTarget[]> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.catalog.getEntities(
      { filter: { [`metadata.annotations.${LUBAN_PREVIEWS_ANNOTATION}`]: 'enabled' } },
      { credentials },
    );
    const targets: LubanTarget[] = [];
    for (const entity of items) {
      const target = await this.options.targets.fromEntity(entity).catch(() => undefined);
      if (target?.sourceRepo?.webUrl.toLowerCase() !== repositoryUrl.toLowerCase()) continue;
      const built = webUrlOf((await this.appImage(target))?.spec?.source?.git?.url);
      if (built?.toLowerCase() === repositoryUrl.toLowerCase()) targets.push(target);
      else this.options.logger.warn('luban made no preview: the app\'s kpack Image builds another repository', { entityRef: target.entityRef, repositoryUrl });
    }
    return targets;
  }

  private appImage(target: LubanTarget) {
    return this.options.clusters.gateway(target.cluster).get<KubernetesObject & { spec?: any }>({
      apiVersion: KPACK.apiVersion,
      kind: 'Image',
      metadata: { namespace: target.image.namespace, name: target.image.name },
    });
  }

  private refOf(target: LubanTarget, pr: PullRequestEvent): PreviewRef {
    return { project: target.project, app: target.app, number: pr.number };
  }

  /** Builds the head (once per commit, whatever the deliveries), then deploys it once built. */
  private async open(target: LubanTarget, pr: PullRequestEvent, headSha: string) {
    const ref = this.refOf(target, pr);
    const image = { namespace: target.image.namespace, name: previewName(ref) };
    const log = await this.log;
    const key = `preview:${image.namespace}/${image.name}@${headSha}`;
    if (!(await log.firstTime(key))) return;
    try {
      await this.audited('build', target, pr, async () => {
        const app = await this.appImage(target);
        if (!app) throw new Error(`the app's kpack Image ${target.image.namespace}/${target.image.name} does not exist`);
        // The app Image's own source URL (checked against the pull request's repository above), never a catalog annotation's.
        const preview = previewImage(ref, { namespace: target.image.namespace, spec: app.spec }, { headSha });
        await this.applyPreview(this.options.clusters.gateway(target.cluster), preview, ref);
        await this.comment(target, pr, previewComment({ kind: 'building', sha: headSha }));
        return { image: `${image.namespace}/${image.name}`, revision: headSha };
      });
    } catch (error) {
      // Not acted on: a redelivery may try again.
      await log.forget(key);
      throw error;
    }
    // Not awaited: the delivery is answered while kpack builds.
    this.deployWhenBuilt(target, pr, headSha).catch(error =>
      this.options.logger.warn('luban could not deploy a preview', { image: image.name, revision: headSha, error: String(error) }),
    );
  }

  private async deployWhenBuilt(target: LubanTarget, pr: PullRequestEvent, headSha: string) {
    const ref = this.refOf(target, pr);
    const image = { namespace: target.image.namespace, name: previewName(ref) };
    const build = await finishedBuildOf(await this.options.clusters.builds(target.cluster), image, headSha);
    if (typeof build === 'string') return;
    // A newer commit was pushed meanwhile: its own waiter deploys it.
    const gateway = this.options.clusters.gateway(target.cluster);
    const live = await gateway.get<KubernetesObject & { spec?: any }>({ apiVersion: KPACK.apiVersion, kind: 'Image', metadata: image });
    if (live?.spec?.source?.git?.revision !== headSha) return;
    if (build.status !== 'succeeded' || !build.digest || !build.latestImage) {
      await this.comment(target, pr, previewComment({ kind: 'failed', sha: headSha }));
      this.options.logger.info('luban did not deploy a preview whose build failed', { image: `${image.namespace}/${image.name}`, revision: headSha, build: build.name });
      return;
    }
    const digest = build.digest;
    const repository = repositoryOfTag(build.latestImage);
    await this.audited('deploy', target, pr, async () => {
      const environment = target.environments[0];
      const envGateway = this.options.clusters.gateway(environment.cluster);
      const environmentApp = await envGateway.get<KubernetesObject & { spec?: any }>({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { namespace: this.options.argoCdNamespace, name: argoCdApplicationName(environment.name, target.project, target.app) },
      });
      if (!environmentApp) throw new Error(`the app has no Argo CD Application in ${environment.name} to preview beside`);
      const hostname = this.hostnameOf(ref, environment.name);
      const application = previewApplication(ref, environmentApp, { repository, digest }, hostname);
      await this.applyPreview(envGateway, application, ref);
      const address = hostname ? appAddress(hostname) : undefined;
      await this.comment(target, pr, previewComment({ kind: 'ready', sha: headSha, digest, address }));
      return { application: application.metadata.name, digest, ...(address ? { address } : {}) };
    });
  }

  private hostnameOf(ref: PreviewRef, env: string): string | undefined {
    const pattern = this.options.gateway.hostnamePattern;
    return pattern ? appHostname(pattern, { app: previewName(ref), project: ref.project, env }) : undefined;
  }

  /** Deletes the Application (Argo CD deletes its resources, the route among them) and the Image (kpack its Builds). */
  private async close(target: LubanTarget, pr: PullRequestEvent) {
    const ref = this.refOf(target, pr);
    const environment = target.environments[0];
    await this.audited('delete', target, pr, async () => {
      const application = `${argoCdApplicationName(environment.name, target.project, target.app)}-pr-${pr.number}`;
      const deletedApplication = await this.deletePreview(
        this.options.clusters.gateway(environment.cluster),
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: this.options.argoCdNamespace, name: application } },
        ref,
      );
      const deletedImage = await this.deletePreview(
        this.options.clusters.gateway(target.cluster),
        { apiVersion: KPACK.apiVersion, kind: 'Image', metadata: { namespace: target.image.namespace, name: previewName(ref) } },
        ref,
      );
      if (deletedApplication || deletedImage) await this.comment(target, pr, previewComment({ kind: 'removed' }));
      // Reopened, the pull request's head is built and deployed again.
      if (pr.headSha) await (await this.log).forget(`preview:${target.image.namespace}/${previewName(ref)}@${pr.headSha}`);
      return { application, deletedApplication, deletedImage };
    });
  }

  /** Applies a preview's object, unless its name is taken by something that is not this preview (a real app's). */
  private async applyPreview(gateway: PreviewGateway, object: KubernetesObject, ref: PreviewRef) {
    const existing = await gateway.get<KubernetesObject>(object as KubernetesObjectRef);
    if (existing && !isPreviewObject(existing, ref)) {
      throw new ConflictError(`${object.kind} ${object.metadata?.namespace}/${object.metadata?.name} exists and is not the preview of pull request #${ref.number}: luban leaves it alone`);
    }
    await gateway.apply(object);
  }

  /** Deletes a preview's object; one of that name that is not this preview's is left alone. */
  private async deletePreview(gateway: PreviewGateway, object: KubernetesObjectRef, ref: PreviewRef) {
    const existing = await gateway.get<KubernetesObject>(object);
    if (!existing) return false;
    if (!isPreviewObject(existing, ref)) {
      this.options.logger.warn('luban left alone an object named like a preview that is not one', { kind: object.kind, name: object.metadata.name });
      return false;
    }
    return gateway.delete(object);
  }

  private async comment(target: LubanTarget, pr: PullRequestEvent, body: string) {
    const repo = target.sourceRepo!;
    const provider = this.options.git.forRepository(repo);
    if (!provider.upsertPullRequestComment) return;
    await provider.upsertPullRequestComment(repo, pr.number, { marker: COMMENT_MARKER, body });
  }

  /** Runs one step of a preview as an audit event `luban-preview` of luban itself. */
  private async audited(
    action: 'build' | 'deploy' | 'delete',
    target: LubanTarget,
    pr: PullRequestEvent,
    step: () => Promise<JsonObject>,
  ) {
    const event = await this.options.auditor.createEvent({
      eventId: 'luban-preview',
      severityLevel: 'medium',
      meta: { actionType: action, actor: 'luban (pull-request preview)', entityRef: target.entityRef, pullRequest: pr.number, repository: pr.repositoryUrl },
    });
    try {
      const result = await step();
      await event.success({ meta: result });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }
}
