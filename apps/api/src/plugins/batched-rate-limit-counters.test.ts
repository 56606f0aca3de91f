import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchedRateLimitCounters, type CountingRateLimitCounters } from './batched-rate-limit-counters.js';

/** One shared counter as the database keeps it (a window per key), counting the statements. */
function sharedCounter(now: () => number) {
  const windows = new Map<string, { hits: number; endsAt: number }>();
  const counter = {
    statements: 0,
    async hit(key: string, windowMs: number, count = 1) {
      counter.statements += 1;
      await Promise.resolve();
      const open = windows.get(key);
      const window =
        open === undefined || open.endsAt <= now() ? { hits: 0, endsAt: now() + windowMs } : open;
      window.hits += count;
      windows.set(key, window);
      return { hits: window.hits, ttlMs: window.endsAt - now() };
    },
    async read(key: string) {
      const open = windows.get(key);
      return open === undefined ? { hits: 0, ttlMs: 0 } : { hits: open.hits, ttlMs: open.endsAt - now() };
    },
    async sweep() {
      return 0;
    },
  };
  return counter satisfies CountingRateLimitCounters;
}

describe('BatchedRateLimitCounters', () => {
  it('hands out positions 1, 2, 3 … in order while claiming them in growing blocks: 100 requests, 12 statements', async () => {
    const shared = sharedCounter(() => 0);
    const counters = new BatchedRateLimitCounters(shared, { max: 600, now: () => 0 });
    const positions: number[] = [];
    for (let i = 0; i < 100; i++) positions.push((await counters.hit('k', 60_000)).hits);
    expect(positions).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Blocks of 1, 2, 4, 8, 16, 16, … : 1+2+4+8+16×6 = 111 ≥ 100 in 10 claims.
    expect(shared.statements).toBe(10);
  });

  it('gives requests arriving together distinct positions, with one claim at a time per key', async () => {
    const shared = sharedCounter(() => 0);
    const counters = new BatchedRateLimitCounters(shared, { max: 600, now: () => 0 });
    const positions = await Promise.all(Array.from({ length: 20 }, () => counters.hit('k', 60_000)));
    expect(positions.map((p) => p.hits).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('starts again at 1 when the window ends', async () => {
    let time = 0;
    const shared = sharedCounter(() => time);
    const counters = new BatchedRateLimitCounters(shared, { max: 600, now: () => time });
    for (let i = 0; i < 10; i++) await counters.hit('k', 1_000);
    time = 1_000;
    expect(await counters.hit('k', 1_000)).toEqual({ hits: 1, ttlMs: 1_000 });
  });

  it('two instances alternating allow exactly the budget: 60 of 70', async () => {
    const shared = sharedCounter(() => 0);
    const a = new BatchedRateLimitCounters(shared, { max: 60, now: () => 0 });
    const b = new BatchedRateLimitCounters(shared, { max: 60, now: () => 0 });
    const allowed: boolean[] = [];
    for (let i = 0; i < 70; i++) allowed.push((await (i % 2 === 0 ? a : b).hit('k', 60_000)).hits <= 60);
    expect(allowed.slice(0, 60).every(Boolean)).toBe(true);
    expect(allowed.slice(60).some(Boolean)).toBe(false);
  });

  it('never allows more than the budget across instances, and loses at most an eighth of it to unused blocks (property; replay with FC_SEED)', async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 600 }),
        async (max, pattern) => {
          const shared = sharedCounter(() => 0);
          const instances = [0, 1, 2].map(() => new BatchedRateLimitCounters(shared, { max, now: () => 0 }));
          let allowed = 0;
          for (const which of pattern)
            if ((await (instances[which] as BatchedRateLimitCounters).hit('k', 60_000)).hits <= max)
              allowed += 1;
          expect(allowed).toBeLessThanOrEqual(max);
          // Every request is allowed while the budget is far from spent.
          expect(allowed).toBeGreaterThanOrEqual(Math.min(pattern.length, max - Math.ceil((2 * max) / 8)));
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});
