import type { SendFailureAlertPolicy } from '../model/send-failure-streaks.js';

/** What recording one failed send did to its store's streak. */
export interface SendFailureStreakUpdate {
  /** Failures the streak holds within the window, this one included (at most the threshold). */
  readonly failures: number;
  /**
   * True for exactly one failure per streak — the one that brought it to the threshold — however
   * many processes record failures of the store at once.
   */
  readonly alert: boolean;
}

/**
 * Each store's streak of failed sends, shared by every process that sends (API instances,
 * workers), so "one alert per streak" holds across them.
 *
 * @example
 * ```ts
 * const { alert } = await streaks.recordFailure('acme', now, { threshold: 5, windowMs: 3_600_000 });
 * if (alert) await raiseAdminNotification({ … });
 * await streaks.recordSuccess('acme'); // a sent email ends the streak
 * ```
 */
export interface SendFailureStreakRepository {
  /**
   * Adds a failure at `at` to the store's streak in one atomic step: failures older than
   * `policy.windowMs` before `at` drop out, only the latest `policy.threshold` are kept (see
   * `keepRecentFailures`), and when they reach the threshold on a streak that has not alerted
   * yet, the streak is marked alerted and this call answers `alert: true`. Writes the store's
   * streak (creating it on its first failure).
   */
  recordFailure(storeId: string, at: Date, policy: SendFailureAlertPolicy): Promise<SendFailureStreakUpdate>;

  /** Ends the store's streak (a send succeeded): deletes it, so the next failures start over. */
  recordSuccess(storeId: string): Promise<void>;
}
