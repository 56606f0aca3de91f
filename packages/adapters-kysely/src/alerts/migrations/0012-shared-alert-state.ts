import { type Kysely, sql } from 'kysely';

/**
 * Alert and webhook state every API and worker process shares, instead of each holding its own:
 *
 * - `admin_notifications` gains `issue_key`, `occurrences`, `last_error` and `last_occurred_at`:
 *   a notification raised with an issue key (a store's failing verification, its failing sends)
 *   is folded into the unread one of the same store and key. The partial unique index is what
 *   `insert … on conflict … do update` infers, so two processes raising at once still leave one
 *   open notification (`nulls not distinct`: platform-wide issues have no store).
 * - `send_failure_streaks`: one row per store with the times of its latest failed sends and the
 *   token of the failure that completed the streak (the one that alerts), updated in one statement.
 * - `webhook_replay_tokens`: signature tokens of verified provider webhooks until the end of their
 *   time window, so a replay is refused by any instance and after a restart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('admin_notifications')
    .addColumn('issue_key', 'text')
    .addColumn('occurrences', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('last_error', 'text')
    .addColumn('last_occurred_at', 'timestamptz')
    .execute();
  await sql`update admin_notifications set last_occurred_at = created_at`.execute(db);
  await sql`alter table admin_notifications alter column last_occurred_at set not null`.execute(db);
  await sql`
    alter table admin_notifications
      add constraint admin_notifications_occurrences_check check (occurrences >= 1)`.execute(db);
  await sql`
    create unique index admin_notifications_open_issue_idx
      on admin_notifications (store_id, issue_key) nulls not distinct
      where issue_key is not null and not is_read`.execute(db);

  await db.schema
    .createTable('send_failure_streaks')
    .addColumn('store_id', 'text', (col) => col.primaryKey())
    .addColumn('failure_times', sql`timestamptz[]`, (col) => col.notNull())
    .addColumn('alert_token', 'text')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('webhook_replay_tokens')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('webhook_replay_tokens_pkey', ['provider', 'token'])
    .execute();
  await sql`create index webhook_replay_tokens_expires_idx on webhook_replay_tokens (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_replay_tokens').execute();
  await db.schema.dropTable('send_failure_streaks').execute();
  await sql`drop index admin_notifications_open_issue_idx`.execute(db);
  await db.schema
    .alterTable('admin_notifications')
    .dropConstraint('admin_notifications_occurrences_check')
    .execute();
  await db.schema
    .alterTable('admin_notifications')
    .dropColumn('last_occurred_at')
    .dropColumn('last_error')
    .dropColumn('occurrences')
    .dropColumn('issue_key')
    .execute();
}
