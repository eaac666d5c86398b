import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  GitProviders,
  HarborClient,
  readKubernetesClusters,
  readLubanEnvironments,
  readRequestTimeoutMs,
} from '@luban-backstage/plugin-luban-node';
import { ClusterAccess } from './service/ClusterAccess';
import { EntityTargets } from './service/EntityTargets';
import { createHealthService } from './service/HealthService';
import { KpackBuildService } from './service/builds/KpackBuildService';
import { GitOpsPromotionService } from './service/promotion/GitOpsPromotionService';
import { createRouter } from './service/router';

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
        catalog: catalogServiceRef,
      },
      async init({ config, logger, httpRouter, httpAuth, permissions, auditor, auth, lifecycle, catalog }) {
        const environments = readLubanEnvironments(config);
        const requestTimeoutMs = readRequestTimeoutMs(config);
        const git = GitProviders.fromConfig(config, { requestTimeoutMs });
        const harbor = HarborClient.fromConfig(config, { requestTimeoutMs });
        const argoCdNamespace = config.getOptionalString('luban.argocd.namespace') ?? 'argocd';
        const clusters = new ClusterAccess({ clusters: readKubernetesClusters(config), requestTimeoutMs, argoCdNamespace });
        lifecycle.addShutdownHook(() => clusters.stop());

        const targets = new EntityTargets({ catalog, auth, git, environments });
        const builds = new KpackBuildService({ clusters, git, harbor, logger });
        const promotion = new GitOpsPromotionService({
          clusters,
          git,
          harbor,
          builds,
          gitopsBranch: config.getOptionalString('luban.gitops.branch') ?? 'main',
          argoCdNamespace,
          argoCdBaseUrl: config.getOptionalString('luban.argocd.baseUrl'),
          logger,
        });

        httpRouter.use(
          await createRouter({
            health: createHealthService({ environments }),
            targets,
            builds,
            promotion,
            httpAuth,
            permissions,
            auditor,
          }),
        );
        // Probes and the status page read health without a Backstage token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
