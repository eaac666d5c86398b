export { LubanOverviewContent } from './LubanOverviewContent';
