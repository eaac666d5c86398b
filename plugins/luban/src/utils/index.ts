export {
  isLubanAppAvailable,
  isLubanAvailable,
  missingLubanAnnotations,
} from './isLubanAvailable';
export type { LubanEntityNeed } from './isLubanAvailable';
