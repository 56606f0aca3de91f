import type { ModerationSettings } from '../model/moderation.js';
import type { ModerationSettingsRepository } from '../ports/moderation-settings-repository.js';

/** Tenants' moderation configurations in a map (copied in and out, like a database would). */
export class InMemoryModerationSettingsRepository implements ModerationSettingsRepository {
  readonly #byTenant = new Map<string, string>();

  async get(tenantId: string): Promise<ModerationSettings | null> {
    const stored = this.#byTenant.get(tenantId);
    return stored === undefined ? null : (JSON.parse(stored) as ModerationSettings);
  }

  async put(tenantId: string, settings: ModerationSettings, _at: Date): Promise<void> {
    this.#byTenant.set(tenantId, JSON.stringify(settings));
  }
}
