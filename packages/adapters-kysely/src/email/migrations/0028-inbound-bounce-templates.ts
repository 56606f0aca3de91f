import { type Kysely, sql } from 'kysely';
import { seedDefaultEmailTemplates } from './0006-email-templates.js';

/**
 * Reply by email: the `inbound_bounce` platform templates (en, fr, de) for installations migrated
 * before they joined `DEFAULT_EMAIL_TEMPLATES`. Inserts only what is missing, never overwrites.
 * The email dedupe needs no table: a reply's Message-ID digest is its send's idempotency key
 * (`send_idempotency_keys`), and bounces are remembered in `webhook_replay_tokens`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await seedDefaultEmailTemplates(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from store_email_templates where code = 'inbound_bounce'`.execute(db);
  await sql`delete from email_templates where code = 'inbound_bounce'`.execute(db);
}
