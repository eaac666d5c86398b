export { BuildReasons } from './BuildReasons';
export { CommitLink } from './CommitLink';
export { DigestWithCopy, shortDigest } from './DigestWithCopy';
export { backendMessage } from './errors';
export { formatDuration } from './formatDuration';
export { RelativeTime, formatRelativeTime } from './RelativeTime';
export { StatusChip, statusLabel, type LubanStatus } from './StatusChip';
export { useEntityTabLink, buildTabPath } from './useEntityTabLink';
