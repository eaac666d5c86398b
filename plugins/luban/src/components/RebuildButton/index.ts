export { RebuildButton } from './RebuildButton';
