/**
 * The luban frontend plugin for Backstage: the CI tab (kpack builds with live
 * logs and Rebuild), the Delivery tab and card (what runs in each
 * environment, gates, Promote and Rollback through GitOps pull requests),
 * and delivery insights of an app and of a project.
 *
 * @packageDocumentation
 */

export {
  lubanPlugin,
  EntityLubanBuildsContent,
  EntityLubanDeliveryCard,
  EntityLubanDeliveryContent,
  EntityLubanInsightsCard,
  EntityLubanContent,
  EntityLubanProjectContent,
  EntityLubanProjectInsightsContent,
} from './plugin';
export {
  LubanNameFieldExtension,
  LubanRepoUrlPickerFieldExtension,
} from './scaffolderFields';
export { LubanClient, lubanApiRef } from './api';
export type { LubanApi, LubanLogOptions } from './api';
export { isLubanAppAvailable, isLubanAvailable } from './utils';
export type { LubanDeliveryCardProps } from './components/DeliveryCard';
export type {
  LubanEnvironment,
  LubanHealth,
  LubanProjectView,
} from '@luban-backstage/plugin-luban-common';
