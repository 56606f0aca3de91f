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

  async get(key: string): Promise<StoredSetting | null> {
    const setting = this.#settings.get(key);
    return setting ? structuredClone(setting) : null;
  }

  async set(setting: StoredSetting): Promise<void> {
    this.#settings.set(setting.key, structuredClone(setting));
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
