import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  GitProviders,
  HarborClient,
  readKubernetesClusters,
  readLubanEnvironments,
  readRequestTimeoutMs,
} from '@luban-backstage/plugin-luban-node';
import { ScmIntegrations } from '@backstage/integration';
import { createArgoCdAppAction } from './actions/argocdApp';
import { createArgoCdProjectAction } from './actions/argocdProject';
import { createDagsterInstanceAction } from './actions/dagsterInstance';
import { createDagsterLocationAction } from './actions/dagsterLocation';
import { createDagsterPlatformAction } from './actions/dagsterPlatform';
import { createGitopsAppAction } from './actions/gitopsApp';
import { createGitopsRepoAction } from './actions/gitopsRepo';
import { createHarborProjectAction } from './actions/harborProject';
import { createWebhookRegisterAction } from './actions/webhookRegister';
import { createKpackImageAction } from './actions/kpackImage';
import { createProjectNamespacesAction } from './actions/projectNamespaces';
import { createValidateProjectAction } from './actions/validateProject';
import { readNamespaceDefaults } from './provisioning/namespaces';

/**
 * Adds the luban scaffolder actions (`luban:*`) to the scaffolder.
 * @public
 */
export const scaffolderModuleLuban = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'luban',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        scaffolder: scaffolderActionsExtensionPoint,
      },
      async init({ config, scaffolder }) {
        const environments = readLubanEnvironments(config);
        const clusters = readKubernetesClusters(config);
        const requestTimeoutMs = readRequestTimeoutMs(config);
        const integrations = ScmIntegrations.fromConfig(config);
        const harbor = HarborClient.fromConfig(config, { requestTimeoutMs });
        const git = GitProviders.fromConfig(config, { requestTimeoutMs });
        const gitopsBranch = config.getOptionalString('luban.gitops.branch') ?? 'main';
        const argoCdSettings = {
          namespace: config.getOptionalString('luban.argocd.namespace') ?? 'argocd',
          destinationServer: config.getOptionalString('luban.argocd.destinationServer') ?? 'https://kubernetes.default.svc',
          branch: gitopsBranch,
          baseUrl: config.getOptionalString('luban.argocd.baseUrl'),
        };
        scaffolder.addActions(
          createValidateProjectAction({ environments, integrations }),
          createProjectNamespacesAction({
            clusters,
            environments,
            defaults: readNamespaceDefaults(config),
            requestTimeoutMs,
          }),
          createHarborProjectAction({ harbor, clusters, environments, requestTimeoutMs }),
          createKpackImageAction({
            clusters,
            integrations,
            harbor,
            defaults: {
              builder: {
                kind: (config.getOptionalString('luban.kpack.builder.kind') as 'ClusterBuilder' | 'Builder') ?? 'ClusterBuilder',
                name: config.getOptionalString('luban.kpack.builder.name') ?? 'luban-builder',
              },
              cacheSize: config.getOptionalString('luban.kpack.cacheSize') ?? '2G',
            },
            requestTimeoutMs,
          }),
          createArgoCdProjectAction({ clusters, integrations, environments, settings: argoCdSettings, requestTimeoutMs }),
          createArgoCdAppAction({ clusters, integrations, environments, settings: argoCdSettings, requestTimeoutMs }),
          createGitopsRepoAction({ git, branch: gitopsBranch }),
          createGitopsAppAction({ git, environments, registryHost: harbor?.registryHost, branch: gitopsBranch }),
          createDagsterInstanceAction({ clusters, environments, requestTimeoutMs }),
          createDagsterPlatformAction({
            git,
            environments,
            branch: gitopsBranch,
            gateway: {
              name: config.getOptionalString('luban.gateway.name') ?? 'luban-gateway',
              namespace: config.getOptionalString('luban.gateway.namespace') ?? 'gateway',
              domainSuffix: config.getOptionalString('luban.gateway.domainSuffix'),
            },
          }),
          createDagsterLocationAction({ git, environments, branch: gitopsBranch }),
          createWebhookRegisterAction({
            git,
            settings: {
              targetBaseUrl:
                config.getOptionalString('luban.webhooks.targetBaseUrl') ??
                `${config.getOptionalString('backend.baseUrl') ?? ''}/api/events/http`,
              secret: config.getOptionalString('luban.webhooks.secret'),
            },
          }),
        );
      },
    });
  },
});
