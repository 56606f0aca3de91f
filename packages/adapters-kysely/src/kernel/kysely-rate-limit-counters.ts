import { type Clock, systemClock } from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database-types.js';

export interface KyselyRateLimitCountersConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /** Dates the windows (default: the wall clock). Instances should agree on time (NTP). */
  readonly clock?: Clock;
}

/** A caller's count in its current window, after a hit (or as read). */
export interface RateLimitCount {
  /** Hits in the current window, this one included; 0 when no window is open. */
  readonly hits: number;
  /** Milliseconds until the window ends; 0 when no window is open. */
  readonly ttlMs: number;
}

/** Largest value the `integer` column holds: a flood past it stays at it. */
const MAX_HITS = 2_147_483_647;

/**
 * Request budgets in PostgreSQL or PGlite (`rate_limit_counters`, migration
 * `0029_rate_limit_counters`), so every API instance on one database spends one budget per caller
 * instead of one each. A fixed window per key, as `@fastify/rate-limit`'s own stores count.
 *
 * Side effects: `hit` writes one row per key (one `insert … on conflict (key) do update`
 * statement: it counts into the live window, or starts a new one when the stored window has
 * ended, atomically — concurrent hits serialize on the primary key and none is lost); `sweep`
 * deletes rows whose window has ended. `read` writes nothing.
 *
 * @example
 * ```ts
 * const counters = new KyselyRateLimitCounters({ db: database.db });
 * const { hits, ttlMs } = await counters.hit('store:s1:u1', 60_000);
 * if (hits > 600) reply.header('retry-after', Math.ceil(ttlMs / 1000));
 * ```
 */
export class KyselyRateLimitCounters {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;

  constructor(config: KyselyRateLimitCountersConfig) {
    this.#db = config.db;
    this.#clock = config.clock ?? systemClock;
  }

  /**
   * Counts `count` hits (default one) of `key` in its window of `windowMs` (a new window when
   * none is open), in one statement: a caller batching its claims counts a block at once.
   */
  async hit(key: string, windowMs: number, count = 1): Promise<RateLimitCount> {
    const now = this.#clock.now();
    const n = Math.max(1, Math.floor(count));
    const row = await this.#db
      .insertInto('rate_limit_counters')
      .values({ key, hits: n, window_ends_at: new Date(now.getTime() + windowMs) })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          // Both read the row as it was: an ended window restarts at `n`, a live one counts on.
          hits: sql<number>`case when rate_limit_counters.window_ends_at <= ${now} then ${n}::integer
            else least(rate_limit_counters.hits + ${n}::integer, ${MAX_HITS}) end`,
          window_ends_at: sql<Date>`case when rate_limit_counters.window_ends_at <= ${now}
            then excluded.window_ends_at else rate_limit_counters.window_ends_at end`,
        }),
      )
      .returning(['hits', 'window_ends_at'])
      .executeTakeFirstOrThrow();
    return { hits: row.hits, ttlMs: Math.max(0, new Date(row.window_ends_at).getTime() - now.getTime()) };
  }

  /** The count of `key`'s open window, without counting a hit. */
  async read(key: string): Promise<RateLimitCount> {
    const now = this.#clock.now();
    const row = await this.#db
      .selectFrom('rate_limit_counters')
      .select(['hits', 'window_ends_at'])
      .where('key', '=', key)
      .where('window_ends_at', '>', now)
      .executeTakeFirst();
    if (row === undefined) return { hits: 0, ttlMs: 0 };
    return { hits: row.hits, ttlMs: new Date(row.window_ends_at).getTime() - now.getTime() };
  }

  /** Deletes every counter whose window has ended; returns how many. */
  async sweep(): Promise<number> {
    const result = await this.#db
      .deleteFrom('rate_limit_counters')
      .where('window_ends_at', '<=', this.#clock.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
