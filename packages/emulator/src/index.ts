/**
 * A local, wire-faithful emulator of the platform luban drives: the
 * Kubernetes API (with kpack and Argo CD resources), Harbor, GitHub and
 * Azure DevOps. Used by `scripts/start` and by every test suite; production
 * code never imports it.
 *
 * @packageDocumentation
 */

export { startEmulator, HARBOR_ADMIN_USERNAME, AZURE_DEVOPS_ORGANIZATION } from './server';
export { trustEmulatorCertificate } from './tls';
export type { EmulatorOptions, RunningEmulator } from './server';
export { RequestLog, FaultInjector } from './controls';
export type { EmulatedSystem, FaultRule, RequestRecord } from './controls';
export type { KubeObject, KubeStore } from './kubernetes/state';
export { GitRepositories, ZERO_SHA, RefConflictError } from './git/GitRepositories';
export type { CommitInfo, FileChange, RefUpdate } from './git/GitRepositories';
export { HarborApi, HARBOR_VERSION } from './harbor/HarborApi';
export type {
  HarborApiOptions,
  PushArtifactInput,
  PushedArtifact,
  VulnerabilityCounts,
} from './harbor/HarborApi';
export type { DeliveryRecord } from './azure/hooks';
export { seedDemo, DEMO, DEMO_PROJECTS, type DemoProject, type LubanWebhook, type SeedDemoOptions } from './seed';
