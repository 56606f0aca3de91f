import { type Kysely, sql } from 'kysely';

/**
 * `rate_limit_counters`: the API's request budgets, one row per caller key and window, shared by
 * every API instance on the database (issue 15, "A proven multi-instance deployment"). A hit is
 * one `insert … on conflict (key) do update` that either counts into the live window or starts a
 * new one, so concurrent hits from any number of instances serialize on the primary key and
 * none is lost. `window_ends_at` is indexed for the expiry sweep.
 *
 * UNLOGGED on PostgreSQL: counters are worth less than the WAL they would write on every request,
 * and a crash that empties the table only hands every caller a fresh window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table rate_limit_counters (
      key text primary key,
      hits integer not null check (hits >= 1),
      window_ends_at timestamptz not null
    )`.execute(db);
  await sql`create index rate_limit_counters_window_ends_idx on rate_limit_counters (window_ends_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
}
