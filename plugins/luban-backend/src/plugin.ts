import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { GitOpsWriter, GitProviders, HarborClient, LubanClusters, readLubanConfig, type RepoLocation } from '@luban-backstage/plugin-luban-node';
import { ClusterAccess } from './service/ClusterAccess';
import { EntityTargets } from './service/EntityTargets';
import { ProjectRecords } from './service/ProjectRecords';
import { createHealthService } from './service/HealthService';
import { KpackBuildService } from './service/builds/KpackBuildService';
import { GitOpsPromotionService } from './service/promotion/GitOpsPromotionService';
import { PromotionStateReader } from './service/promotion/PromotionStateReader';
import { ReleaseService } from './service/release/ReleaseService';
import { DigestTrace } from './service/trace/DigestTrace';
import { InsightsReader } from './service/insights/InsightsReader';
import { AutoDeployer } from './service/deploy/AutoDeployer';
import { LiveUpdates } from './service/live/LiveUpdates';
import { ReplicaEvents, type GitopsChange } from './service/live/ReplicaEvents';
import { registerDeliveryNotifications } from './service/notify/deliveryNotifications';
import { createRouter } from './service/router';
import { PushHandler } from './webhooks/PushHandler';
import { PreviewReader } from './service/previews/PreviewReader';
import { PreviewService } from './service/previews/PreviewService';
import { ReleaseBuilds } from './service/builds/ReleaseBuilds';
import { ReleaseAutomation } from './service/deploy/ReleaseAutomation';
import { lubanEnvironmentResources } from './permissions/environmentRules';

/**
 * What each replica does when any replica learned that a GitOps repository
 * changed. A push or pull request event the host delivered: a webhook
 * watches the repository, and reads of it ask the host again once; luban's
 * own commit or pull request (on any replica) changed it too.
 * Until the next change, views of it ask the host nothing (see
 * RepositoryWatch). The pages following it are told.
 */
function onGitopsChanged(git: GitProviders, live: LiveUpdates) {
  return (change: GitopsChange) => {
    let repo: RepoLocation | undefined;
    try {
      repo = git.parse(change.repositoryUrl);
    } catch {
      // A host luban has no integration for: nothing of it is cached.
    }
    if (repo && (change.reason === 'push' || change.reason === 'pull-request')) git.watch.delivered(repo);
    else if (repo) git.watch.changed(repo);
    live.gitopsChanged(change.repositoryUrl, change.reason);
  };
}

/**
 * The luban backend plugin: the REST API behind the luban entity page.
 * @public
 */
export const lubanPlugin = createBackendPlugin({
  pluginId: 'luban',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
        database: coreServices.database,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        events: eventsServiceRef,
        // Has a default that posts to the notifications backend: always there, used only when that backend is (see startDeliveryNotifications).
        notifications: notificationService,
        instanceMetadata: coreServices.rootInstanceMetadata,
      },
      async init({ config, logger, httpRouter, httpAuth, permissions, auditor, auth, lifecycle, database, catalog, signals, events, notifications, instanceMetadata }) {
        const luban = readLubanConfig(config);
        const { environments, requestTimeoutMs } = luban;
        const git = GitProviders.fromConfig(config, { requestTimeoutMs });
        const harbor = HarborClient.fromConfig(config, { requestTimeoutMs });
        const lubanClusters = LubanClusters.fromConfig(config, { requestTimeoutMs });
        const clusters = new ClusterAccess({ clusters: lubanClusters, argoCdNamespace: luban.argocd.namespace });
        const gitopsBranch = luban.gitops.branch;

        // Records live on the default cluster, where onboarding wrote them.
        const records = new ProjectRecords({ gateway: () => clusters.gateway() });
        const targets = new EntityTargets({ catalog, auth, git, environments, records, clusters });
        const builds = new KpackBuildService({ clusters, git, harbor, logger });
        // One writer: identical GitOps changes of promotions and auto-deploys share one run.
        const writer = new GitOpsWriter(git);
        const sources = { clusters, git, harbor, gitopsBranch, argoCdNamespace: luban.argocd.namespace, argoCdBaseUrl: luban.argocd.baseUrl };
        // What one replica learns (a push it accepted, a commit it made) reaches the pages every replica follows.
        const replicas = new ReplicaEvents({ events, logger });
        // A pull request luban opened or closed is no push: the other replicas are told, or they would trust their list.
        const announce = (repo: RepoLocation) => replicas.gitopsChanged({ repositoryUrl: repo.webUrl, reason: 'proposed' });
        const promotion = new GitOpsPromotionService({ ...sources, writer, logger, announce });
        // Releases plan each app as its own promotion and write through the same writer.
        const release = new ReleaseService({ promotion, writer, git, environments, gitopsBranch, logger, announce });
        // The trace of any digest: its build, Harbor's artifact, each environment's history and the git host's pull requests.
        const state = new PromotionStateReader(sources);
        const trace = new DigestTrace({ builds, promotion, git, state });
        // Delivery insights: the same overlays, builds and Argo CD Applications, and the source commits' dates.
        const insights = new InsightsReader({ promotion, state, git, gitopsBranch });

        const live = new LiveUpdates({ clusters, signals, logger });
        await replicas.subscribe(onGitopsChanged(git, live));
        const deployer = new AutoDeployer({
          clusters,
          git,
          writer,
          targets,
          gitopsBranch,
          mode: luban.gitops.autoDeploy,
          logger,
          onDeployed: target =>
            replicas.gitopsChanged({ repositoryUrl: EntityTargets.requireGitopsRepo(target).webUrl, reason: 'deployed' }),
        });
        // A pushed version tag builds a release candidate.
        const pushes = new PushHandler({ targets, clusters, changes: replicas, logger, database, releases: new ReleaseBuilds({ clusters, logger }) });
        // Chains, tag promotions and rollback proposals: what luban does by itself when Argo CD reports a change.
        ReleaseAutomation.startIfWanted({ clusters, targets, environments, promotion, releases: luban.releases, auditor, logger, database, lifecycle, changes: replicas });
        await events.subscribe({ id: 'luban-pushes', topics: PushHandler.topics, onEvent: event => pushes.onEvent(event) });
        // Pull requests on apps' source repositories that opted in (annotation luban.dev/previews: enabled) get a preview.
        await PreviewService.subscribe(events, { catalog, auth, targets, clusters, git, gateway: luban.gateway, argoCdNamespace: luban.argocd.namespace, auditor, logger, database });
        // Owners hear of failed builds, promotion pull requests, Degraded environments and vulnerable running digests.
        registerDeliveryNotifications({ config, logger, database, lifecycle, notifications, instanceMetadata, records, targets, clusters, clusterNames: lubanClusters.names(), git, harbor, state });
        lifecycle.addStartupHook(() => deployer.start(lubanClusters.names()));
        lifecycle.addShutdownHook(() => {
          deployer.stop();
          clusters.stop();
        });

        httpRouter.use(
          await createRouter({
            health: createHealthService(),
            targets,
            builds,
            promotion,
            release,
            trace,
            insights,
            previews: new PreviewReader({ clusters, git }),
            httpAuth, permissions, auditor,
            environmentResources: lubanEnvironmentResources({ catalog, auth }),
            onTargetViewed: target => live.follow(target),
          }),
        );
        // Probes and the status page read health without a Backstage token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
