/** The Delivery tab's search parameter that opens the trace of a digest. */
export const TRACE_PARAM = 'trace';

/** The path of a digest's trace in the Delivery tab, which opens the trace named by `?trace=`. */
export function traceTabPath(digest: string): string {
  return `delivery?${TRACE_PARAM}=${encodeURIComponent(digest)}`;
}
