import { type Kysely, sql } from 'kysely';

/**
 * One order per conversation: `messages.seq` (1, 2, 3 … per conversation) and each membership's
 * read state as a position in it, `conversation_participants.last_read_seq`.
 *
 * `append` assigns `seq` = `conversations.message_count` + 1 under the conversation's row lock
 * (messages are never removed, so the count is also the latest `seq`), which makes `seq` order the
 * commit order; history pages, previews and read state follow it.
 *
 * Existing data is carried forward:
 * - `seq` numbers each conversation's messages in the order history showed them (created_at, id);
 * - `message_count` is set to the number of messages, so the next `seq` follows the last one;
 * - `last_read_seq` is the latest message at or before `last_read_at`, or the participant's own
 *   latest message when that is later (sending reads everything up to one's own message);
 * - `unread_count` is recounted from it: others' non-system messages after `last_read_seq`, so
 *   counters that concurrent sends had put out of step with history agree again.
 *
 * `down` drops the columns and the index; the recounted `unread_count` stays (it agrees with
 * `last_read_at`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('seq', 'integer').execute();
  await sql`
    update messages m set seq = numbered.seq
    from (
      select id, row_number() over (partition by conversation_id order by created_at, id) as seq
      from messages
    ) numbered
    where numbered.id = m.id`.execute(db);
  await sql`alter table messages alter column seq set not null`.execute(db);
  await sql`alter table messages add constraint messages_seq_check check (seq >= 1)`.execute(db);
  // History pages (keyset on seq), the latest message of an inbox entry, and the rule itself.
  await sql`
    alter table messages add constraint messages_conversation_seq_key unique (conversation_id, seq)`.execute(
    db,
  );

  await sql`
    update conversations c set message_count = counted.n
    from (select conversation_id, count(*)::integer as n from messages group by conversation_id) counted
    where counted.conversation_id = c.id and c.message_count <> counted.n`.execute(db);
  await sql`
    update conversations set message_count = 0
    where message_count <> 0 and not exists (select from messages m where m.conversation_id = conversations.id)`.execute(
    db,
  );

  await db.schema
    .alterTable('conversation_participants')
    .addColumn('last_read_seq', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await sql`
    update conversation_participants p set last_read_seq = greatest(
      coalesce((select max(m.seq) from messages m
        where m.conversation_id = p.conversation_id and m.created_at <= p.last_read_at), 0),
      coalesce((select max(m.seq) from messages m
        where m.conversation_id = p.conversation_id and not m.is_system_message
          and m.sender_type = p.participant_type and m.sender_id = p.participant_id), 0))`.execute(db);
  await sql`
    update conversation_participants p set unread_count = recounted.n
    from (
      select q.conversation_id, q.participant_type, q.participant_id, (
        select count(*)::integer from messages m
        where m.conversation_id = q.conversation_id and m.seq > q.last_read_seq and not m.is_system_message
          and not (m.sender_type = q.participant_type and m.sender_id = q.participant_id)
      ) as n
      from conversation_participants q
    ) recounted
    where recounted.conversation_id = p.conversation_id and recounted.participant_type = p.participant_type
      and recounted.participant_id = p.participant_id and p.unread_count <> recounted.n`.execute(db);
  await sql`
    alter table conversation_participants
      add constraint conversation_participants_last_read_seq_check check (last_read_seq >= 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation_participants').dropColumn('last_read_seq').execute();
  await db.schema.alterTable('messages').dropColumn('seq').execute();
}
