import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
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

/** The Luban tab on the pages of entities that have a luban project. */
const lubanEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'luban',
    title: 'Luban',
    filter: isLubanAvailable,
    loader: () =>
      import('./components/LubanOverviewContent').then(m => (
        <m.LubanOverviewContent />
      )),
  },
});

/**
 * The luban frontend plugin, for the new frontend system.
 * @alpha
 */
const lubanPlugin = createFrontendPlugin({
  pluginId: 'luban',
  extensions: [lubanApi, lubanEntityContent],
});

export default lubanPlugin;
