/**
 * A local, wire-faithful emulator of the platform luban drives: the
 * Kubernetes API (with kpack and Argo CD resources), Harbor, GitHub and
 * Azure DevOps. Used by `scripts/start` and by every test suite; production
 * code never imports it.
 *
 * @packageDocumentation
 */

export { startEmulator } from './server';
export type { EmulatorOptions, RunningEmulator } from './server';
export { RequestLog, FaultInjector } from './controls';
export type { EmulatedSystem, FaultRule, RequestRecord } from './controls';
export type { KubeObject, KubeStore } from './kubernetes/store';
