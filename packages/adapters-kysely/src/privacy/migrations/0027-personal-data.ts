import { type Kysely, sql } from 'kysely';

/**
 * GDPR export and erasure (issue 14) read everything one person wrote or received; without
 * these, each page of an export of a busy sender scanned every message:
 *
 * - `messages_sender_idx`: a sender's messages in id order (keyset pages of the export, the
 *   erasure's updates);
 * - `email_logs_user_idx`: the emails sent to a person, by the id the notification recorded;
 * - `email_logs_related_conversation_idx`: the emails about a conversation (the erasure rewrites
 *   the other members' notifications that named or quoted the erased person).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index messages_sender_idx on messages (sender_type, sender_id, id)`.execute(db);
  await sql`create index email_logs_user_idx on email_logs (user_id, id) where user_id is not null`.execute(
    db,
  );
  await sql`create index email_logs_related_conversation_idx on email_logs (related_id) where related_type = 'conversation'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index email_logs_related_conversation_idx`.execute(db);
  await sql`drop index email_logs_user_idx`.execute(db);
  await sql`drop index messages_sender_idx`.execute(db);
}
