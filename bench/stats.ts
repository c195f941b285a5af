/** Small statistics for timings: nearest-rank percentiles over a handful to a few hundred samples. */

export interface Timing {
  /** How many samples. */
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** The nearest-rank percentile (p in 0–100) of the samples: an observed value, never an interpolation. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function timing(samples: readonly number[]): Timing {
  return {
    n: samples.length,
    median: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}

/** Milliseconds to three decimals: finer than any timer here is worth. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Times an async function once, in milliseconds. */
export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}
