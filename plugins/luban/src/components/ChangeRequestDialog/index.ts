export { ChangeRequestDialog } from './ChangeRequestDialog';
export type { ChangeRequestState } from './ChangeRequestDialog';
