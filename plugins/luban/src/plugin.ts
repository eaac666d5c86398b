import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { LubanClient, lubanApiRef } from './api';

/**
 * The luban frontend plugin, for the legacy frontend system.
 * @public
 */
export const lubanPlugin = createPlugin({
  id: 'luban',
  apis: [
    createApiFactory({
      api: lubanApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new LubanClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The Luban entity tab, for the legacy frontend system; gate it with
 * {@link isLubanAvailable}.
 * @public
 */
export const EntityLubanContent = lubanPlugin.provide(
  createComponentExtension({
    name: 'EntityLubanContent',
    component: {
      lazy: () =>
        import('./components/LubanOverviewContent').then(
          m => m.LubanOverviewContent,
        ),
    },
  }),
);
