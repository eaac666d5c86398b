import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { LubanClient, lubanApiRef } from './api';
import { isLubanAvailable } from './utils';

/** Provides the LubanApi to the app, built on discovery and fetch. */
const lubanApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: lubanApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new LubanClient({ discoveryApi, fetchApi }),
    }),
});

/** The CI tab: kpack builds, their steps and live logs, Rebuild. */
const lubanBuildsContent = EntityContentBlueprint.make({
  name: 'builds',
  params: {
    path: 'ci',
    title: 'CI',
    group: 'development',
    filter: isLubanAvailable,
    loader: () =>
      import('./components/BuildsContent').then(m => <m.LubanBuildsContent />),
  },
});

/** The Delivery tab: what runs where, gates, Promote and Rollback. */
const lubanDeliveryContent = EntityContentBlueprint.make({
  name: 'delivery',
  params: {
    path: 'delivery',
    title: 'Delivery',
    group: 'deployment',
    filter: isLubanAvailable,
    loader: () =>
      import('./components/DeliveryContent').then(m => (
        <m.LubanDeliveryContent />
      )),
  },
});

/**
 * The project tab: the luban project and app, what the project owns on the
 * platform and its namespace per environment. Unnamed, so its id stays
 * `entity-content:luban` for the app-config that adopters already have.
 */
const lubanProjectContent = EntityContentBlueprint.make({
  params: {
    path: 'luban',
    title: 'Luban',
    group: 'deployment',
    filter: isLubanAvailable,
    loader: () =>
      import('./components/ProjectContent').then(m => <m.ProjectContent />),
  },
});

/** The environment matrix on the overview, linking to the Delivery tab. */
const lubanDeliveryCard = EntityCardBlueprint.make({
  name: 'delivery',
  params: {
    type: 'content',
    filter: isLubanAvailable,
    loader: () =>
      import('./components/DeliveryCard').then(m => <m.LubanDeliveryCard />),
  },
});

/**
 * The luban frontend plugin, for the new frontend system: the CI, Delivery
 * and project tabs, the delivery card on the overview, and the LubanApi.
 * @alpha
 */
const lubanPlugin = createFrontendPlugin({
  pluginId: 'luban',
  extensions: [
    lubanApi,
    lubanBuildsContent,
    lubanDeliveryContent,
    lubanProjectContent,
    lubanDeliveryCard,
  ],
});

export default lubanPlugin;
