import { type Kysely, sql } from 'kysely';

/**
 * Webhooks to the host platform:
 *
 * - `webhook_endpoints`: URLs the platform (`owner_tenant_id` null) or a tenant registered, with
 *   their event types (`*`: all), tenant filter and whether they are enabled (and why not).
 * - `webhook_secrets`: each endpoint's signing secrets, sealed by the `SecretCipher`; the current
 *   one has no `expires_at`, rotated-out ones sign until theirs.
 * - `webhook_deliveries`: the outbox the event subscriber fills (one row per endpoint and event:
 *   the unique key makes a redelivered batch enqueue nothing twice) and the workers drain, head
 *   of each `(endpoint_id, ordering_key)` first (`seq` order), with leases fencing their writes.
 * - `webhook_attempts`: every HTTP attempt (status, duration, error, a bounded response snippet).
 *
 * Deleting an endpoint deletes its secrets, deliveries and attempts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('owner_tenant_id', 'text')
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('event_types', sql`text[]`, (col) => col.notNull())
    .addColumn('tenant_ids', sql`text[]`)
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('enabled', 'boolean', (col) => col.notNull())
    .addColumn('disabled_reason', 'text', (col) => col.check(sql`disabled_reason in ('manual', 'failing')`))
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await sql`create index webhook_endpoints_owner_idx on webhook_endpoints (owner_tenant_id, created_at, id)`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_secrets')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('endpoint_id', 'text', (col) =>
      col.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('sealed', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz')
    .execute();
  await sql`create index webhook_secrets_endpoint_idx on webhook_secrets (endpoint_id, created_at)`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('seq', 'bigint', (col) => col.notNull().generatedByDefaultAsIdentity().unique())
    .addColumn('endpoint_id', 'text', (col) =>
      col.notNull().references('webhook_endpoints.id').onDelete('cascade'),
    )
    .addColumn('event_id', 'text')
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('ordering_key', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) =>
      col.notNull().check(sql`status in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempt_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    .addColumn('give_up_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addUniqueConstraint('webhook_deliveries_endpoint_event_key', ['endpoint_id', 'event_id'])
    .execute();
  // The claim: heads of pending (endpoint, key) in seq order; the listing: an endpoint's newest first.
  await sql`
    create index webhook_deliveries_pending_idx on webhook_deliveries (endpoint_id, ordering_key, seq)
      where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_endpoint_seq_idx on webhook_deliveries (endpoint_id, seq desc)`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('delivery_id', 'text', (col) =>
      col.notNull().references('webhook_deliveries.id').onDelete('cascade'),
    )
    .addColumn('attempted_at', 'timestamptz', (col) => col.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('error', 'text')
    .addColumn('response_snippet', 'text')
    .execute();
  await sql`create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, attempted_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_secrets').execute();
  await db.schema.dropTable('webhook_endpoints').execute();
}
