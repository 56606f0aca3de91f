/** How reconnect delays grow: exponential from `initialMs`, capped at `maxMs`, with full jitter. */
export interface BackoffOptions {
  /** The cap of the first retry's delay (default 500 ms). */
  readonly initialMs?: number;
  /** The largest cap any retry's delay has (default 30 s). */
  readonly maxMs?: number;
  /** Growth of the cap per attempt (default 2). */
  readonly factor?: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): a uniformly random value in
 * `[0, min(maxMs, initialMs × factor^attempt))` — "full jitter", so thousands of clients dropped
 * by one restart do not all come back in the same millisecond. `random` returns `[0, 1)`
 * (`Math.random` by default; tests pass their own).
 *
 * @example
 * ```ts
 * backoffDelay(3, { initialMs: 500, maxMs: 30_000 }, () => 0.5); // 2000: half of the 4000 ms cap
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initialMs = options.initialMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  // Exponents past ~60 overflow to Infinity, which min() caps anyway; clamp to keep it finite.
  const cap = Math.min(maxMs, initialMs * factor ** Math.min(Math.max(attempt, 0), 64));
  return Math.floor(Math.min(Math.max(random(), 0), 1 - Number.EPSILON) * cap);
}
