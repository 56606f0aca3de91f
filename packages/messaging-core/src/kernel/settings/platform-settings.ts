import type { AuditEntry } from '../audit/audit-entry.js';
import { originColumns } from '../audit/audit-entry.js';
import { MessagingError } from '../errors.js';
import type { Actor } from '../model/participant-ref.js';
import type { Clock } from '../ports/clock.js';
import type { SettingsStore, SettingValue, StoredSetting } from '../ports/settings-store.js';

/** A known platform setting: its default, category and validation. */
export interface SettingDefinition<T extends SettingValue = SettingValue> {
  readonly key: string;
  readonly category: string;
  readonly description: string;
  readonly defaultValue: T;
  /** Returns the value to store, or throws `VALIDATION` naming `value`. */
  parse(value: unknown): T;
}

function positiveNumber(key: string, max: number) {
  return (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      throw MessagingError.validation('value', `${key} must be a number above 0 and at most ${max}`);
    }
    return value;
  };
}

function positiveInteger(key: string, max: number) {
  return (value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
      throw MessagingError.validation('value', `${key} must be an integer between 1 and ${max}`);
    }
    return value;
  };
}

/** The settings Parley knows, with their defaults. */
export const SETTING_DEFINITIONS = {
  message_attachment_max_size_mb: {
    key: 'message_attachment_max_size_mb',
    category: 'messaging',
    description: 'Largest attachment accepted, in megabytes (per file).',
    defaultValue: 10,
    parse: positiveNumber('message_attachment_max_size_mb', 1024),
  },
  message_attachment_max_files: {
    key: 'message_attachment_max_files',
    category: 'messaging',
    description: 'Most files attached to one message.',
    defaultValue: 10,
    parse: positiveInteger('message_attachment_max_files', 100),
  },
  message_max_length: {
    key: 'message_max_length',
    category: 'messaging',
    description: 'Longest message content, in characters, after trimming.',
    defaultValue: 10_000,
    parse: positiveInteger('message_max_length', 100_000),
  },
  message_edit_window_minutes: {
    key: 'message_edit_window_minutes',
    category: 'messaging',
    description:
      "How long after sending a message its sender may edit it, in minutes (the policy may refuse earlier, e.g. a customer's message once answered).",
    defaultValue: 15,
    parse: positiveInteger('message_edit_window_minutes', 10_080),
  },
  audit_log_retention_days: {
    key: 'audit_log_retention_days',
    category: 'audit',
    description: 'How long audit log rows are kept, in days; the worker deletes older ones.',
    defaultValue: 365,
    parse: positiveInteger('audit_log_retention_days', 36_500),
  },
} as const satisfies Record<string, SettingDefinition<number>>;

export type SettingKey = keyof typeof SETTING_DEFINITIONS;

export interface ResolvedSetting {
  readonly key: string;
  readonly value: SettingValue;
  readonly category: string;
  /** True when nothing is stored and the default applies. */
  readonly isDefault: boolean;
}

/**
 * Typed access to platform settings: defaults for what is not stored, validation for what is
 * written. Read at use time, so a change applies to the next request.
 *
 * @example
 * ```ts
 * const settings = new PlatformSettings(settingsStore, clock);
 * await settings.number('message_attachment_max_size_mb'); // 10 until an admin changes it
 * await settings.update('message_attachment_max_size_mb', 5);
 * ```
 */
export interface PlatformSettingsOptions {
  /**
   * How long a value read from the store is reused, in milliseconds (default 1000; 0 reads the
   * store every time). `update` through this object clears the cache at once, so in one process
   * a change applies to the very next request; other processes see it within this time.
   */
  readonly cacheTtlMs?: number;
}

export class PlatformSettings {
  readonly #store: SettingsStore;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { setting: StoredSetting | null; readAt: number }>();

  constructor(store: SettingsStore, clock: Clock, options: PlatformSettingsOptions = {}) {
    this.#store = store;
    this.#clock = clock;
    this.#ttlMs = options.cacheTtlMs ?? 1000;
  }

  // The send path reads a setting on every message; a short cache spares a round trip each time.
  async #read(key: string): Promise<StoredSetting | null> {
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(key);
    if (cached && now - cached.readAt < this.#ttlMs && now >= cached.readAt) return cached.setting;
    const setting = await this.#store.get(key);
    if (this.#ttlMs > 0) this.#cache.set(key, { setting, readAt: now });
    return setting;
  }

  static isKnown(key: string): key is SettingKey {
    return Object.hasOwn(SETTING_DEFINITIONS, key);
  }

  async number(key: SettingKey): Promise<number> {
    const definition = SETTING_DEFINITIONS[key];
    const stored = await this.#read(key);
    if (stored === null) return definition.defaultValue;
    try {
      return definition.parse(stored.value);
    } catch {
      // A value written around this class (by hand in the database) must not break sends.
      return definition.defaultValue;
    }
  }

  async get(key: string): Promise<ResolvedSetting> {
    if (!PlatformSettings.isKnown(key)) throw MessagingError.notFound('setting', key);
    const definition = SETTING_DEFINITIONS[key];
    const stored = await this.#read(key);
    return stored === null
      ? { key, value: definition.defaultValue, category: definition.category, isDefault: true }
      : { key, value: stored.value, category: stored.category, isDefault: false };
  }

  async list(): Promise<ResolvedSetting[]> {
    return Promise.all(Object.keys(SETTING_DEFINITIONS).map((key) => this.get(key)));
  }

  /**
   * Validates and stores a setting. With `by` (the admin making the change), the store appends an
   * audit row in the same transaction: `settings.update` on the setting, `{ value: { from, to } }`
   * (`from` is the default when nothing was stored).
   */
  async update(key: string, value: unknown, by?: Actor): Promise<ResolvedSetting> {
    if (!PlatformSettings.isKnown(key)) throw MessagingError.notFound('setting', key);
    const definition: SettingDefinition = SETTING_DEFINITIONS[key];
    const parsed = definition.parse(value);
    const now = this.#clock.now();
    const setting: StoredSetting = { key, value: parsed, category: definition.category, updatedAt: now };
    if (by === undefined) {
      await this.#store.set(setting);
    } else {
      const previous = await this.#store.get(key);
      const { role, ...request } = originColumns(by.origin);
      const audit: AuditEntry = {
        actor: { type: by.type, id: by.id, role },
        tenantId: null,
        action: 'settings.update',
        target: { type: 'setting', id: key },
        ...request,
        occurredAt: now,
        diff: { value: { from: previous?.value ?? definition.defaultValue, to: parsed } },
      };
      await this.#store.set(setting, audit);
    }
    this.#cache.delete(key);
    return { key, value: parsed, category: definition.category, isDefault: false };
  }
}
