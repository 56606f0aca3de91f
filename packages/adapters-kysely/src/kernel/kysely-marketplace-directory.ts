import {
  type CustomerRecord,
  DIRECTORY_CHANGED,
  type DirectoryChangedPayload,
  type DirectoryEntry,
  type MarketplaceDirectory,
  MessagingError,
  type ParticipantRef,
  type PlatformUserRecord,
  participantKey,
  type RecipientQuery,
  type StoreRecord,
  type UpsertCustomer,
  type UpsertPlatformUser,
  type UpsertStore,
} from '@parley/messaging-core';
import { type Expression, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { CustomersTable, Database, PlatformUsersTable, StoresTable } from '../database-types.js';
import { isPostgresError, SQLSTATE } from '../postgres-errors.js';
import { directoryChange, type KernelChange, writeKernelChange } from './kernel-change-log.js';

export interface KyselyMarketplaceDirectoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /**
   * Called after a write that changed an existing person committed its `directory.changed`
   * event, with the event's id (wire it like `KyselyMessagingStore`'s, to wake the log tails).
   */
  readonly onEventsCommitted?: (newestId: string) => void;
  /**
   * Called after such a write committed, with whose entry changed: this process's cache drops it
   * at once (read-your-writes), before its log tail reads the event.
   */
  readonly onChanged?: (change: DirectoryChangedPayload) => void;
}

