import { type Kysely, sql } from 'kysely';

/**
 * Email: per-store provider settings (secrets as `SecretCipher` tokens, never plaintext), the
 * email log, and the provider tracking events already applied to it (idempotency).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_email_settings')
    .addColumn('store_id', 'text', (col) => col.notNull())
    .addColumn('from_email', 'text')
    .addColumn('from_name', 'text')
    .addColumn('reply_to_email', 'text')
    .addColumn('signature_text', 'text')
    .addColumn('signature_html', 'text')
    .addColumn('provider', 'text')
    .addColumn('smtp_host', 'text')
    .addColumn('smtp_port', 'integer')
    .addColumn('smtp_username', 'text')
    .addColumn('smtp_password', 'text')
    .addColumn('smtp_use_tls', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('smtp_use_ssl', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('sendgrid_api_key', 'text')
    .addColumn('mailgun_api_key', 'text')
    .addColumn('mailgun_domain', 'text')
    .addColumn('mailgun_region', 'text')
    .addColumn('ses_access_key_id', 'text')
    .addColumn('ses_secret_access_key', 'text')
    .addColumn('ses_region', 'text')
    .addColumn('is_configured', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('is_verified', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('last_verified_at', 'timestamptz')
    .addColumn('verification_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('store_email_settings_pkey', ['store_id'])
    .addForeignKeyConstraint('store_email_settings_store_id_fkey', ['store_id'], 'stores', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addCheckConstraint(
      'store_email_settings_provider_check',
      sql`provider in ('smtp', 'sendgrid', 'mailgun', 'ses')`,
    )
    .addCheckConstraint('store_email_settings_smtp_port_check', sql`smtp_port between 1 and 65535`)
    .addCheckConstraint('store_email_settings_mailgun_region_check', sql`mailgun_region in ('us', 'eu')`)
    .execute();

  await db.schema
    .createTable('email_logs')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('template_code', 'text')
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body_html', 'text')
    .addColumn('body_text', 'text', (col) => col.notNull())
    .addColumn('from_email', 'text', (col) => col.notNull())
    .addColumn('from_name', 'text')
    .addColumn('reply_to', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz')
    .addColumn('clicked_at', 'timestamptz')
    .addColumn('bounced_at', 'timestamptz')
    .addColumn('complained_at', 'timestamptz')
    .addColumn('error_message', 'text')
    .addColumn('retry_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('store_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('related_type', 'text')
    .addColumn('related_id', 'text')
    .addColumn('extra_data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('email_logs_pkey', ['id'])
    .addCheckConstraint(
      'email_logs_status_check',
      sql`status in ('pending', 'sent', 'failed', 'bounced', 'delivered', 'opened', 'clicked')`,
    )
    .execute();
  // Listing is newest first by (created_at, id), optionally within a store, a status or a recipient.
  await sql`create index email_logs_created_idx on email_logs (created_at desc, id desc)`.execute(db);
  await sql`create index email_logs_store_created_idx on email_logs (store_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index email_logs_status_created_idx on email_logs (status, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index email_logs_recipient_created_idx on email_logs (lower(recipient), created_at desc, id desc)`.execute(
    db,
  );
  // Tracking events name the provider's message id.
  await sql`create index email_logs_provider_message_idx on email_logs (provider, provider_message_id) where provider_message_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('email_delivery_events')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('email_log_id', 'text', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('processed_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('email_delivery_events_pkey', ['provider', 'event_id'])
    .addForeignKeyConstraint(
      'email_delivery_events_email_log_id_fkey',
      ['email_log_id'],
      'email_logs',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('email_delivery_events_email_log_idx')
    .on('email_delivery_events')
    .column('email_log_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_delivery_events').execute();
  await db.schema.dropTable('email_logs').execute();
  await db.schema.dropTable('store_email_settings').execute();
}
