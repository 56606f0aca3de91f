import { type Kysely, sql } from 'kysely';

/**
 * Moderation (issue 14):
 *
 * - `messages.moderation_state` (null: never moderated; `flagged`, `held`, `approved`,
 *   `rejected`), `moderation_reason`, and the reviewer and time once decided;
 * - a partial index for the review queue: only messages waiting for review are in it, so the
 *   index stays small and the allow path writes nothing to it;
 * - `moderation_settings`: each tenant's own configuration (the preset's defaults apply where a
 *   tenant has none), as one JSON document.
 *
 * `down` drops them (moderation states and tenants' configurations are lost).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table messages
      add column moderation_state text null
        check (moderation_state in ('flagged', 'held', 'approved', 'rejected')),
      add column moderation_reason text null,
      add column moderated_by_type text null,
      add column moderated_by_id text null,
      add column moderated_at timestamptz null`.execute(db);
  await sql`
    create index messages_moderation_queue on messages (created_at desc, id desc)
      where moderation_state in ('flagged', 'held')`.execute(db);
  await sql`
    create table moderation_settings (
      tenant_id text primary key,
      settings jsonb not null,
      updated_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('moderation_settings').execute();
  await sql`drop index messages_moderation_queue`.execute(db);
  await sql`
    alter table messages
      drop column moderated_at, drop column moderated_by_id, drop column moderated_by_type,
      drop column moderation_reason, drop column moderation_state`.execute(db);
}
