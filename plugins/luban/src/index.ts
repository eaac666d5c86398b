/**
 * The luban frontend plugin for Backstage: an entity tab that shows an
 * entity's luban project, app and namespaces.
 *
 * @packageDocumentation
 */

export { lubanPlugin, EntityLubanContent } from './plugin';
export { LubanClient, lubanApiRef } from './api';
export type { LubanApi } from './api';
export { isLubanAvailable } from './utils';
export type {
  LubanEnvironment,
  LubanHealth,
} from '@luban-backstage/plugin-luban-common';
