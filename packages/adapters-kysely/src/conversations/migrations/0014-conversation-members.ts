import { type Kysely, sql } from 'kysely';

/**
 * Conversations of N participants: a membership has a role, a membership period and a history
 * window.
 *
 * - `conversation_participants.role` (text, default `member`: the marketplace preset's one role,
 *   which every existing two-party membership gets);
 * - `left_at` (null while a member): a former member's row is kept, frozen, so a re-add
 *   reactivates it; every reader, the badge and `append` look at active rows only;
 * - `visible_from_seq` (default 1: every existing member sees the whole history): the first
 *   message a member added later may see when the policy hides earlier history;
 * - `conversations.membership_version`, bumped by every join and leave under the conversation's
 *   lock: `append` compares the version it locked with the one its snapshot saw, and retries when
 *   a membership changed while it waited, so a member who joined in between is not left out of
 *   the unread counts;
 * - the inbox and badge indexes become partial (`left_at is null`): former memberships cost
 *   nothing in the hot queries.
 *
 * `down` restores the 0007 indexes, deletes the rows of former members (they were not
 * participants any more) and drops the columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversation_participants')
    .addColumn('role', 'text', (col) => col.notNull().defaultTo('member'))
    .addColumn('left_at', 'timestamptz')
    .addColumn('visible_from_seq', 'integer', (col) => col.notNull().defaultTo(1))
    .execute();
  await sql`
    alter table conversation_participants
      add constraint conversation_participants_visible_from_seq_check check (visible_from_seq >= 1),
      add constraint conversation_participants_role_check check (length(role) between 1 and 100)`.execute(db);
  await db.schema
    .alterTable('conversations')
    .addColumn('membership_version', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();

  await db.schema.dropIndex('conversation_participants_inbox_idx').execute();
  await sql`
    create index conversation_participants_inbox_idx on conversation_participants
      (participant_type, participant_id, last_activity_at desc, conversation_id desc)
      include (conversation_store_id) where left_at is null`.execute(db);
  await db.schema.dropIndex('conversation_participants_unread_idx').execute();
  await sql`
    create index conversation_participants_unread_idx on conversation_participants
      (participant_type, participant_id, conversation_store_id) include (unread_count)
      where unread_count > 0 and not muted and left_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_participants_unread_idx').execute();
  await db.schema.dropIndex('conversation_participants_inbox_idx').execute();
  await sql`delete from conversation_participants where left_at is not null`.execute(db);
  await sql`
    create index conversation_participants_inbox_idx on conversation_participants
      (participant_type, participant_id, last_activity_at desc, conversation_id desc)
      include (conversation_store_id)`.execute(db);
  await sql`
    create index conversation_participants_unread_idx on conversation_participants
      (participant_type, participant_id, conversation_store_id) include (unread_count)
      where unread_count > 0 and not muted`.execute(db);
  await db.schema.alterTable('conversations').dropColumn('membership_version').execute();
  await db.schema
    .alterTable('conversation_participants')
    .dropConstraint('conversation_participants_role_check')
    .execute();
  await db.schema
    .alterTable('conversation_participants')
    .dropConstraint('conversation_participants_visible_from_seq_check')
    .execute();
  await db.schema
    .alterTable('conversation_participants')
    .dropColumn('role')
    .dropColumn('left_at')
    .dropColumn('visible_from_seq')
    .execute();
}
