import {
  type AuditEntry,
  MessagingError,
  type StoreEmailSettings,
  type StoreEmailSettingsRepository,
} from '@parley/messaging-core';
import type { Kysely } from 'kysely';
import { insertAuditEntries } from '../audit/kysely-audit-log.js';
import type { Database } from '../database-types.js';
import { isPostgresError, SQLSTATE } from '../postgres-errors.js';
import { storeEmailSettingsRow, toStoreEmailSettings } from './email-row-mappers.js';

export interface KyselyStoreEmailSettingsRepositoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
}

/**
 * Store email settings in PostgreSQL (`store_email_settings`, one row per store, foreign key to
 * `stores`). Secret columns hold the tokens the core gives it; this adapter never sees plaintext.
 *
 * @example
 * ```ts
 * const repository = new KyselyStoreEmailSettingsRepository({ db: database.db });
 * await repository.get('acme');
 * ```
 */
export class KyselyStoreEmailSettingsRepository implements StoreEmailSettingsRepository {
  readonly #db: Kysely<Database>;

  constructor(config: KyselyStoreEmailSettingsRepositoryConfig) {
    this.#db = config.db;
  }

  /** @example `await repository.get('acme')` */
  async get(storeId: string): Promise<StoreEmailSettings | null> {
    const row = await this.#db
      .selectFrom('store_email_settings')
      .selectAll()
      .where('store_id', '=', storeId)
      .executeTakeFirst();
    return row === undefined ? null : toStoreEmailSettings(row);
  }

  /**
   * `insert … on conflict (store_id) do update`, keeping the first `created_at`.
   *
   * @example `await repository.upsert(settings)`
   */
  async upsert(settings: StoreEmailSettings, audit?: AuditEntry): Promise<StoreEmailSettings> {
    const row = storeEmailSettingsRow(settings);
    const { store_id: _key, created_at: _created, ...updates } = row;
    const write = (db: Kysely<Database>) =>
      db
        .insertInto('store_email_settings')
        .values(row)
        .onConflict((oc) => oc.column('store_id').doUpdateSet(updates))
        .returningAll()
        .executeTakeFirstOrThrow();
    try {
      // With an audit row: both in one transaction (the change and its record commit together).
      const saved =
        audit === undefined
          ? await write(this.#db)
          : await this.#db.transaction().execute(async (trx) => {
              const written = await write(trx);
              await insertAuditEntries(trx, [audit]);
              return written;
            });
      return toStoreEmailSettings(saved);
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.foreignKeyViolation, 'store_email_settings_store_id_fkey'))
        throw MessagingError.notFound('store', settings.storeId);
      throw error;
    }
  }
}
