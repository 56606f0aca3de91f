import { type Kysely, sql } from 'kysely';

/**
 * Edits with history (issue 14):
 *
 * - `messages.revision` (1 as sent, one more per edit) and `messages.edited_at` (null when never
 *   edited);
 * - `message_revisions`: every version of an edited message — revision 1 (the content as sent,
 *   its sender, the send's time) is written by the first edit, then one row per edit (content,
 *   editor, time) — keyed by (message, revision).
 *
 * `down` drops them (the history is lost; messages keep their latest content).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages
      add column revision integer not null default 1,
      add column edited_at timestamptz null`.execute(db);
  await sql`
    create table message_revisions (
      message_id uuid not null references messages (id) on delete cascade,
      revision integer not null,
      content text not null,
      editor_type text not null,
      editor_id text not null,
      created_at timestamptz not null,
      primary key (message_id, revision)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('message_revisions').execute();
  await sql`alter table messages drop column edited_at, drop column revision`.execute(db);
}
