import type { AuditEntry } from '../audit/audit-entry.js';

/** A JSON value as settings hold it. */
export type SettingValue =
  | string
  | number
  | boolean
  | null
  | SettingValue[]
  | { [key: string]: SettingValue };

export interface StoredSetting {
  readonly key: string;
  readonly value: SettingValue;
  readonly category: string;
  readonly updatedAt: Date;
}

/**
 * Raw persistence of platform settings. It stores what it is given; defaults and validation
 * live in the core's `PlatformSettings`, so every adapter behaves the same.
 *
 * @example
 * ```ts
 * await settingsStore.set({ key: 'message_attachment_max_size_mb', value: 5, category: 'messaging', updatedAt: now });
 * (await settingsStore.get('message_attachment_max_size_mb'))?.value; // 5
 * ```
 */
export interface SettingsStore {
  get(key: string): Promise<StoredSetting | null>;
  /**
   * Inserts or replaces the setting with this key; with `audit`, appends that audit row in the
   * same transaction (who changed it, from which request, the value's diff).
   */
  set(setting: StoredSetting, audit?: AuditEntry): Promise<void>;
  /** Every stored setting, ordered by key. */
  list(): Promise<StoredSetting[]>;
}
