/** When a store's failed sends become an admin notification. */
export interface SendFailureAlertPolicy {
  /** Consecutive failed sends that raise it (at least 1). */
  readonly threshold: number;
  /** The failures must fall within this many milliseconds. */
  readonly windowMs: number;
}

/** Throws a `RangeError` for a threshold below 1 or a window that is not a positive duration. */
export function assertSendFailureAlertPolicy(policy: SendFailureAlertPolicy): void {
  if (!Number.isInteger(policy.threshold) || policy.threshold < 1)
    throw new RangeError('threshold must be a positive integer');
  if (!Number.isFinite(policy.windowMs) || policy.windowMs <= 0)
    throw new RangeError('windowMs must be a positive number of milliseconds');
}

/**
 * The rule every `SendFailureStreakRepository` applies when a failure at `at` joins a streak:
 * failures older than the window before `at` drop out, and only the latest `threshold` are kept
 * (oldest first). The streak alerts once it holds `threshold` failures.
 *
 * @example
 * ```ts
 * keepRecentFailures([t0, t1], t2, { threshold: 3, windowMs: 3_600_000 }); // [t0, t1, t2]: alerts
 * ```
 */
export function keepRecentFailures(
  failures: readonly Date[],
  at: Date,
  policy: SendFailureAlertPolicy,
): Date[] {
  const cutoff = at.getTime() - policy.windowMs;
  return [...failures, at]
    .filter((t) => t.getTime() >= cutoff)
    .sort((a, b) => a.getTime() - b.getTime())
    .slice(-policy.threshold)
    .map((t) => new Date(t));
}
