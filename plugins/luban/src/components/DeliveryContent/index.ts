export { LubanDeliveryContent } from './LubanDeliveryContent';
