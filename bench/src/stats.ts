/** Latency figures of a series of timings, in milliseconds. */
export interface Timings {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** The value below which `p` of the sorted samples fall (nearest-rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: number[]): Timings {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1),
  };
}

/** Milliseconds with a sensible number of digits. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${Math.round(value)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function ratio(baseline: number, measured: number): string {
  if (!Number.isFinite(baseline) || !Number.isFinite(measured) || measured <= 0) return 'n/a';
  return `${(baseline / measured).toFixed(1)}×`;
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

/** Runs `fn` and returns how long it took, in ms, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Times `views` calls of `view`, one after the other, and summarizes them. */
export async function series(views: number, view: () => Promise<unknown>): Promise<Timings> {
  const samples: number[] = [];
  for (let i = 0; i < views; i++) {
    const started = performance.now();
    await view();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}
