import type { AuditEntry } from '../audit/audit-entry.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { SettingsStore, StoredSetting } from '../ports/settings-store.js';
import type { SettingsStoreRawReader } from './contracts/raw-readers.js';

/**
 * Platform settings in memory.
 *
 * @example
 * ```ts
 * const settings = new PlatformSettings(new InMemorySettingsStore(), clock);
 * ```
 */
export class InMemorySettingsStore implements SettingsStore {
  readonly #settings = new Map<string, StoredSetting>();
  readonly #audit: AuditLog | undefined;

  /** @param options.audit where `set`'s audit rows go (absent: they are dropped). */
  constructor(options: { readonly audit?: AuditLog } = {}) {
    this.#audit = options.audit;
  }

  async get(key: string): Promise<StoredSetting | null> {
    const setting = this.#settings.get(key);
    return setting ? structuredClone(setting) : null;
  }

  async set(setting: StoredSetting, audit?: AuditEntry): Promise<void> {
    this.#settings.set(setting.key, structuredClone(setting));
    if (audit !== undefined) await this.#audit?.append([audit]);
  }

  async list(): Promise<StoredSetting[]> {
    return [...this.#settings.values()]
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((s) => structuredClone(s));
  }

  readonly raw: SettingsStoreRawReader = {
    setting: async (key) => this.#settings.get(key) ?? null,
  };
}
