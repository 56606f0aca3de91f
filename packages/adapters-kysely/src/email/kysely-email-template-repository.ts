import {
  type AuditEntry,
  type EmailTemplate,
  type EmailTemplateCategory,
  type EmailTemplateRepository,
  MessagingError,
  type StoreEmailTemplate,
  type TemplateVariable,
} from '@parley/messaging-core';
import type { Kysely, Selectable } from 'kysely';
import { insertAuditEntries } from '../audit/kysely-audit-log.js';
import type { Database, EmailTemplatesTable, StoreEmailTemplatesTable } from '../database-types.js';
import { isPostgresError, SQLSTATE } from '../postgres-errors.js';
import { jsonb } from './email-row-mappers.js';

export interface KyselyEmailTemplateRepositoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

export type EmailTemplateRow = Selectable<EmailTemplatesTable>;
export type StoreEmailTemplateRow = Selectable<StoreEmailTemplatesTable>;

export function toEmailTemplate(row: EmailTemplateRow): EmailTemplate {
  return {
    code: row.code,
    language: row.language,
    name: row.name,
    description: row.description,
    category: row.category as EmailTemplateCategory,
    subject: row.subject,
    bodyHtml: row.body_html,
    bodyText: row.body_text,
    variables: row.variables as unknown as TemplateVariable[],
    requiredVariables: row.required_variables as string[],
    isActive: row.is_active,
    isPlatformOnly: row.is_platform_only,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toStoreEmailTemplate(row: StoreEmailTemplateRow): StoreEmailTemplate {
  return {
    storeId: row.store_id,
    code: row.code,
    language: row.language,
    subject: row.subject,
    bodyHtml: row.body_html,
    bodyText: row.body_text,
    isActive: row.is_active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Email templates in PostgreSQL: `email_templates` (platform, seeded by migration
 * `0006_email_templates`) and `store_email_templates` (overrides, foreign key to `stores`).
 *
 * @example
 * ```ts
 * const templates = new KyselyEmailTemplateRepository({ db: database.db });
 * await templates.getPlatformTemplate('new_message', 'fr');
 * ```
 */
export class KyselyEmailTemplateRepository implements EmailTemplateRepository {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyEmailTemplateRepositoryConfig) {
    this.#db = config.db;
  }

  async listPlatformTemplates(code?: string): Promise<EmailTemplate[]> {
    let query = this.#db.selectFrom('email_templates').selectAll();
    if (code !== undefined) query = query.where('code', '=', code);
    const rows = await query.orderBy('code').orderBy('language').execute();
    return rows.map(toEmailTemplate);
  }

  async getPlatformTemplate(code: string, language: string): Promise<EmailTemplate | null> {
    const row = await this.#db
      .selectFrom('email_templates')
      .selectAll()
      .where('code', '=', code)
      .where('language', '=', language)
      .executeTakeFirst();
    return row === undefined ? null : toEmailTemplate(row);
  }

  /** `insert … on conflict (code, language) do update`, keeping the first `created_at`. */
  async savePlatformTemplate(template: EmailTemplate, audit?: AuditEntry): Promise<EmailTemplate> {
    const row = {
      code: template.code,
      language: template.language,
      name: template.name,
      description: template.description,
      category: template.category,
      subject: template.subject,
      body_html: template.bodyHtml,
      body_text: template.bodyText,
      variables: jsonb(template.variables),
      required_variables: jsonb(template.requiredVariables),
      is_active: template.isActive,
      is_platform_only: template.isPlatformOnly,
      created_at: template.createdAt,
      updated_at: template.updatedAt,
    };
    const { code: _c, language: _l, created_at: _created, ...updates } = row;
    const saved = await this.#audited(audit, (db) =>
      db
        .insertInto('email_templates')
        .values(row)
        .onConflict((oc) => oc.columns(['code', 'language']).doUpdateSet(updates))
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toEmailTemplate(saved);
  }

  async listStoreTemplates(storeId: string, code?: string): Promise<StoreEmailTemplate[]> {
    let query = this.#db.selectFrom('store_email_templates').selectAll().where('store_id', '=', storeId);
    if (code !== undefined) query = query.where('code', '=', code);
    const rows = await query.orderBy('code').orderBy('language').execute();
    return rows.map(toStoreEmailTemplate);
  }

  async getStoreTemplate(
    storeId: string,
    code: string,
    language: string,
  ): Promise<StoreEmailTemplate | null> {
    const row = await this.#db
      .selectFrom('store_email_templates')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('code', '=', code)
      .where('language', '=', language)
      .executeTakeFirst();
    return row === undefined ? null : toStoreEmailTemplate(row);
  }

  /** `insert … on conflict (store_id, code, language) do update`, keeping the first `created_at`. */
  async saveStoreTemplate(template: StoreEmailTemplate, audit?: AuditEntry): Promise<StoreEmailTemplate> {
    const row = {
      store_id: template.storeId,
      code: template.code,
      language: template.language,
      subject: template.subject,
      body_html: template.bodyHtml,
      body_text: template.bodyText,
      is_active: template.isActive,
      created_at: template.createdAt,
      updated_at: template.updatedAt,
    };
    const { store_id: _s, code: _c, language: _l, created_at: _created, ...updates } = row;
    try {
      const saved = await this.#audited(audit, (db) =>
        db
          .insertInto('store_email_templates')
          .values(row)
          .onConflict((oc) => oc.columns(['store_id', 'code', 'language']).doUpdateSet(updates))
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toStoreEmailTemplate(saved);
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.foreignKeyViolation, 'store_email_templates_store_id_fkey'))
        throw MessagingError.notFound('store', template.storeId);
      throw error;
    }
  }

  async deletePlatformTemplate(code: string, language: string, audit?: AuditEntry): Promise<boolean> {
    return this.#audited(audit, async (db) => {
      const result = await db
        .deleteFrom('email_templates')
        .where('code', '=', code)
        .where('language', '=', language)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async countStoreOverrides(code: string): Promise<number> {
    const row = await this.#db
      .selectFrom('store_email_templates')
      .select((eb) => eb.fn.countAll<string | number>().as('count'))
      .where('code', '=', code)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async deleteStoreTemplate(
    storeId: string,
    code: string,
    language: string,
    audit?: AuditEntry,
  ): Promise<boolean> {
    return this.#audited(audit, async (db) => {
      const result = await db
        .deleteFrom('store_email_templates')
        .where('store_id', '=', storeId)
        .where('code', '=', code)
        .where('language', '=', language)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /**
   * Runs a write; with an audit entry, in one transaction with that row (a write answering
   * `false`, a delete of nothing, appends none).
   */
  async #audited<T>(audit: AuditEntry | undefined, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (audit === undefined) return write(this.#db);
    return this.#db.transaction().execute(async (trx) => {
      const result = await write(trx);
      if (result !== false) await insertAuditEntries(trx, [audit]);
      return result;
    });
  }
}
