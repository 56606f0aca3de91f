import { type Kysely, sql } from 'kysely';

/**
 * The marketplace directory: stores (tenants), platform users (admins and store staff) and
 * customers, with the host platform's text ids.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stores')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('tier', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('stores_pkey', ['id'])
    .addCheckConstraint(
      'stores_tier_check',
      sql`tier in ('essential', 'professional', 'business', 'enterprise')`,
    )
    .execute();

  await db.schema
    .createTable('platform_users')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('store_id', 'text')
    .addColumn('locale', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('platform_users_pkey', ['id'])
    .addForeignKeyConstraint('platform_users_store_id_fkey', ['store_id'], 'stores', ['id'])
    .addCheckConstraint('platform_users_role_check', sql`role in ('admin', 'store')`)
    .addCheckConstraint('platform_users_store_check', sql`(role = 'store') = (store_id is not null)`)
    .execute();
  // Recipient search: users of one role (and store), ordered by name then id.
  await db.schema
    .createIndex('platform_users_role_store_name_idx')
    .on('platform_users')
    .columns(['role', 'store_id', 'name', 'id'])
    .execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('store_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('locale', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('customers_pkey', ['id'])
    .addForeignKeyConstraint('customers_store_id_fkey', ['store_id'], 'stores', ['id'])
    .execute();
  // Recipient search within a store, ordered by name then id.
  await db.schema
    .createIndex('customers_store_name_idx')
    .on('customers')
    .columns(['store_id', 'name', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customers').execute();
  await db.schema.dropTable('platform_users').execute();
  await db.schema.dropTable('stores').execute();
}
