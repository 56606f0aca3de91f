import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff-delay.js';

describe('backoffDelay', () => {
  it('grows the cap exponentially up to maxMs, the delay a jittered fraction of it', () => {
    const options = { initialMs: 500, maxMs: 30_000, factor: 2 };
    const almostOne = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, options, almostOne))).toEqual([
      499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999,
    ]);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });

  it('stays within [0, cap) for any random value, even out-of-range ones, and any attempt', () => {
    for (const attempt of [0, 1, 5, 60, 1_000, -3])
      for (const r of [0, 0.25, 0.999, 1, 1.5, -1]) {
        const delay = backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 }, () => r);
        const cap = Math.min(5_000, 100 * 2 ** Math.max(attempt, 0));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(cap);
        expect(Number.isInteger(delay)).toBe(true);
      }
  });

  it('uses full jitter: different random values spread over the whole range', () => {
    const delays = [0.1, 0.3, 0.5, 0.7, 0.9].map((r) => backoffDelay(4, {}, () => r));
    expect(delays).toEqual([800, 2400, 4000, 5600, 7200]);
  });
});