function toStore(row: Selectable<StoresTable>): StoreRecord {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    ...(row.language === null ? {} : { language: row.language }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPlatformUser(row: Selectable<PlatformUsersTable>): PlatformUserRecord {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    storeId: row.store_id,
    locale: row.locale,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toCustomer(row: Selectable<CustomersTable>): CustomerRecord {
  return {
    id: row.id,
    storeId: row.store_id,
    name: row.name,
    email: row.email,
    locale: row.locale,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function userEntry(
  row: Pick<Selectable<PlatformUsersTable>, 'id' | 'role' | 'name' | 'email' | 'locale' | 'store_id'>,
): DirectoryEntry {
  return {
    ref: { type: row.role, id: row.id },
    name: row.name,
    email: row.email,
    locale: row.locale,
    storeId: row.store_id,
  };
}

function customerEntry(
  row: Pick<Selectable<CustomersTable>, 'id' | 'name' | 'email' | 'locale' | 'store_id'>,
): DirectoryEntry {
  return {
    ref: { type: 'customer', id: row.id },
    name: row.name,
    email: row.email,
    locale: row.locale,
    storeId: row.store_id,
  };
}

/** Participant types that are platform users, by role. */
function isUserRole(type: string): type is PlatformUserRecord['role'] {
  return type === 'admin' || type === 'store';
}

/**
 * The marketplace directory in PostgreSQL: `stores`, `platform_users` (participant types
 * `admin` and `store`, by role) and `customers` (type `customer`). Upserts are
 * `insert ... on conflict do update`, keeping `created_at`; a user or customer naming an unknown
 * store fails with `NOT_FOUND` (the foreign key refuses it).
 *
 * @example
 * ```ts
 * const directory = new KyselyMarketplaceDirectory({ db: database.db });
 * await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, new Date());
 * const entry = await directory.resolve({ type: 'store', id: 'u1' });
 * ```
 */
export class KyselyMarketplaceDirectory implements MarketplaceDirectory {
  readonly #db: Kysely<Database>;
  readonly #committed: (newestId: string, change: KernelChange) => void;

  constructor(config: KyselyMarketplaceDirectoryConfig) {
    this.#db = config.db;
    this.#committed = (newestId, change) => {
      config.onEventsCommitted?.(newestId);
      if (change.type === DIRECTORY_CHANGED) config.onChanged?.(change.payload);
    };
  }

  /**
   * @example
   * ```ts
   * const store = await directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, now);
   * ```
   */
  async upsertStore(store: UpsertStore, at: Date): Promise<StoreRecord> {
    const row = await this.#db
      .insertInto('stores')
      .values({
        id: store.id,
        name: store.name,
        tier: store.tier,
        language: store.language ?? null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          tier: eb.ref('excluded.tier'),
          language: eb.ref('excluded.language'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStore(row);
  }

  /**
   * @example
   * ```ts
   * const store = await directory.getStore('s1');
   * ```
   */
  async getStore(id: string): Promise<StoreRecord | null> {
    const row = await this.#db.selectFrom('stores').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toStore(row);
  }

  /**
   * The store, as a tenant (what the email use cases read: its name and tier).
   *
   * @example
   * ```ts
   * (await directory.getTenant('s1'))?.name; // "Acme"
   * ```
   */
  async getTenant(id: string): Promise<StoreRecord | null> {
    return this.getStore(id);
  }

  /**
   * `VALIDATION` (field `store_id`) for a store user without a store; `NOT_FOUND` for an unknown store.
   * An admin's `storeId` is stored as null.
   *
   * @example
   * ```ts
   * await directory.upsertPlatformUser({ id: 'u1', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' }, now);
   * ```
   */
  async upsertPlatformUser(user: UpsertPlatformUser, at: Date): Promise<PlatformUserRecord> {
    if (user.role === 'store' && user.storeId === null) {
      throw MessagingError.validation('store_id', 'store_id is required for role store');
    }
    if (user.role === 'admin' && user.storeId !== null && (await this.getStore(user.storeId)) === null) {
      throw MessagingError.notFound('store', user.storeId);
    }
    try {
      const row = await writeKernelChange(this.#db, this.#committed, at, async (trx) => {
        const row = await trx
          .insertInto('platform_users')
          .values({
            id: user.id,
            name: user.name,
            email: user.email,
            role: user.role,
            store_id: user.role === 'admin' ? null : user.storeId,
            locale: user.locale,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              email: eb.ref('excluded.email'),
              role: eb.ref('excluded.role'),
              store_id: eb.ref('excluded.store_id'),
              locale: eb.ref('excluded.locale'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returningAll()
          .returning(sql<boolean>`xmax <> 0`.as('replaced'))
          .executeTakeFirstOrThrow();
        return {
          value: row,
          change: row.replaced ? directoryChange(row.id, row.store_id, 'updated') : null,
        };
      });
      return toPlatformUser(row);
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.foreignKeyViolation) && user.storeId !== null) {
        throw MessagingError.notFound('store', user.storeId);
      }
      throw error;
    }
  }

  /**
   * @example
   * ```ts
   * const user = await directory.getPlatformUser('u1');
   * ```
   */
  async getPlatformUser(id: string): Promise<PlatformUserRecord | null> {
    const row = await this.#db
      .selectFrom('platform_users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toPlatformUser(row);
  }

  /**
   * `NOT_FOUND` for an unknown store.
   *
   * @example
   * ```ts
   * await directory.upsertCustomer({ id: 'c1', storeId: 's1', name: 'Ana', email: 'ana@example.com', locale: 'fr' }, now);
   * ```
   */
  async upsertCustomer(customer: UpsertCustomer, at: Date): Promise<CustomerRecord> {
    try {
      const row = await writeKernelChange(this.#db, this.#committed, at, async (trx) => {
        const row = await trx
          .insertInto('customers')
          .values({
            id: customer.id,
            store_id: customer.storeId,
            name: customer.name,
            email: customer.email,
            locale: customer.locale,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              store_id: eb.ref('excluded.store_id'),
              name: eb.ref('excluded.name'),
              email: eb.ref('excluded.email'),
              locale: eb.ref('excluded.locale'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returningAll()
          .returning(sql<boolean>`xmax <> 0`.as('replaced'))
          .executeTakeFirstOrThrow();
        return {
          value: row,
          change: row.replaced ? directoryChange(row.id, row.store_id, 'updated') : null,
        };
      });
      return toCustomer(row);
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.foreignKeyViolation))
        throw MessagingError.notFound('store', customer.storeId);
      throw error;
    }
  }

  /**
   * @example
   * ```ts
   * const customer = await directory.getCustomer('c1');
   * ```
   */
  async getCustomer(id: string): Promise<CustomerRecord | null> {
    const row = await this.#db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? null : toCustomer(row);
  }

  /**
   * @example
   * ```ts
   * if (await directory.isEmpty()) await seedDemoData(directory);
   * ```
   */
  async isEmpty(): Promise<boolean> {
    const { rows } = await sql<{ empty: boolean }>`
      select not (exists (select from stores) or exists (select from platform_users) or exists (select from customers)) as empty`.execute(
      this.#db,
    );
    return rows[0]?.empty ?? true;
  }

  /**
   * @example
   * ```ts
   * const entry = await directory.resolve({ type: 'customer', id: 'c1' });
   * ```
   */
  async resolve(ref: ParticipantRef): Promise<DirectoryEntry | null> {
    const found = await this.resolveMany([ref]);
    return found.get(participantKey(ref)) ?? null;
  }

  /**
   * At most two queries (platform users, customers) whatever the number of refs.
   *
   * @example
   * ```ts
   * const entries = await directory.resolveMany([{ type: 'customer', id: 'c1' }, { type: 'store', id: 'u1' }]);
   * entries.get('customer:c1')?.name;
   * ```
   */
  async resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>> {
    const result = new Map<string, DirectoryEntry>();
    const userIds = [...new Set(refs.filter((ref) => isUserRole(ref.type)).map((ref) => ref.id))];
    const customerIds = [...new Set(refs.filter((ref) => ref.type === 'customer').map((ref) => ref.id))];
    const wanted = new Set(refs.map(participantKey));
    if (userIds.length > 0) {
      const rows = await this.#db
        .selectFrom('platform_users')
        .select(['id', 'role', 'name', 'email', 'locale', 'store_id'])
        .where('id', 'in', userIds)
        .execute();
      for (const row of rows) {
        const entry = userEntry(row);
        // Only under the participant type matching the role: an admin is not a `store` participant.
        if (wanted.has(participantKey(entry.ref))) result.set(participantKey(entry.ref), entry);
      }
    }
    if (customerIds.length > 0) {
      const rows = await this.#db
        .selectFrom('customers')
        .select(['id', 'name', 'email', 'locale', 'store_id'])
        .where('id', 'in', customerIds)
        .execute();
      for (const row of rows)
        result.set(participantKey({ type: 'customer', id: row.id }), customerEntry(row));
    }
    return result;
  }

  /**
   * Case-insensitive substring match on name or email (no wildcards: `%` and `_` match
   * themselves), ordered by name then id (byte order), limited.
   *
   * @example
   * ```ts
   * const customers = await directory.searchRecipients({ type: 'customer', storeId: 's1', query: 'ana', limit: 20 });
   * ```
   */
  async searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    const needle = query.query?.trim().toLowerCase() ?? '';
    const matches = (name: Expression<string>, email: Expression<string>): Expression<SqlBool> =>
      sql<SqlBool>`(strpos(lower(${name}), ${needle}) > 0 or strpos(lower(${email}), ${needle}) > 0)`;

    if (query.type === 'customer') {
      let select = this.#db.selectFrom('customers').select(['id', 'name', 'email', 'locale', 'store_id']);
      if (query.storeId !== undefined) select = select.where('store_id', '=', query.storeId);
      if (needle !== '') select = select.where((eb) => matches(eb.ref('name'), eb.ref('email')));
      const rows = await select
        .orderBy(sql`name collate "C"`)
        .orderBy(sql`id collate "C"`)
        .limit(limit)
        .execute();
      return rows.map(customerEntry);
    }
    if (!isUserRole(query.type)) return [];
    let select = this.#db
      .selectFrom('platform_users')
      .select(['id', 'role', 'name', 'email', 'locale', 'store_id'])
      .where('role', '=', query.type);
    if (query.storeId !== undefined) select = select.where('store_id', '=', query.storeId);
    if (needle !== '') select = select.where((eb) => matches(eb.ref('name'), eb.ref('email')));
    const rows = await select
      .orderBy(sql`name collate "C"`)
      .orderBy(sql`id collate "C"`)
      .limit(limit)
      .execute();
    return rows.map(userEntry);
  }
}
