import { type Kysely, sql } from 'kysely';

/**
 * Every conversation of a participant, left ones included, by index: a resuming real-time client's
 * replay reads only the events of its own conversations (`KyselyEventLog.readFor`), and the inbox
 * index (`conversation_participants_inbox_idx`) covers current members only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index conversation_participants_participant_idx on conversation_participants
      (participant_type, participant_id, conversation_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('conversation_participants_participant_idx').execute();
}
