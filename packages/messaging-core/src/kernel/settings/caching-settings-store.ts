import type { AuditEntry } from '../audit/audit-entry.js';
import type { Clock } from '../ports/clock.js';
import type { SettingsStore, StoredSetting } from '../ports/settings-store.js';
import { changedSettingKey } from './settings-events.js';

export interface CachingSettingsStoreOptions {
  readonly clock: Clock;
  /**
   * The longest a value is served without reading the store again, in milliseconds (default
   * 60,000): a safety net for a process whose log tail stalls. `observe` keeps values fresh.
   */
  readonly ttlMs?: number;
}

/**
 * A per-process cache in front of a settings store's `get`: the send path reads a setting on every
 * message, and settings change a few times a year. Absent keys are cached too (there are few
 * keys, all known). A key is dropped when this process writes it (`set`), when the process reads
 * a `settings.changed` event naming it from the log (`observe`), and after `ttlMs` whatever
 * happens; a read that started before a change was observed does not store what it read.
 *
 * @example
 * ```ts
 * const settings = new CachingSettingsStore(new KyselySettingsStore({ db }), { clock: systemClock });
 * createMessagingCore({ store, directory, settings, settingsCacheTtlMs: 0 });
 * onEventsRead = (events) => settings.observe(events); // the process's log tail
 * ```
 */
export class CachingSettingsStore implements SettingsStore {
  readonly #inner: SettingsStore;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #values = new Map<string, { readonly setting: StoredSetting | null; readonly until: number }>();
  #generation = 0;

  constructor(inner: SettingsStore, options: CachingSettingsStoreOptions) {
    this.#inner = inner;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 60_000;
  }

  async get(key: string): Promise<StoredSetting | null> {
    const now = this.#clock.now().getTime();
    const cached = this.#values.get(key);
    if (cached !== undefined && cached.until > now) return cached.setting;
    const generation = this.#generation;
    const setting = await this.#inner.get(key);
    if (generation === this.#generation) this.#values.set(key, { setting, until: now + this.#ttlMs });
    return setting;
  }

  /** Writes through, then drops the key here (other processes drop it when they read the event). */
  async set(setting: StoredSetting, audit?: AuditEntry): Promise<void> {
    try {
      await this.#inner.set(setting, audit);
    } finally {
      this.invalidate(setting.key);
    }
  }

  list(): Promise<StoredSetting[]> {
    return this.#inner.list();
  }

  /** Drops the keys `settings.changed` events name (other events are ignored). */
  observe(events: readonly { readonly type: string; readonly payload: unknown }[]): void {
    for (const event of events) {
      const key = changedSettingKey(event);
      if (key !== null) this.invalidate(key);
    }
  }

  invalidate(key: string): void {
    this.#generation += 1;
    this.#values.delete(key);
  }

  /** Drops everything (the log tail restarted and may have missed changes). */
  clear(): void {
    this.#generation += 1;
    this.#values.clear();
  }
}
