export { LubanInsightsCard } from './LubanInsightsCard';
export { LubanProjectInsightsContent } from './LubanProjectInsightsContent';
