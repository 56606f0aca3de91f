import type { ModerationSettings } from '../model/moderation.js';

/**
 * Each tenant's own moderation configuration (the preset's defaults apply where a tenant has
 * none). `put` replaces the tenant's whole configuration; no event: nothing else reacts to it.
 */
export interface ModerationSettingsRepository {
  /** The tenant's stored configuration, or null when it never saved one. */
  get(tenantId: string): Promise<ModerationSettings | null>;
  /** Stores (inserts or replaces) the tenant's configuration. */
  put(tenantId: string, settings: ModerationSettings, at: Date): Promise<void>;
}
