import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { StoreEmailSettings } from '../model/store-email-settings.js';

/**
 * Stores' email settings, one row per store, secrets as the `SecretCipher` tokens they are given.
 *
 * @example
 * ```ts
 * await repository.upsert(settings);
 * (await repository.get('acme'))?.provider; // "sendgrid"
 * ```
 */
export interface StoreEmailSettingsRepository {
  /** @example `await repository.get('acme')` → the settings, or null when the store never saved any. */
  get(storeId: string): Promise<StoreEmailSettings | null>;
  /**
   * Inserts or replaces the store's settings (keeps the first `createdAt`). `NOT_FOUND` when the
   * store is not in the directory (database adapters enforce it with a foreign key). With
   * `audit`, appends that audit row in the same transaction (an admin-visible change: who changed
   * which fields, secrets masked).
   *
   * @example `await repository.upsert({ ...settings, isVerified: true, updatedAt: now })`
   */
  upsert(settings: StoreEmailSettings, audit?: AuditEntry): Promise<StoreEmailSettings>;
}
