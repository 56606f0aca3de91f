import type { ModerationSettings, ModerationSettingsRepository } from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import type { Database } from '../database-types.js';

/**
 * Tenants' moderation configurations in `moderation_settings` (migration 0024): one JSON
 * document per tenant, replaced whole by `put` (`insert … on conflict do update`).
 *
 * @example
 * ```ts
 * const settings = new KyselyModerationSettingsRepository(db);
 * await settings.put('store-1', { ...defaults, contactDetails: { ...defaults.contactDetails, action: 'hold' } }, new Date());
 * ```
 */
export class KyselyModerationSettingsRepository implements ModerationSettingsRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(tenantId: string): Promise<ModerationSettings | null> {
    const row = await this.#db
      .selectFrom('moderation_settings')
      .select('settings')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (row === undefined) return null;
    // `pg` parses jsonb; PGlite too. A string would be a driver that does not.
    const value = typeof row.settings === 'string' ? JSON.parse(row.settings) : row.settings;
    return value as ModerationSettings;
  }

  async put(tenantId: string, settings: ModerationSettings, at: Date): Promise<void> {
    const json = JSON.stringify(settings);
    await this.#db
      .insertInto('moderation_settings')
      .values({ tenant_id: tenantId, settings: json, updated_at: at })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ settings: json, updated_at: at }))
      .execute();
  }
}
