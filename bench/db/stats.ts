import { performance } from 'node:perf_hooks';

/** Latency summary of one operation, in milliseconds. */
export interface LatencyStats {
  readonly iterations: number;
  readonly warmup: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(samples: Float64Array, warmup: number): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    iterations: sorted.length,
    warmup,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** `1.234` → `"1.23"`; NaN → `"–"`. */
export function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * Like `measure`, for the same operation on several data sets at once: each iteration runs every
 * `runs[k](i)` in turn (tenth, full, tenth, full…), so load from elsewhere on the machine falls on
 * every data set alike and their ratio stays meaningful. Still one call at a time.
 */
export async function measureInterleaved(
  runs: readonly ((i: number) => Promise<unknown>)[],
  warmup: number,
  iterations: number,
): Promise<LatencyStats[]> {
  for (let i = 0; i < warmup; i++) for (const run of runs) await run(i);
  const samples = runs.map(() => new Float64Array(iterations));
  for (let i = 0; i < iterations; i++) {
    for (const [k, run] of runs.entries()) {
      const started = performance.now();
      await run(warmup + i);
      const elapsed = performance.now() - started;
      const target = samples[k];
      if (target !== undefined) target[i] = elapsed;
    }
  }
  return samples.map((s) => summarize(s, warmup));
}
