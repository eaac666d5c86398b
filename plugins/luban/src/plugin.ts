import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { LubanClient, lubanApiRef } from './api';
import type { LubanDeliveryCardProps } from './components/DeliveryCard';

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
 * The CI tab (kpack builds, steps, live logs, Rebuild), for the legacy
 * frontend system. Mount it at `/ci` of the entity page, gated with
 * {@link isLubanAppAvailable}.
 * @public
 */
export const EntityLubanBuildsContent: () => JSX.Element = lubanPlugin.provide(
  createComponentExtension({
    name: 'EntityLubanBuildsContent',
    component: {
      lazy: () =>
        import('./components/BuildsContent').then(m => m.LubanBuildsContent),
    },
  }),
);

/**
 * The Delivery tab (environment matrix, gates, Promote, Rollback), for the
 * legacy frontend system. Mount it at `/delivery` of the entity page (gated
 * with {@link isLubanAppAvailable}): the delivery card links there.
 * @public
 */
export const EntityLubanDeliveryContent: () => JSX.Element =
  lubanPlugin.provide(
    createComponentExtension({
      name: 'EntityLubanDeliveryContent',
      component: {
        lazy: () =>
          import('./components/DeliveryContent').then(
            m => m.LubanDeliveryContent,
          ),
      },
    }),
  );

/**
 * The environment matrix as an overview card, for the legacy frontend system.
 * @public
 */
export const EntityLubanDeliveryCard: (
  props: LubanDeliveryCardProps,
) => JSX.Element = lubanPlugin.provide(
  createComponentExtension({
    name: 'EntityLubanDeliveryCard',
    component: {
      lazy: () =>
        import('./components/DeliveryCard').then(m => m.LubanDeliveryCard),
    },
  }),
);

/**
 * The Project tab (the entity's luban project, its app, what the project
 * owns on the platform, its namespace per environment and, on the project's
 * System, its apps in each environment), for the legacy frontend system;
 * gate it with {@link isLubanAvailable}.
 * @public
 */
export const EntityLubanProjectContent: () => JSX.Element = lubanPlugin.provide(
  createComponentExtension({
    name: 'EntityLubanProjectContent',
    component: {
      lazy: () =>
        import('./components/ProjectContent').then(m => m.ProjectContent),
    },
  }),
);

/**
 * Delivery insights of a luban app as an overview card (deploys per week,
 * lead time, change failure rate and time to restore per environment, and
 * the builds, a chart each), for the legacy frontend system; gate it with
 * {@link isLubanAppAvailable}.
 * @public
 */
export const EntityLubanInsightsCard: () => JSX.Element = lubanPlugin.provide(
  createComponentExtension({
    name: 'EntityLubanInsightsCard',
    component: {
      lazy: () =>
        import('./components/Insights').then(m => m.LubanInsightsCard),
    },
  }),
);

/**
 * The Insights tab of a luban project's System (its apps' delivery insights
 * together), for the legacy frontend system; mount it on the System page,
 * gated with {@link isLubanAvailable}.
 * @public
 */
export const EntityLubanProjectInsightsContent: () => JSX.Element =
  lubanPlugin.provide(
    createComponentExtension({
      name: 'EntityLubanProjectInsightsContent',
      component: {
        lazy: () =>
          import('./components/Insights').then(
            m => m.LubanProjectInsightsContent,
          ),
      },
    }),
  );

/**
 * The project tab under its former name.
 * @public
 * @deprecated Use {@link EntityLubanProjectContent}.
 */
export const EntityLubanContent: () => JSX.Element = EntityLubanProjectContent;
