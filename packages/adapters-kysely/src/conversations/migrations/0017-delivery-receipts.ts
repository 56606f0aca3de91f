import { type Kysely, sql } from 'kysely';

/**
 * Delivery receipts (issue 12): what a member's clients acknowledged having received.
 *
 * - `conversation_participants.last_delivered_seq` (default 0) and `last_delivered_at`: the
 *   member's delivery state, moved forward only by `ParticipantRepository.markDelivered`. Reading
 *   counts as delivery, so the effective delivered seq is `greatest(last_delivered_seq,
 *   last_read_seq)`; the column itself only records acknowledgements;
 * - `delivery_advances`: each move forward of it (`up_to_seq`, `at`), mirroring `read_advances`
 *   (0016), from which a message's exact delivery time is derived.
 *
 * `down` drops them (the delivery history is lost).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table conversation_participants
      add column last_delivered_seq integer not null default 0,
      add column last_delivered_at timestamptz null`.execute(db);
  await sql`
    create table delivery_advances (
      conversation_id uuid not null references conversations (id) on delete cascade,
      participant_type text not null,
      participant_id text not null,
      up_to_seq integer not null,
      at timestamptz not null,
      primary key (conversation_id, participant_type, participant_id, up_to_seq)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_advances').execute();
  await sql`
    alter table conversation_participants
      drop column last_delivered_at,
      drop column last_delivered_seq`.execute(db);
}
