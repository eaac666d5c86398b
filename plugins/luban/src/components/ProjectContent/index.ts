export { ProjectContent } from './ProjectContent';
