import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { GitProviders, HarborClient, LubanClusters, readLubanConfig, requiredApprovalsOfBranch } from '@luban-backstage/plugin-luban-node';
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
import { ProjectGuard } from './actions/projectGuard';
import { GitReadCredentials } from './provisioning/gitReadSecrets';

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
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        scaffolder: scaffolderActionsExtensionPoint,
      },
      async init({ config, userInfo, permissions, scaffolder }) {
        const luban = readLubanConfig(config);
        const { environments, requestTimeoutMs } = luban;
        const branch = luban.gitops.branch;
        const integrations = ScmIntegrations.fromConfig(config);
        const gitRead = GitReadCredentials.fromConfig(config, integrations);
        const harbor = HarborClient.fromConfig(config, { requestTimeoutMs });
        const git = GitProviders.fromConfig(config, { requestTimeoutMs });
        const clusters = LubanClusters.fromConfig(config, { requestTimeoutMs });
        // Every action that changes a project checks its user against the project record first.
        const guard = new ProjectGuard({ userInfo, permissions, clusters });
        const argoCd = { clusters, integrations, gitRead, environments, settings: { ...luban.argocd, branch }, guard };
        scaffolder.addActions(
          createValidateProjectAction({ environments, integrations, guard }),
          createProjectNamespacesAction({ clusters, environments, defaults: luban.namespaces, guard }),
          createHarborProjectAction({ harbor, clusters, environments, guard }),
          createKpackImageAction({ clusters, integrations, gitRead, harbor, defaults: luban.kpack, guard }),
          createArgoCdProjectAction(argoCd),
          createArgoCdAppAction(argoCd),
          createGitopsRepoAction({ git, branch, guard, requiredApprovals: requiredApprovalsOfBranch(environments) }),
          createGitopsAppAction({ git, environments, registryHost: harbor?.registryHost, branch, gateway: luban.gateway, guard }),
          createDagsterInstanceAction({ clusters, environments, guard }),
          createDagsterPlatformAction({ git, environments, branch, gateway: luban.gateway, guard }),
          createDagsterLocationAction({ git, environments, branch, guard }),
          createWebhookRegisterAction({ git, settings: luban.webhooks }),
        );
      },
    });
  },
});
