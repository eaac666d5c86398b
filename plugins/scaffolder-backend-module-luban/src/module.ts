import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { GitProviders, HarborClient, LubanClusters, readLubanConfig } from '@luban-backstage/plugin-luban-node';
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
        const luban = readLubanConfig(config);
        const { environments, requestTimeoutMs } = luban;
        const branch = luban.gitops.branch;
        const integrations = ScmIntegrations.fromConfig(config);
        const harbor = HarborClient.fromConfig(config, { requestTimeoutMs });
        const git = GitProviders.fromConfig(config, { requestTimeoutMs });
        const clusters = LubanClusters.fromConfig(config, { requestTimeoutMs });
        const argoCd = { clusters, integrations, environments, settings: { ...luban.argocd, branch } };
        scaffolder.addActions(
          createValidateProjectAction({ environments, integrations }),
          createProjectNamespacesAction({ clusters, environments, defaults: luban.namespaces }),
          createHarborProjectAction({ harbor, clusters, environments }),
          createKpackImageAction({ clusters, integrations, harbor, defaults: luban.kpack }),
          createArgoCdProjectAction(argoCd),
          createArgoCdAppAction(argoCd),
          createGitopsRepoAction({ git, branch }),
          createGitopsAppAction({ git, environments, registryHost: harbor?.registryHost, branch }),
          createDagsterInstanceAction({ clusters, environments }),
          createDagsterPlatformAction({ git, environments, branch, gateway: luban.gateway }),
          createDagsterLocationAction({ git, environments, branch }),
          createWebhookRegisterAction({ git, settings: luban.webhooks }),
        );
      },
    });
  },
});
