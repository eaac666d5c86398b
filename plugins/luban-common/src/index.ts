/**
 * Annotations, naming rules, shared types and permissions of the luban
 * plugins for Backstage.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './digest';
export * from './naming';
export * from './permissions';
export * from './types';
export * from './api';
export * from './insights';
export * from './releaseTags';
export * from './release';
export * from './previews';
