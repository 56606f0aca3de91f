import { type Kysely, sql } from 'kysely';

/**
 * Message search that stops after a page (issue 14's speed goal): `messages_store_recent_idx` on
 * (`conversation_store_id`, `created_at` desc, `id` desc), a store's messages newest first in the
 * search's own order. `KyselyMessageSearch` walks it and tests each message's vector, so a search
 * for common words reads about a page's worth of the store's newest messages instead of fetching
 * and sorting every match from the GIN index (`messages_search_idx`, kept for rare words).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index messages_store_recent_idx
    on messages (conversation_store_id, created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index messages_store_recent_idx`.execute(db);
}
