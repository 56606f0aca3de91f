import { type Kysely, sql } from 'kysely';

/**
 * The notification outbox, written by `append` in the same statement as the message:
 *
 * - `notification_jobs`: one row per message and recipient (`pending` → `sent` / `skipped` /
 *   `failed`), claimed by workers with a lease (`locked_until`, `locked_by`); the partial index
 *   serves the claim of due pending jobs;
 * - `notification_windows`: when a recipient was last emailed about a conversation, so messages
 *   arriving inside the batching window fold into the next email.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notification_jobs')
    .addColumn('id', 'uuid', (col) => col.notNull())
    .addColumn('message_id', 'uuid', (col) => col.notNull())
    .addColumn('conversation_id', 'uuid', (col) => col.notNull())
    .addColumn('recipient_type', 'text', (col) => col.notNull())
    .addColumn('recipient_id', 'text', (col) => col.notNull())
    .addColumn('store_id', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('available_at', 'timestamptz', (col) => col.notNull())
    .addColumn('locked_until', 'timestamptz')
    .addColumn('locked_by', 'text')
    .addColumn('email_log_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('notification_jobs_pkey', ['id'])
    .addForeignKeyConstraint('notification_jobs_message_fkey', ['message_id'], 'messages', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addUniqueConstraint('notification_jobs_message_recipient_key', [
      'message_id',
      'recipient_type',
      'recipient_id',
    ])
    .addCheckConstraint(
      'notification_jobs_status_check',
      sql`status in ('pending', 'sent', 'skipped', 'failed')`,
    )
    .execute();
  await sql`
    create index notification_jobs_due_idx on notification_jobs
      (available_at, recipient_type, recipient_id, conversation_id)
      where status = 'pending'`.execute(db);

  await db.schema
    .createTable('notification_windows')
    .addColumn('recipient_type', 'text', (col) => col.notNull())
    .addColumn('recipient_id', 'text', (col) => col.notNull())
    .addColumn('conversation_id', 'uuid', (col) => col.notNull())
    .addColumn('last_sent_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('notification_windows_pkey', [
      'recipient_type',
      'recipient_id',
      'conversation_id',
    ])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notification_windows').execute();
  await db.schema.dropTable('notification_jobs').execute();
}
