import { type Kysely, sql } from 'kysely';

/**
 * A store's fallback mail provider: another provider whose credentials are in the same row, or
 * `platform` (the platform's transport); null keeps today's behaviour (no failover).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('store_email_settings')
    .addColumn('fallback_provider', 'text', (col) =>
      col.check(sql`fallback_provider in ('smtp', 'sendgrid', 'mailgun', 'ses', 'platform')`),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('store_email_settings').dropColumn('fallback_provider').execute();
}
