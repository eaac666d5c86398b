export { LubanDeliveryCard } from './LubanDeliveryCard';
export type { LubanDeliveryCardProps } from './LubanDeliveryCard';
