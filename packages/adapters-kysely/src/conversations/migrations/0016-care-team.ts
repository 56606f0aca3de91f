import { type Kysely, sql } from 'kysely';

/**
 * What the care-team preset needs from the conversation tables (every preset may use it):
 *
 * - `messages.subject` (nullable): an optional subject per message;
 * - `conversation_pairs`: the one conversation of a pair of people for one-per-pair types. The
 *   primary key on `pair_key` is what makes two concurrent first messages of a pair give one
 *   conversation; the foreign key is deferred because the pair is claimed before the conversation
 *   row is written, in the same transaction;
 * - `participant_blocks`: who blocks whom (one-way);
 * - `message_hides`: per-side deletes (who hid which message);
 * - `read_advances`: each move forward of a member's read state (`up_to_seq`, `at`), appended by
 *   `markRead`, from which a message's exact `read_at` is derived.
 *
 * `down` drops them all (subjects, blocks, hides and read history are lost).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('subject', 'text').execute();
  await sql`
    create table conversation_pairs (
      pair_key text primary key,
      conversation_id uuid not null references conversations (id) on delete cascade
        deferrable initially deferred
    )`.execute(db);
  await sql`
    create table participant_blocks (
      blocker_type text not null,
      blocker_id text not null,
      blocked_type text not null,
      blocked_id text not null,
      created_at timestamptz not null,
      primary key (blocker_type, blocker_id, blocked_type, blocked_id)
    )`.execute(db);
  await sql`
    create index participant_blocks_blocked_idx on participant_blocks (blocked_type, blocked_id)`.execute(db);
  await sql`
    create table message_hides (
      message_id uuid not null references messages (id) on delete cascade,
      participant_type text not null,
      participant_id text not null,
      hidden_at timestamptz not null,
      primary key (message_id, participant_type, participant_id)
    )`.execute(db);
  await sql`
    create table read_advances (
      conversation_id uuid not null references conversations (id) on delete cascade,
      participant_type text not null,
      participant_id text not null,
      up_to_seq integer not null,
      at timestamptz not null,
      primary key (conversation_id, participant_type, participant_id, up_to_seq)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('read_advances').execute();
  await db.schema.dropTable('message_hides').execute();
  await db.schema.dropTable('participant_blocks').execute();
  await db.schema.dropTable('conversation_pairs').execute();
  await db.schema.alterTable('messages').dropColumn('subject').execute();
}
