export { DigestChange } from './DigestChange';
export { OverlayDiff } from './OverlayDiff';
export { PreviewSection } from './PreviewSection';
export { PullRequestOutcome } from './PullRequestOutcome';
