/** When a store's failed sends become an admin notification. */
export interface SendFailureAlertPolicy {
  /** Consecutive failed sends that raise it (at least 1). */
  readonly threshold: number;
  /** The failures must fall within this many milliseconds. */
  readonly windowMs: number;
}

interface Streak {
  /** Times of the latest failures (at most `threshold`), oldest first. */
  failures: number[];
  alerted: boolean;
}

/**
 * Counts consecutive failed sends per store, in this process: `recordFailure` answers true once
 * per streak — when `threshold` failures fall within the window — and a success ends the streak.
 *
 * @example
 * ```ts
 * const streaks = new SendFailureStreaks({ threshold: 3, windowMs: 3_600_000 });
 * streaks.recordFailure('acme', now); // false, false, then true; later failures false
 * streaks.recordSuccess('acme');      // the next 3 failures raise again
 * ```
 */
export class SendFailureStreaks {
  readonly #policy: SendFailureAlertPolicy;
  readonly #streaks = new Map<string, Streak>();

  constructor(policy: SendFailureAlertPolicy) {
    if (!Number.isInteger(policy.threshold) || policy.threshold < 1)
      throw new RangeError('threshold must be a positive integer');
    this.#policy = policy;
  }

  /** Records a failed send; true when this failure completes an alerting streak. */
  recordFailure(storeId: string, at: Date): boolean {
    let streak = this.#streaks.get(storeId);
    if (!streak) {
      streak = { failures: [], alerted: false };
      this.#streaks.set(storeId, streak);
    }
    const now = at.getTime();
    streak.failures.push(now);
    streak.failures = streak.failures
      .filter((t) => now - t <= this.#policy.windowMs)
      .slice(-this.#policy.threshold);
    if (streak.alerted || streak.failures.length < this.#policy.threshold) return false;
    streak.alerted = true;
    return true;
  }

  /** Records a successful send: the store's streak ends. */
  recordSuccess(storeId: string): void {
    this.#streaks.delete(storeId);
  }

  /** Consecutive failures counted for the store within the window (for tests and diagnostics). */
  failures(storeId: string): number {
    return this.#streaks.get(storeId)?.failures.length ?? 0;
  }
}
