export { isLubanAvailable } from './isLubanAvailable';
