import { DEFAULT_EMAIL_TEMPLATES } from '@parley/messaging-core';
import { type Kysely, sql } from 'kysely';

/**
 * Email templates: platform templates by (code, language) and stores' overrides by
 * (store, code, language), seeded with `DEFAULT_EMAIL_TEMPLATES` (the core's pure data, which the
 * in-memory adapter starts with too). Later changes to the defaults need a migration of their own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_templates')
    .addColumn('code', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body_html', 'text', (col) => col.notNull())
    .addColumn('body_text', 'text')
    .addColumn('variables', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('required_variables', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('is_platform_only', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('email_templates_pkey', ['code', 'language'])
    .addCheckConstraint(
      'email_templates_category_check',
      sql`category in ('auth', 'orders', 'billing', 'system', 'marketing')`,
    )
    .execute();

  await db.schema
    .createTable('store_email_templates')
    .addColumn('store_id', 'text', (col) => col.notNull())
    .addColumn('code', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('body_html', 'text', (col) => col.notNull())
    .addColumn('body_text', 'text')
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('store_email_templates_pkey', ['store_id', 'code', 'language'])
    .addForeignKeyConstraint('store_email_templates_store_id_fkey', ['store_id'], 'stores', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();

  await seedDefaultEmailTemplates(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_email_templates').execute();
  await db.schema.dropTable('email_templates').execute();
}

/** Inserts the default platform templates that are missing (never overwrites an edited one). */
export async function seedDefaultEmailTemplates(db: Kysely<unknown>): Promise<void> {
  for (const t of DEFAULT_EMAIL_TEMPLATES) {
    await sql`
      insert into email_templates (code, language, name, description, category, subject, body_html,
        body_text, variables, required_variables, is_active, is_platform_only, created_at, updated_at)
      values (${t.code}, ${t.language}, ${t.name}, ${t.description}, ${t.category}, ${t.subject},
        ${t.bodyHtml}, ${t.bodyText}, cast(${JSON.stringify(t.variables)}::text as jsonb),
        cast(${JSON.stringify(t.requiredVariables)}::text as jsonb), ${t.isActive}, ${t.isPlatformOnly},
        now(), now())
      on conflict (code, language) do nothing`.execute(db);
  }
}
