import type { Entity } from '@backstage/catalog-model';
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
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { LubanClient, lubanApiRef } from './api';
import { isLubanAppAvailable, isLubanAvailable } from './utils';

/** A luban project's own page: its System (the Insights tab adds up its apps). */
const isLubanProjectSystem = (entity: Entity) =>
  isLubanAvailable(entity) &&
  entity.kind.toLocaleLowerCase('en-US') === 'system';

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
    // No group: a top-level tab named CI, where the README and a newcomer
    // look for it, not an entry of a "Development" dropdown.
    filter: isLubanAppAvailable,
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
    filter: isLubanAppAvailable,
    loader: () =>
      import('./components/DeliveryContent').then(m => (
        <m.LubanDeliveryContent />
      )),
  },
});

/**
 * The Project tab: the luban project and app, what the project owns on the
 * platform, its namespace per environment and, on the project's System, its
 * apps in each environment. Unnamed, so its id stays `entity-content:luban`
 * for the app-config that adopters already have; its path stays `luban` so
 * that links people saved keep working.
 */
const lubanProjectContent = EntityContentBlueprint.make({
  params: {
    path: 'luban',
    title: 'Project',
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
    filter: isLubanAppAvailable,
    loader: () =>
      import('./components/DeliveryCard').then(m => <m.LubanDeliveryCard />),
  },
});

/** Delivery insights of an app on the overview: DORA measures per environment and builds, a chart each. */
const lubanInsightsCard = EntityCardBlueprint.make({
  name: 'insights',
  params: {
    type: 'content',
    filter: isLubanAppAvailable,
    loader: () =>
      import('./components/Insights').then(m => <m.LubanInsightsCard />),
  },
});

/** The Insights tab of a project's System: its apps' delivery insights together. */
const lubanProjectInsightsContent = EntityContentBlueprint.make({
  name: 'project-insights',
  params: {
    path: 'insights',
    title: 'Insights',
    filter: isLubanProjectSystem,
    loader: () =>
      import('./components/Insights').then(m => (
        <m.LubanProjectInsightsContent />
      )),
  },
});

/**
 * The Create page's project or app name: the naming rule in words, a name
 * the catalog has refused with a link to it (`ui:field: LubanNameField`).
 */
const lubanNameFormField = FormFieldBlueprint.make({
  name: 'name',
  params: {
    field: () =>
      import('./components/formFields').then(m => m.lubanNameFormField),
  },
});

/** The repository picker prefilled by the naming convention (`ui:field: LubanRepoUrlPicker`). */
const lubanRepoUrlFormField = FormFieldBlueprint.make({
  name: 'repo-url',
  params: {
    field: () =>
      import('./components/formFields').then(m => m.lubanRepoUrlFormField),
  },
});

/**
 * The luban frontend plugin, for the new frontend system: the CI, Delivery
 * and project tabs, the delivery and insights cards on the overview, the
 * project's Insights tab, the LubanApi, and the Create page's name field and
 * repository picker.
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
    lubanInsightsCard,
    lubanProjectInsightsContent,
    lubanNameFormField,
    lubanRepoUrlFormField,
  ],
});

export default lubanPlugin;
