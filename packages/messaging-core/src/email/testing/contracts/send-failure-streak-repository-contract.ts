import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendFailureAlertPolicy } from '../../model/send-failure-streaks.js';
import type { SendFailureStreakRepository } from '../../ports/send-failure-streak-repository.js';

/** Reads stored streaks directly (SQL for a database, the map in memory). */
export interface SendFailureStreakRawReader {
  /** The store's streak: its failure times (oldest first) and whether it alerted; null when none. */
  streak(storeId: string): Promise<{ failureTimes: Date[]; alerted: boolean } | null>;
}

export interface SendFailureStreakRepositoryContractTarget {
  /** A repository over empty storage. */
  readonly streaks: SendFailureStreakRepository;
  readonly raw: SendFailureStreakRawReader;
  /**
   * A second repository over the same storage (another process's view), when the adapter has
   * one; the in-memory adapter shares its instance.
   */
  readonly second?: SendFailureStreakRepository;
  readonly teardown?: () => Promise<void>;
}

export interface SendFailureStreakRepositoryContractOptions {
  readonly name: string;
  readonly setup: () => Promise<SendFailureStreakRepositoryContractTarget>;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const HOUR: SendFailureAlertPolicy = { threshold: 3, windowMs: 3_600_000 };

/**
 * The behaviour every `SendFailureStreakRepository` adapter must show: the sliding window, one
 * alert per streak (also under concurrent failures), a success ending the streak; writes checked
 * through the raw reader.
 *
 * @example
 * ```ts
 * sendFailureStreakRepositoryContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function sendFailureStreakRepositoryContract(
  options: SendFailureStreakRepositoryContractOptions,
): void {
  describe(`SendFailureStreakRepository contract: ${options.name}`, () => {
    let target: SendFailureStreakRepositoryContractTarget;
    let streaks: SendFailureStreakRepository;
    beforeEach(async () => {
      target = await options.setup();
      streaks = target.streaks;
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('alerts once when the threshold is reached, keeps the latest failures, and is per store', async () => {
      const updates = [];
      for (const s of [0, 1, 2, 3, 4]) updates.push(await streaks.recordFailure('acme', at(s), HOUR));
      expect(updates).toEqual([
        { failures: 1, alert: false },
        { failures: 2, alert: false },
        { failures: 3, alert: true },
        { failures: 3, alert: false },
        { failures: 3, alert: false },
      ]);
      expect(await target.raw.streak('acme')).toEqual({ failureTimes: [at(2), at(3), at(4)], alerted: true });
      expect(await streaks.recordFailure('other', at(5), HOUR)).toEqual({ failures: 1, alert: false });
      expect(await target.raw.streak('other')).toEqual({ failureTimes: [at(5)], alerted: false });
    });

    it('a success ends the streak: deleted, and the next threshold failures alert again', async () => {
      for (const s of [0, 1, 2]) await streaks.recordFailure('acme', at(s), HOUR);
      await streaks.recordFailure('other', at(2), HOUR);
      await streaks.recordSuccess('acme');
      expect(await target.raw.streak('acme')).toBeNull();
      expect(await target.raw.streak('other')).not.toBeNull();
      await streaks.recordSuccess('never-failed');
      const alerts = [];
      for (const s of [6, 7, 8]) alerts.push((await streaks.recordFailure('acme', at(s), HOUR)).alert);
      expect(alerts).toEqual([false, false, true]);
    });

    it('drops failures older than the window before the new one (a sliding window)', async () => {
      const minute = { threshold: 3, windowMs: 60_000 };
      expect(await streaks.recordFailure('acme', at(0), minute)).toEqual({ failures: 1, alert: false });
      expect(await streaks.recordFailure('acme', at(50), minute)).toEqual({ failures: 2, alert: false });
      // 70 s: the failure at 0 is out of the window; 50 and 70 remain.
      expect(await streaks.recordFailure('acme', at(70), minute)).toEqual({ failures: 2, alert: false });
      expect(await streaks.recordFailure('acme', at(110), minute)).toEqual({ failures: 3, alert: true });
      expect(await target.raw.streak('acme')).toEqual({
        failureTimes: [at(50), at(70), at(110)],
        alerted: true,
      });
      // Exactly at the window's edge still counts.
      const two = { threshold: 2, windowMs: 60_000 };
      await streaks.recordFailure('edge', at(0), two);
      expect(await streaks.recordFailure('edge', at(60), two)).toEqual({ failures: 2, alert: true });
    });

    it('a threshold of 1 alerts on the first failure', async () => {
      expect(await streaks.recordFailure('acme', at(0), { threshold: 1, windowMs: 1000 })).toEqual({
        failures: 1,
        alert: true,
      });
      expect(await streaks.recordFailure('acme', at(1), { threshold: 1, windowMs: 1000 })).toEqual({
        failures: 1,
        alert: false,
      });
    });

    it('concurrent failures (through two repositories when the adapter has them) alert exactly once', async () => {
      const second = target.second ?? streaks;
      const updates = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? streaks : second).recordFailure('acme', at(i), HOUR),
        ),
      );
      expect(updates.filter((u) => u.alert)).toHaveLength(1);
      expect(Math.max(...updates.map((u) => u.failures))).toBe(3);
      const stored = await target.raw.streak('acme');
      expect(stored?.alerted).toBe(true);
      expect(stored?.failureTimes).toHaveLength(3);
    });
  });
}
