import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { EmailTemplate, StoreEmailTemplate } from '../model/email-template.js';

/**
 * Platform email templates and stores' overrides of them.
 *
 * @example
 * ```ts
 * const template = await repository.getPlatformTemplate('new_message', 'fr');
 * await repository.saveStoreTemplate({ storeId: 'acme', code: 'new_message', language: 'fr', … });
 * ```
 *
 * Every write takes an optional `audit` entry: the adapter appends it in the write's own
 * transaction (a delete that removed nothing appends nothing).
 */
export interface EmailTemplateRepository {
  /**
   * Every template (or one code's), ordered by code then language.
   *
   * @example `await repository.listPlatformTemplates('new_message')` → its languages, in order.
   */
  listPlatformTemplates(code?: string): Promise<EmailTemplate[]>;
  /** @example `await repository.getPlatformTemplate('new_message', 'de')` → the template or null. */
  getPlatformTemplate(code: string, language: string): Promise<EmailTemplate | null>;
  /**
   * Inserts or replaces a platform template (keeps the first `createdAt`).
   *
   * @example `await repository.savePlatformTemplate({ ...template, subject: 'Hi', updatedAt: now })`
   */
  savePlatformTemplate(template: EmailTemplate, audit?: AuditEntry): Promise<EmailTemplate>;
  /**
   * Removes one language version of a platform template (stores' overrides stay).
   *
   * @example `await repository.deletePlatformTemplate('order_shipped', 'es')` → true when one was removed.
   */
  deletePlatformTemplate(code: string, language: string, audit?: AuditEntry): Promise<boolean>;
  /**
   * How many store overrides of a code exist, in every store and language (whether a template is
   * in use by stores). Reads only.
   *
   * @example `await repository.countStoreOverrides('new_message')` → 3
   */
  countStoreOverrides(code: string): Promise<number>;
  /**
   * A store's overrides (or one code's), ordered by code then language.
   *
   * @example `await repository.listStoreTemplates('acme', 'new_message')` → that code's overrides.
   */
  listStoreTemplates(storeId: string, code?: string): Promise<StoreEmailTemplate[]>;
  /** @example `await repository.getStoreTemplate('acme', 'new_message', 'fr')` → the override or null. */
  getStoreTemplate(storeId: string, code: string, language: string): Promise<StoreEmailTemplate | null>;
  /**
   * Inserts or replaces a store's override (keeps the first `createdAt`). `NOT_FOUND` when the
   * store is not in the directory (database adapters enforce it with a foreign key).
   *
   * @example `await repository.saveStoreTemplate({ storeId: 'acme', code: 'new_message', … })`
   */
  saveStoreTemplate(template: StoreEmailTemplate, audit?: AuditEntry): Promise<StoreEmailTemplate>;
  /** @example `await repository.deleteStoreTemplate('acme', 'new_message', 'fr')` → true when one was removed. */
  deleteStoreTemplate(storeId: string, code: string, language: string, audit?: AuditEntry): Promise<boolean>;
}
