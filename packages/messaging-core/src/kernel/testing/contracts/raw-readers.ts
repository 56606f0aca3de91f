import type { StoredSetting } from '../../ports/settings-store.js';

export interface SettingsStoreRawReader {
  setting(key: string): Promise<StoredSetting | null>;
}
