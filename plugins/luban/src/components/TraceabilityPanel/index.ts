export { TraceabilityPanel } from './TraceabilityPanel';
export type { TraceabilityPanelProps } from './TraceabilityPanel';
