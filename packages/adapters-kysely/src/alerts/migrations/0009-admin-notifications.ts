import { type Kysely, sql } from 'kysely';

/**
 * Admin notifications: notices for the platform's admins (store issues, system alerts, import
 * failures), listed newest first and filtered by unread state. `store_id` names the store a
 * notice is about without a foreign key: services may raise notices for stores not yet synced,
 * and a notice outlives its store.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_notifications')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('priority', 'text', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('is_read', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('read_at', 'timestamptz')
    .addColumn('read_by_user_id', 'text')
    .addColumn('action_required', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('action_url', 'text')
    .addColumn('metadata', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('store_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addCheckConstraint(
      'admin_notifications_type_check',
      sql`type in ('system_alert', 'store_issue', 'import_failure')`,
    )
    .addCheckConstraint(
      'admin_notifications_priority_check',
      sql`priority in ('low', 'normal', 'high', 'critical')`,
    )
    .addCheckConstraint(
      'admin_notifications_read_check',
      sql`is_read = (read_at is not null) and is_read = (read_by_user_id is not null)`,
    )
    .execute();
  await sql`
    create index admin_notifications_created_idx on admin_notifications (created_at desc, id desc)`.execute(
    db,
  );
  await sql`
    create index admin_notifications_unread_idx on admin_notifications (created_at desc, id desc)
      where not is_read`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_notifications').execute();
}
