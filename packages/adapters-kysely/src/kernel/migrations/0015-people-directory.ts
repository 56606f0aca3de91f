import type { Kysely } from 'kysely';

/**
 * The people directory of the care-team and community presets: tenants (clinics, schools) and
 * people of any participant type, keyed by (type, id) — the same id may name a person of
 * another type. The marketplace keeps its own tables (0002).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('directory_tenants')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('directory_tenants_pkey', ['id'])
    .execute();

  await db.schema
    .createTable('directory_people')
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text')
    .addColumn('locale', 'text', (col) => col.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('directory_people_pkey', ['type', 'id'])
    .addForeignKeyConstraint('directory_people_tenant_id_fkey', ['tenant_id'], 'directory_tenants', ['id'])
    .execute();
  // findById: a username alone (care-team) names the person behind it, whatever the type.
  await db.schema.createIndex('directory_people_id_idx').on('directory_people').column('id').execute();
  // Recipient search: people of one type (and tenant), ordered by name then id; also serves the
  // foreign key's lookups when a tenant is deleted.
  await db.schema
    .createIndex('directory_people_type_tenant_name_idx')
    .on('directory_people')
    .columns(['type', 'tenant_id', 'name', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('directory_people').execute();
  await db.schema.dropTable('directory_tenants').execute();
}
