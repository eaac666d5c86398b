export { lubanApiRef } from './LubanApi';
export type { LubanApi, LubanLogOptions } from './LubanApi';
export { LubanClient } from './LubanClient';
