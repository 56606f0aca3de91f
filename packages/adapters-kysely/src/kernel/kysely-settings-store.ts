import {
  type AuditEntry,
  SETTINGS_CHANGED,
  type SettingsStore,
  type SettingValue,
  type StoredSetting,
} from '@parley/messaging-core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, PlatformSettingsTable } from '../database-types.js';
import { writeKernelChange } from './kernel-change-log.js';

export interface KyselySettingsStoreConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /**
   * Called after a write committed its `settings.changed` event, with the event's id (wire it
   * like `KyselyMessagingStore`'s, to wake the log tails).
   */
  readonly onEventsCommitted?: (newestId: string) => void;
}

function toSetting(row: Selectable<PlatformSettingsTable>): StoredSetting {
  return {
    key: row.key,
    value: row.value as SettingValue,
    category: row.category,
    updatedAt: row.updated_at,
  };
}

/**
 * Platform settings in PostgreSQL (`platform_settings`, one `jsonb` value per key). Stores what
 * it is given; defaults and validation live in the core's `PlatformSettings`.
 *
 * @example
 * ```ts
 * const settings = new PlatformSettings(new KyselySettingsStore({ db: database.db }), systemClock);
 * ```
 */
export class KyselySettingsStore implements SettingsStore {
  readonly #db: Kysely<Database>;
  readonly #committed: ((newestId: string) => void) | undefined;

  constructor(config: KyselySettingsStoreConfig) {
    this.#db = config.db;
    this.#committed = config.onEventsCommitted;
  }

  /**
   * @example
   * ```ts
   * (await settingsStore.get('message_max_length'))?.value; // 10000
   * ```
   */
  async get(key: string): Promise<StoredSetting | null> {
    const row = await this.#db
      .selectFrom('platform_settings')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? null : toSetting(row);
  }

  /**
   * Inserts or replaces the setting (`insert ... on conflict do update`) and appends
   * `settings.changed` to the event log in the same transaction (caches in every process drop it).
   *
   * @example
   * ```ts
   * await settingsStore.set({ key: 'message_max_length', value: 5000, category: 'messaging', updatedAt: now });
   * ```
   */
  async set(setting: StoredSetting, audit?: AuditEntry): Promise<void> {
    // Serialized here and cast from text, so both drivers store the same JSON (pg would turn a
    // JS array into a PostgreSQL array literal).
    const value = sql<string>`cast(${JSON.stringify(setting.value)}::text as jsonb)`;
    await writeKernelChange(this.#db, this.#committed, setting.updatedAt, async (trx) => {
      await trx
        .insertInto('platform_settings')
        .values({ key: setting.key, value, category: setting.category, updated_at: setting.updatedAt })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            category: eb.ref('excluded.category'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
      return {
        value: undefined,
        change: { type: SETTINGS_CHANGED, tenantId: null, payload: { key: setting.key } },
        ...(audit === undefined ? {} : { audit: [audit] }),
      };
    });
  }

  /**
   * Every stored setting, ordered by key (byte order).
   *
   * @example
   * ```ts
   * for (const setting of await settingsStore.list()) console.log(setting.key, setting.value);
   * ```
   */
  async list(): Promise<StoredSetting[]> {
    const rows = await this.#db
      .selectFrom('platform_settings')
      .selectAll()
      .orderBy(sql`key collate "C"`)
      .execute();
    return rows.map(toSetting);
  }
}
