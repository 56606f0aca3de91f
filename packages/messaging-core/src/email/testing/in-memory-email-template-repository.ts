import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { AuditLog } from '../../kernel/audit/audit-log.js';
import { MessagingError } from '../../kernel/errors.js';
import type { TenantDirectory } from '../../kernel/ports/tenant-directory.js';
import { DEFAULT_EMAIL_TEMPLATES } from '../model/default-templates.js';
import type { EmailTemplate, StoreEmailTemplate } from '../model/email-template.js';
import type { EmailTemplateRepository } from '../ports/email-template-repository.js';
import type { EmailTemplateRawReader } from './contracts/raw-readers.js';

export interface InMemoryEmailTemplateRepositoryOptions {
  /** Refuses overrides for unknown stores, like the database's foreign key. */
  readonly directory?: TenantDirectory;
  /** When the seeded defaults were created (default: 2026-01-01). */
  readonly seededAt?: Date;
  /** Where the writes' audit rows go (absent: they are dropped). */
  readonly audit?: AuditLog;
}

const key = (...parts: string[]) => parts.join('\u0000');
const byCodeThenLanguage = (a: { code: string; language: string }, b: { code: string; language: string }) =>
  a.code === b.code ? (a.language < b.language ? -1 : 1) : a.code < b.code ? -1 : 1;

/**
 * Email templates in memory, starting with `DEFAULT_EMAIL_TEMPLATES` (as a migrated database does).
 *
 * @example
 * ```ts
 * const repository = new InMemoryEmailTemplateRepository({ directory });
 * (await repository.getPlatformTemplate('new_message', 'fr'))?.subject; // "Nouveau message : {{ conversation_subject }}"
 * ```
 */
export class InMemoryEmailTemplateRepository implements EmailTemplateRepository {
  readonly #platform = new Map<string, EmailTemplate>();
  readonly #store = new Map<string, StoreEmailTemplate>();
  readonly #directory: TenantDirectory | undefined;

  readonly #audit: AuditLog | undefined;

  constructor(options: InMemoryEmailTemplateRepositoryOptions = {}) {
    this.#directory = options.directory;
    this.#audit = options.audit;
    const at = options.seededAt ?? new Date('2026-01-01T00:00:00.000Z');
    for (const template of DEFAULT_EMAIL_TEMPLATES) {
      this.#platform.set(key(template.code, template.language), {
        ...structuredClone(template),
        createdAt: at,
        updatedAt: at,
      });
    }
  }

  async listPlatformTemplates(code?: string): Promise<EmailTemplate[]> {
    return [...this.#platform.values()]
      .filter((t) => code === undefined || t.code === code)
      .sort(byCodeThenLanguage)
      .map((t) => structuredClone(t));
  }

  async getPlatformTemplate(code: string, language: string): Promise<EmailTemplate | null> {
    const template = this.#platform.get(key(code, language));
    return template ? structuredClone(template) : null;
  }

  async savePlatformTemplate(template: EmailTemplate, audit?: AuditEntry): Promise<EmailTemplate> {
    const existing = this.#platform.get(key(template.code, template.language));
    const stored = { ...template, createdAt: existing?.createdAt ?? template.createdAt };
    this.#platform.set(key(template.code, template.language), structuredClone(stored));
    if (audit !== undefined) await this.#audit?.append([audit]);
    return structuredClone(stored);
  }

  async deletePlatformTemplate(code: string, language: string, audit?: AuditEntry): Promise<boolean> {
    const deleted = this.#platform.delete(key(code, language));
    if (deleted && audit !== undefined) await this.#audit?.append([audit]);
    return deleted;
  }

  async countStoreOverrides(code: string): Promise<number> {
    return [...this.#store.values()].filter((t) => t.code === code).length;
  }

  async listStoreTemplates(storeId: string, code?: string): Promise<StoreEmailTemplate[]> {
    return [...this.#store.values()]
      .filter((t) => t.storeId === storeId && (code === undefined || t.code === code))
      .sort(byCodeThenLanguage)
      .map((t) => structuredClone(t));
  }

  async getStoreTemplate(
    storeId: string,
    code: string,
    language: string,
  ): Promise<StoreEmailTemplate | null> {
    const template = this.#store.get(key(storeId, code, language));
    return template ? structuredClone(template) : null;
  }

  async saveStoreTemplate(template: StoreEmailTemplate, audit?: AuditEntry): Promise<StoreEmailTemplate> {
    if (this.#directory && !(await this.#directory.getTenant(template.storeId)))
      throw MessagingError.notFound('store', template.storeId);
    const id = key(template.storeId, template.code, template.language);
    const existing = this.#store.get(id);
    const stored = { ...template, createdAt: existing?.createdAt ?? template.createdAt };
    this.#store.set(id, structuredClone(stored));
    if (audit !== undefined) await this.#audit?.append([audit]);
    return structuredClone(stored);
  }

  async deleteStoreTemplate(
    storeId: string,
    code: string,
    language: string,
    audit?: AuditEntry,
  ): Promise<boolean> {
    const deleted = this.#store.delete(key(storeId, code, language));
    if (deleted && audit !== undefined) await this.#audit?.append([audit]);
    return deleted;
  }

  readonly raw: EmailTemplateRawReader = {
    platformTemplate: async (code, language) => this.#platform.get(key(code, language)) ?? null,
    storeTemplate: async (storeId, code, language) => this.#store.get(key(storeId, code, language)) ?? null,
  };
}
