export { ReleaseCard } from './ReleaseCard';
export { ReleaseDialog, type ReleaseDialogProps } from './ReleaseDialog';
