/**
 * Provider clients (Kubernetes, Harbor, GitHub, Azure DevOps), configuration
 * and GitOps edits shared by the luban backend plugins.
 *
 * @packageDocumentation
 */

export { readLubanEnvironments, DEFAULT_ENVIRONMENTS } from './config/environments';
