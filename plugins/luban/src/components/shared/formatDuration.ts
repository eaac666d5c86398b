/**
 * A duration as people read it in build lists: `42s`, `1m 05s`, `1h 02m`.
 * Fractions are rounded and negative values (clock skew) count as zero.
 *
 * @public
 */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) {
    return `${hours}h ${twoDigits(minutes)}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${twoDigits(rest)}s`;
  }
  return `${rest}s`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}
