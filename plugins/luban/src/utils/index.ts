export { isLubanAvailable, missingLubanAnnotations } from './isLubanAvailable';
export type { LubanEntityNeed } from './isLubanAvailable';
