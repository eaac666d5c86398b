export { BuildDetails, defaultLogStep } from './BuildDetails';
export { ALL_STEPS } from './BuildLog';
