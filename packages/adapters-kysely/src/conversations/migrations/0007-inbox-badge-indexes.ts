import { type Kysely, sql } from 'kysely';

/**
 * The conversation's store on each membership (`conversation_store_id`), so a store-scoped inbox,
 * its count and the unread badge read only `conversation_participants` (no join to
 * `conversations`):
 *
 * - the column, backfilled from `conversations.store_id` (a conversation's store never changes);
 *   `KyselyConversationRepository.create` writes it, and a `before insert` trigger fills it when a
 *   writer leaves it null (raw SQL inserts, older code), so it cannot go missing;
 * - the inbox index carries it (`include`), so the store filter is checked in the index and the
 *   store-scoped count is an index-only scan;
 * - a partial index of the unread, non-muted memberships for the badge: an index-only scan of the
 *   unread conversations only, whatever the size of the inbox.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('conversation_participants')
    .addColumn('conversation_store_id', 'text')
    .execute();
  await sql`
    update conversation_participants p set conversation_store_id = c.store_id
    from conversations c
    where c.id = p.conversation_id and c.store_id is not null`.execute(db);
  await sql`
    create function conversation_participants_fill_store() returns trigger
    language plpgsql set search_path from current as $$
    begin
      if new.conversation_store_id is null then
        new.conversation_store_id := (select c.store_id from conversations c where c.id = new.conversation_id);
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`
    create trigger conversation_participants_fill_store_trg
    before insert on conversation_participants
    for each row execute function conversation_participants_fill_store()`.execute(db);

  await db.schema.dropIndex('conversation_participants_inbox_idx').execute();
  await sql`
    create index conversation_participants_inbox_idx on conversation_participants
      (participant_type, participant_id, last_activity_at desc, conversation_id desc)
      include (conversation_store_id)`.execute(db);
  await sql`
    create index conversation_participants_unread_idx on conversation_participants
      (participant_type, participant_id, conversation_store_id) include (unread_count)
      where unread_count > 0 and not muted`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_participants_unread_idx').execute();
  await db.schema.dropIndex('conversation_participants_inbox_idx').execute();
  await db.schema
    .createIndex('conversation_participants_inbox_idx')
    .on('conversation_participants')
    .columns(['participant_type', 'participant_id', 'last_activity_at desc', 'conversation_id desc'])
    .execute();
  await sql`drop trigger conversation_participants_fill_store_trg on conversation_participants`.execute(db);
  await sql`drop function conversation_participants_fill_store()`.execute(db);
  await db.schema.alterTable('conversation_participants').dropColumn('conversation_store_id').execute();
}
