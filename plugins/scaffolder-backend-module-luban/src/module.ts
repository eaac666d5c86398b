import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { readLubanEnvironments } from '@luban-backstage/plugin-luban-node';
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
        const environments = readLubanEnvironments(config);
        scaffolder.addActions(createValidateProjectAction({ environments }));
      },
    });
  },
});
