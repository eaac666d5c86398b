/**
 * Scaffolder actions that provision a luban project.
 *
 * @packageDocumentation
 */

export { scaffolderModuleLuban as default } from './module';
