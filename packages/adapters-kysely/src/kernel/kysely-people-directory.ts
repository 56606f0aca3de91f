import {
  DIRECTORY_CHANGED,
  type DirectoryChangedPayload,
  type DirectoryEntry,
  MessagingError,
  type ParticipantRef,
  type PeopleDirectory,
  type PersonRecord,
  participantKey,
  type RecipientQuery,
  type TenantRecord,
  type UpsertPerson,
  type UpsertTenant,
} from '@parley/messaging-core';
import { type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { Database, DirectoryPeopleTable, DirectoryTenantsTable } from '../database-types.js';
import { isPostgresError, SQLSTATE } from '../postgres-errors.js';
import { directoryChange, type KernelChange, writeKernelChange } from './kernel-change-log.js';

export interface KyselyPeopleDirectoryConfig {
  /** The migrated database (see `createDatabase` and `migrateToLatest`). */
  readonly db: Kysely<Database>;
  /**
   * Called after a write that changed or removed an existing person committed its
   * `directory.changed` event, with the event's id (wire it to wake the log tails).
   */
  readonly onEventsCommitted?: (newestId: string) => void;
  /**
   * Called after such a write committed, with whose entry changed: this process's cache drops it
   * at once (read-your-writes), before its log tail reads the event.
   */
  readonly onChanged?: (change: DirectoryChangedPayload) => void;
}

type EntryRow = Pick<
  Selectable<DirectoryPeopleTable>,
  'type' | 'id' | 'name' | 'email' | 'locale' | 'tenant_id'
>;

const ENTRY_COLUMNS = ['type', 'id', 'name', 'email', 'locale', 'tenant_id'] as const;

function toTenant(row: Selectable<DirectoryTenantsTable>): TenantRecord {
  return {
    id: row.id,
    name: row.name,
    ...(row.language === null ? {} : { language: row.language }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toPerson(row: Selectable<DirectoryPeopleTable>): PersonRecord {
  return {
    type: row.type,
    id: row.id,
    name: row.name,
    email: row.email,
    locale: row.locale,
    tenantId: row.tenant_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toEntry(row: EntryRow): DirectoryEntry {
  return {
    ref: { type: row.type, id: row.id },
    name: row.name,
    email: row.email,
    locale: row.locale,
    storeId: row.tenant_id,
  };
}

/**
 * The people directory in PostgreSQL: `directory_tenants` and `directory_people` (primary key
 * (type, id), an index on id for `findById`). Upserts are `insert ... on conflict do update`,
 * keeping `created_at`; a person naming an unknown tenant fails with `NOT_FOUND` (the foreign
 * key refuses it, nothing is written).
 *
 * @example
 * ```ts
 * const people = new KyselyPeopleDirectory({ db: database.db });
 * await people.upsertTenant({ id: 'north', name: 'North School' }, new Date());
 * await people.upsertPerson({ type: 'student', id: 'ana', name: 'Ana', email: null, locale: 'en', tenantId: 'north' }, new Date());
 * ```
 */
export class KyselyPeopleDirectory implements PeopleDirectory {
  readonly #db: Kysely<Database>;

  readonly #committed: (newestId: string, change: KernelChange) => void;

  constructor(config: KyselyPeopleDirectoryConfig) {
    this.#db = config.db;
    this.#committed = (newestId, change) => {
      config.onEventsCommitted?.(newestId);
      if (change.type === DIRECTORY_CHANGED) config.onChanged?.(change.payload);
    };
  }

  async upsertTenant(tenant: UpsertTenant, at: Date): Promise<TenantRecord> {
    const row = await this.#db
      .insertInto('directory_tenants')
      .values({
        id: tenant.id,
        name: tenant.name,
        language: tenant.language ?? null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          language: eb.ref('excluded.language'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toTenant(row);
  }

  async getTenant(id: string): Promise<TenantRecord | null> {
    const row = await this.#db
      .selectFrom('directory_tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? null : toTenant(row);
  }

  /** `NOT_FOUND` (`tenant {id} not found`) for an unknown tenant. */
  async upsertPerson(person: UpsertPerson, at: Date): Promise<PersonRecord> {
    try {
      const row = await writeKernelChange(this.#db, this.#committed, at, async (trx) => {
        const row = await trx
          .insertInto('directory_people')
          .values({
            type: person.type,
            id: person.id,
            name: person.name,
            email: person.email,
            locale: person.locale,
            tenant_id: person.tenantId,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc.columns(['type', 'id']).doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              email: eb.ref('excluded.email'),
              locale: eb.ref('excluded.locale'),
              tenant_id: eb.ref('excluded.tenant_id'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .returningAll()
          .returning(sql<boolean>`xmax <> 0`.as('replaced'))
          .executeTakeFirstOrThrow();
        return {
          value: row,
          change: row.replaced ? directoryChange(row.id, row.tenant_id, 'updated') : null,
        };
      });
      return toPerson(row);
    } catch (error) {
      if (isPostgresError(error, SQLSTATE.foreignKeyViolation) && person.tenantId !== null)
        throw MessagingError.notFound('tenant', person.tenantId);
      throw error;
    }
  }

  async getPerson(ref: ParticipantRef): Promise<PersonRecord | null> {
    const row = await this.#db
      .selectFrom('directory_people')
      .selectAll()
      .where('type', '=', ref.type)
      .where('id', '=', ref.id)
      .executeTakeFirst();
    return row === undefined ? null : toPerson(row);
  }

  async removePerson(ref: ParticipantRef): Promise<boolean> {
    return writeKernelChange(this.#db, this.#committed, new Date(), async (trx) => {
      const removed = await trx
        .deleteFrom('directory_people')
        .where('type', '=', ref.type)
        .where('id', '=', ref.id)
        .returning(['id', 'tenant_id'])
        .executeTakeFirst();
      return {
        value: removed !== undefined,
        change: removed === undefined ? null : directoryChange(removed.id, removed.tenant_id, 'removed'),
      };
    });
  }

  async findById(id: string): Promise<DirectoryEntry[]> {
    const rows = await this.#db
      .selectFrom('directory_people')
      .select(ENTRY_COLUMNS)
      .where('id', '=', id)
      .orderBy(sql`type collate "C"`)
      .execute();
    return rows.map(toEntry);
  }

  async isEmpty(): Promise<boolean> {
    const { rows } = await sql<{ empty: boolean }>`
      select not (exists (select from directory_tenants) or exists (select from directory_people)) as empty`.execute(
      this.#db,
    );
    return rows[0]?.empty ?? true;
  }

  async resolve(ref: ParticipantRef): Promise<DirectoryEntry | null> {
    const found = await this.resolveMany([ref]);
    return found.get(participantKey(ref)) ?? null;
  }

  /** One query whatever the number of refs (matched on (type, id) pairs). */
  async resolveMany(refs: readonly ParticipantRef[]): Promise<Map<string, DirectoryEntry>> {
    const result = new Map<string, DirectoryEntry>();
    if (refs.length === 0) return result;
    const unique = [...new Map(refs.map((ref) => [participantKey(ref), ref])).values()];
    const rows = await this.#db
      .selectFrom('directory_people')
      .select(ENTRY_COLUMNS)
      .where((eb) => eb.or(unique.map((ref) => eb.and([eb('type', '=', ref.type), eb('id', '=', ref.id)]))))
      .execute();
    for (const row of rows) result.set(participantKey({ type: row.type, id: row.id }), toEntry(row));
    return result;
  }

  /**
   * Case-insensitive substring match on name or email (no wildcards: `%` and `_` match
   * themselves), ordered by name then id (byte order), limited.
   */
  async searchRecipients(query: RecipientQuery): Promise<DirectoryEntry[]> {
    const limit = Math.max(0, Math.floor(query.limit));
    const needle = query.query?.trim().toLowerCase() ?? '';
    let select = this.#db.selectFrom('directory_people').select(ENTRY_COLUMNS).where('type', '=', query.type);
    if (query.storeId !== undefined) select = select.where('tenant_id', '=', query.storeId);
    if (needle !== '')
      select = select.where(
        sql<SqlBool>`(strpos(lower(name), ${needle}) > 0 or strpos(lower(coalesce(email, '')), ${needle}) > 0)`,
      );
    const rows = await select
      .orderBy(sql`name collate "C"`)
      .orderBy(sql`id collate "C"`)
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }
}
