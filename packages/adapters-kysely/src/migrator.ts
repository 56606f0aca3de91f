import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  NO_MIGRATIONS,
} from 'kysely';
import type { ParleyDatabase } from './database.js';
import type { Database } from './database-types.js';
import { PARLEY_MIGRATIONS } from './migrations/index.js';

/**
 * Hands Kysely's `Migrator` migrations held in code.
 *
 * @example
 * ```ts
 * const migrator = new Migrator({ db, provider: new KyselyInCodeMigrationProvider(PARLEY_MIGRATIONS) });
 * ```
 */
export class KyselyInCodeMigrationProvider implements MigrationProvider {
  readonly #migrations: Readonly<Record<string, Migration>>;

  constructor(migrations: Readonly<Record<string, Migration>>) {
    this.#migrations = migrations;
  }

  /**
   * A copy of the record, keyed by migration name.
   *
   * @example
   * ```ts
   * Object.keys(await provider.getMigrations()); // ['0001_messaging', …]
   * ```
   */
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.#migrations };
  }
}

/**
 * A Kysely `Migrator` over Parley's migrations, keeping its bookkeeping tables in the
 * database's schema (so schemas side by side migrate independently).
 *
 * @example
 * ```ts
 * const { results } = await createMigrator(database).migrateToLatest();
 * ```
 */
export function createMigrator(database: Pick<ParleyDatabase, 'db' | 'schema'>): Migrator {
  return new Migrator({
    db: database.db as Kysely<Database>,
    provider: new KyselyInCodeMigrationProvider(PARLEY_MIGRATIONS),
    migrationTableSchema: database.schema,
  });
}

/** Outcome of a migration run: each migration's name and direction. */
export interface MigrationRun {
  readonly applied: readonly { readonly name: string; readonly direction: 'Up' | 'Down' }[];
}

function unwrap(resultSet: MigrationResultSet): MigrationRun {
  const applied = (resultSet.results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => ({ name: result.migrationName, direction: result.direction }));
  if (resultSet.error !== undefined) {
    const failed = resultSet.results?.find((result) => result.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(setup)'} failed`, { cause: resultSet.error });
  }
  return { applied };
}

/**
 * Applies every pending migration; throws if one fails (that one is rolled back).
 *
 * @example
 * ```ts
 * const database = createDatabase({ kind: 'pglite' });
 * await migrateToLatest(database);
 * ```
 */
export async function migrateToLatest(
  database: Pick<ParleyDatabase, 'db' | 'schema'>,
): Promise<MigrationRun> {
  return unwrap(await createMigrator(database).migrateToLatest());
}

/**
 * Reverts the latest applied migration (one step), or every one with `{ all: true }`.
 *
 * @example
 * ```ts
 * await rollback(database); // one step
 * await rollback(database, { all: true }); // back to an empty schema
 * ```
 */
export async function rollback(
  database: Pick<ParleyDatabase, 'db' | 'schema'>,
  options: { readonly all?: boolean } = {},
): Promise<MigrationRun> {
  const migrator = createMigrator(database);
  return unwrap(
    options.all === true ? await migrator.migrateTo(NO_MIGRATIONS) : await migrator.migrateDown(),
  );
}
