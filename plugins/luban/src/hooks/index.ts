export { useLubanUpdates, FALLBACK_POLL_MS } from './useLubanUpdates';
