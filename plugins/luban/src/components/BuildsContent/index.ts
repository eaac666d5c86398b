export { LubanBuildsContent } from './LubanBuildsContent';
