import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { readLubanEnvironments } from '@luban-backstage/plugin-luban-node';
import { createRouter } from './service/router';
import { createHealthService } from './service/HealthService';

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
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, httpRouter }) {
        const health = createHealthService({
          environments: readLubanEnvironments(config),
        });
        httpRouter.use(await createRouter({ health }));
        // Probes and the status page read health without a Backstage token.
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
