import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { AuditLog } from '../../kernel/audit/audit-log.js';
import { MessagingError } from '../../kernel/errors.js';
import type { TenantDirectory } from '../../kernel/ports/tenant-directory.js';
import type { StoreEmailSettings } from '../model/store-email-settings.js';
import type { StoreEmailSettingsRepository } from '../ports/store-email-settings-repository.js';
import type { StoreEmailSettingsRawReader } from './contracts/raw-readers.js';

/**
 * Store email settings in memory. Given a directory, it refuses settings for an unknown store
 * like the database's foreign key does.
 *
 * @example
 * ```ts
 * const repository = new InMemoryStoreEmailSettingsRepository(directory);
 * ```
 */
export class InMemoryStoreEmailSettingsRepository implements StoreEmailSettingsRepository {
  readonly #settings = new Map<string, StoreEmailSettings>();
  readonly #directory: TenantDirectory | undefined;

  readonly #audit: AuditLog | undefined;

  /** @param audit where `upsert`'s audit rows go (absent: they are dropped). */
  constructor(directory?: TenantDirectory, audit?: AuditLog) {
    this.#directory = directory;
    this.#audit = audit;
  }

  async get(storeId: string): Promise<StoreEmailSettings | null> {
    const settings = this.#settings.get(storeId);
    return settings ? structuredClone(settings) : null;
  }

  async upsert(settings: StoreEmailSettings, audit?: AuditEntry): Promise<StoreEmailSettings> {
    if (this.#directory && !(await this.#directory.getTenant(settings.storeId)))
      throw MessagingError.notFound('store', settings.storeId);
    const existing = this.#settings.get(settings.storeId);
    const stored = { ...settings, createdAt: existing?.createdAt ?? settings.createdAt };
    this.#settings.set(settings.storeId, structuredClone(stored));
    if (audit !== undefined) await this.#audit?.append([audit]);
    return structuredClone(stored);
  }

  readonly raw: StoreEmailSettingsRawReader = {
    settings: async (storeId) => this.#settings.get(storeId) ?? null,
  };
}
