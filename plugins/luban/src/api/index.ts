export { lubanApiRef } from './LubanApi';
export type { LubanApi } from './LubanApi';
export { LubanClient } from './LubanClient';
