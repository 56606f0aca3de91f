import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { KyselyRateLimitCounters } from './kysely-rate-limit-counters.js';

/** A clock the test moves by hand: windows end exactly when it says. */
function manualClock(start = Date.parse('2026-01-05T10:00:00Z')) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe.each(['auto', 'pglite'] as const)('KyselyRateLimitCounters (%s)', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ target });
  });
  afterAll(() => database.destroy());
  beforeEach(() => database.truncate());

  it('counts hits per key within a window and starts a new window once it has ended', async () => {
    const clock = manualClock();
    const counters = new KyselyRateLimitCounters({ db: database.db, clock });
    expect(await counters.hit('a', 1_000)).toEqual({ hits: 1, ttlMs: 1_000 });
    clock.advance(400);
    expect(await counters.hit('a', 1_000)).toEqual({ hits: 2, ttlMs: 600 });
    expect(await counters.hit('b', 1_000)).toEqual({ hits: 1, ttlMs: 1_000 });
    expect(await counters.read('a')).toEqual({ hits: 2, ttlMs: 600 });
    clock.advance(600);
    // The window ended at this very instant: the next hit opens a fresh one.
    expect(await counters.read('a')).toEqual({ hits: 0, ttlMs: 0 });
    expect(await counters.hit('a', 1_000)).toEqual({ hits: 1, ttlMs: 1_000 });
  });

  it('sweeps only counters whose window has ended', async () => {
    const clock = manualClock();
    const counters = new KyselyRateLimitCounters({ db: database.db, clock });
    await counters.hit('short', 100);
    await counters.hit('long', 10_000);
    clock.advance(100);
    expect(await counters.sweep()).toBe(1);
    const keys = await database.db.selectFrom('rate_limit_counters').select('key').execute();
    expect(keys.map((row) => row.key)).toEqual(['long']);
    expect(await counters.read('long')).toEqual({ hits: 1, ttlMs: 9_900 });
  });

  it('loses no hit when many land at once, from one pool or two (two instances)', async () => {
    const clock = manualClock();
    const other = database.connectAgain();
    try {
      const pools = [database.db, other?.db ?? database.db];
      const counters = pools.map((db) => new KyselyRateLimitCounters({ db, clock }));
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => counters[i % 2]?.hit('shared', 60_000)),
      );
      const seen = results.map((r) => r?.hits).sort((x = 0, y = 0) => x - y);
      // Every hit got its own number: the upsert is atomic.
      expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect((await counters[0]?.read('shared'))?.hits).toBe(40);
    } finally {
      await other?.destroy();
    }
  });
});
