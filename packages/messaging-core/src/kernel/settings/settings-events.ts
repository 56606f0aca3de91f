/**
 * The event a settings store writes, in the same transaction, when a platform setting is written:
 * processes that cache settings (`CachingSettingsStore`) drop that key when they read it from the log.
 */
export const SETTINGS_CHANGED = 'settings.changed';

/** The payload of `settings.changed`. */
export interface SettingsChangedPayload {
  readonly key: string;
}

/** The setting key a `settings.changed` event names; null for any other event. */
export function changedSettingKey(event: {
  readonly type: string;
  readonly payload: unknown;
}): string | null {
  if (event.type !== SETTINGS_CHANGED) return null;
  const payload = event.payload as Partial<SettingsChangedPayload> | null;
  return typeof payload?.key === 'string' ? payload.key : null;
}
