export { PreviewsCard, previewsEnabled } from './PreviewsCard';
