import { keepRecentFailures, type SendFailureAlertPolicy } from '../model/send-failure-streaks.js';
import type {
  SendFailureStreakRepository,
  SendFailureStreakUpdate,
} from '../ports/send-failure-streak-repository.js';

/** One store's streak as stored. */
export interface StoredSendFailureStreak {
  /** Oldest first. */
  readonly failureTimes: Date[];
  readonly alerted: boolean;
}

/**
 * Send failure streaks in a map: shared only by the cores handed this instance (one process).
 * `rows` is the raw storage the contract suite reads.
 *
 * @example
 * ```ts
 * const streaks = new InMemorySendFailureStreakRepository();
 * createEmailCore({ …, sendFailureAlert: { threshold: 3, windowMs: 3_600_000, streaks } });
 * ```
 */
export class InMemorySendFailureStreakRepository implements SendFailureStreakRepository {
  readonly rows = new Map<string, StoredSendFailureStreak>();

  async recordFailure(
    storeId: string,
    at: Date,
    policy: SendFailureAlertPolicy,
  ): Promise<SendFailureStreakUpdate> {
    const current = this.rows.get(storeId);
    const failureTimes = keepRecentFailures(current?.failureTimes ?? [], at, policy);
    const alert = !current?.alerted && failureTimes.length >= policy.threshold;
    this.rows.set(storeId, { failureTimes, alerted: (current?.alerted ?? false) || alert });
    return { failures: failureTimes.length, alert };
  }

  async recordSuccess(storeId: string): Promise<void> {
    this.rows.delete(storeId);
  }
}
