import { type Kysely, sql } from 'kysely';

/**
 * Per-person archive (issue 14): `conversation_participants.archived_at`, null while the
 * conversation is in the member's inbox. The inbox reads it through the membership row it already
 * scans, so no index is added. `down` drops it (archives are lost).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table conversation_participants add column archived_at timestamptz null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table conversation_participants drop column archived_at`.execute(db);
}
