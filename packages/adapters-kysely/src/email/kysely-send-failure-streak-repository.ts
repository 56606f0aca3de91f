import { randomUUID } from 'node:crypto';
import type {
  SendFailureAlertPolicy,
  SendFailureStreakRepository,
  SendFailureStreakUpdate,
} from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database-types.js';

export interface KyselySendFailureStreakRepositoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

/**
 * Send failure streaks in PostgreSQL (`send_failure_streaks`, migration `0012_shared_alert_state`),
 * shared by every API instance and worker on the database. A failure is one `insert … on
 * conflict (store_id) do update` that keeps the latest `threshold` failure times within the
 * window (`keepRecentFailures` in SQL) and, when they reach the threshold on a streak with no
 * alert yet, writes this call's random token as the streak's `alert_token`; the statement
 * returns whether the stored token is this call's. The row lock taken by the upsert orders
 * concurrent failures, so exactly one of them sees the streak complete.
 *
 * @example
 * ```ts
 * const streaks = new KyselySendFailureStreakRepository({ db: database.db });
 * createEmailCore({ …, sendFailureAlert: { threshold: 5, windowMs: 3_600_000, streaks } });
 * ```
 */
export class KyselySendFailureStreakRepository implements SendFailureStreakRepository {
  readonly #db: Kysely<Database>;

  constructor(config: KyselySendFailureStreakRepositoryConfig) {
    this.#db = config.db;
  }

  async recordFailure(
    storeId: string,
    at: Date,
    policy: SendFailureAlertPolicy,
  ): Promise<SendFailureStreakUpdate> {
    const token = randomUUID();
    const threshold = policy.threshold;
    const cutoff = new Date(at.getTime() - policy.windowMs);
    const { rows } = await sql<{ failures: number; alert: boolean }>`
      insert into send_failure_streaks as s (store_id, failure_times, alert_token, updated_at)
      values (
        ${storeId},
        array[${at}::timestamptz],
        case when ${threshold}::int <= 1 then ${token} end,
        ${at}::timestamptz
      )
      on conflict (store_id) do update set (failure_times, alert_token, updated_at) = (
        select
          k.kept,
          case
            when s.alert_token is null and cardinality(k.kept) >= ${threshold}::int then ${token}
            else s.alert_token
          end,
          ${at}::timestamptz
        from (
          select array(
            select r.t from (
              select u.t from unnest(s.failure_times || array[${at}::timestamptz]) as u(t)
              where u.t >= ${cutoff}::timestamptz
              order by u.t desc
              limit ${threshold}::int
            ) as r
            order by r.t
          ) as kept
        ) as k
      )
      returning cardinality(failure_times) as failures, alert_token is not distinct from ${token} as alert`.execute(
      this.#db,
    );
    const row = rows[0];
    if (row === undefined) throw new Error('send_failure_streaks upsert returned no row');
    return { failures: Number(row.failures), alert: row.alert };
  }

  async recordSuccess(storeId: string): Promise<void> {
    await this.#db.deleteFrom('send_failure_streaks').where('store_id', '=', storeId).execute();
  }
}
