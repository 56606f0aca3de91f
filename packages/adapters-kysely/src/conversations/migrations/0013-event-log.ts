import { type Kysely, sql } from 'kysely';

/**
 * The durable event log:
 *
 * - `events`: append-only, one row per domain event, written in the transaction of the change it
 *   describes. `id` is monotonic (an identity); `xid` is the writing transaction's id
 *   (`pg_current_xact_id()`, 64-bit, never wraps). Readers take only rows whose `xid` is below
 *   the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`) and page by
 *   `(xid, id)` — served by `events_xid_id_idx` — so no reader sees an event before it commits
 *   and none skips an event whose transaction commits after a later id's. No foreign keys: events
 *   outlive what they describe until pruned (BRIN on `occurred_at`, cheap to keep up to date on
 *   an append-only table).
 * - `event_subscribers`: one cursor `(position_xid, position_id)` per subscriber.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table events (
      id bigint generated always as identity primary key,
      xid xid8 not null default pg_current_xact_id(),
      tenant_id text,
      conversation_id uuid,
      type text not null,
      actor_type text not null,
      actor_id text not null,
      payload jsonb not null,
      occurred_at timestamptz not null
    )`.execute(db);
  await sql`create index events_xid_id_idx on events (xid, id)`.execute(db);
  await sql`create index events_occurred_at_brin on events using brin (occurred_at)`.execute(db);
  await sql`
    create table event_subscribers (
      name text primary key,
      position_xid xid8 not null default '0',
      position_id bigint not null default 0,
      updated_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('event_subscribers').execute();
  await db.schema.dropTable('events').execute();
}
