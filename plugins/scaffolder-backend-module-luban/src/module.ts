import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  HarborClient,
  readKubernetesClusters,
  readLubanEnvironments,
  readRequestTimeoutMs,
} from '@luban-backstage/plugin-luban-node';
import { createHarborProjectAction } from './actions/harborProject';
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
        scaffolder.addActions(
          createValidateProjectAction({ environments }),
          createProjectNamespacesAction({
            clusters,
            environments,
            defaults: readNamespaceDefaults(config),
            requestTimeoutMs,
          }),
          createHarborProjectAction({
            harbor: HarborClient.fromConfig(config, { requestTimeoutMs }),
            clusters,
            environments,
            requestTimeoutMs,
          }),
        );
      },
    });
  },
});
