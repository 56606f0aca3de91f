import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import {
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  type LogEvent,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from './database-types.js';
import { acquirePgliteLock, type PgliteLock } from './pglite-lock.js';
import { preparingPool } from './preparing-pool.js';

/** A real PostgreSQL server, reached through a `pg` pool. */
export interface PostgresDatabaseConfig {
  readonly kind: 'postgres';
  /** Connection string, e.g. `postgres://parley@localhost:5432/parley`. */
  readonly url: string;
  /** Most connections the pool opens (default 10). */
  readonly poolSize?: number;
  /** Schema holding Parley's tables (default `public`); set as the connections' `search_path`. */
  readonly schema?: string;
  /** Called when an idle pooled connection fails (the pool drops it and goes on). */
  readonly onPoolError?: (error: Error) => void;
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) in this process: no server to run. A persisted data
 * directory belongs to one process at a time: opening it takes `parley.lock` in it (see
 * `acquirePgliteLock`), and a second process fails with `PgliteInUseError`.
 */
export interface PgliteDatabaseConfig {
  readonly kind: 'pglite';
  /** Directory the data persists to; in memory (lost on `destroy`) when absent. */
  readonly dataDir?: string;
  /** Schema holding Parley's tables (default `public`). */
  readonly schema?: string;
}

/** Options every engine takes. */
export interface DatabaseObservation {
  /**
   * Called with the SQL of every statement once it ran (or failed), in this process: tests count
   * the statements a request costs so they cannot creep up. Keep it cheap; it runs on every query.
   */
  readonly onStatement?: (sql: string) => void;
}

export type DatabaseConfig = (PostgresDatabaseConfig | PgliteDatabaseConfig) & DatabaseObservation;

/** How busy the connections are right now (for metrics). */
export interface DatabasePoolUsage {
  /** Open connections (PGlite: 1 once started, else 0). */
  readonly total: number;
  /** Of those, idle ones; null on PGlite (one in-process session, not a pool). */
  readonly idle: number | null;
  /** Queries waiting for a connection; null on PGlite. */
  readonly waiting: number | null;
  /** The most connections the pool opens (PGlite: 1). */
  readonly max: number;
}

/** A connected database: the typed Kysely instance and how to close it. */
export interface ParleyDatabase {
  /**
   * Typed query builder over Parley's tables.
   *
   * @example
   * ```ts
   * const { db } = createDatabase({ kind: 'pglite' });
   * await db.selectFrom('conversations').selectAll().execute();
   * ```
   */
  readonly db: Kysely<Database>;
  /** Which engine is behind `db`. */
  readonly kind: DatabaseConfig['kind'];
  /** The schema Parley's tables live in (the connections' `search_path`). */
  readonly schema: string;
  /**
   * The pool's connections now (`pg` pool counts; PGlite: its one session). Reads counters only.
   *
   * @example
   * ```ts
   * const { total, idle, waiting, max } = database.poolUsage();
   * ```
   */
  poolUsage(): DatabasePoolUsage;
  /**
   * Closes the pool (PostgreSQL) or the embedded instance (PGlite, then removes its directory's
   * `parley.lock`).
   *
   * @example
   * ```ts
   * await database.destroy();
   * ```
   */
  destroy(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a schema name is a plain lower-case identifier, safe to put in SQL unquoted. */
export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  }
  return schema;
}

/**
 * Opens Parley's database: PostgreSQL through a `pg` pool, or embedded PGlite (persisted to
 * `dataDir`, or in memory). Run `migrateToLatest(database)` before using the repositories.
 *
 * @example
 * ```ts
 * const database = createDatabase({ kind: 'postgres', url: 'postgres://localhost/parley', poolSize: 20 });
 * const embedded = createDatabase({ kind: 'pglite', dataDir: './data/parley' });
 * ```
 */
export function createDatabase(config: DatabaseConfig): ParleyDatabase {
  const schema = assertSchemaName(config.schema ?? 'public');
  let dialect: Dialect;
  let poolUsage: () => DatabasePoolUsage;
  if (config.kind === 'postgres') {
    const max = config.poolSize ?? 10;
    const pool = new pg.Pool({
      connectionString: config.url,
      max,
      ...(config.schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    const onPoolError = config.onPoolError;
    pool.on('error', (error) => onPoolError?.(error));
    dialect = new PostgresDialect({ pool: preparingPool(pool) });
    poolUsage = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max });
  } else {
    const pglite = new KyselyPgliteDialect(config.dataDir, config.schema === undefined ? null : schema);
    dialect = pglite;
    poolUsage = () => ({ total: pglite.started ? 1 : 0, idle: null, waiting: null, max: 1 });
  }
  const onStatement = config.onStatement;
  const db = new Kysely<Database>({
    dialect,
    ...(onStatement ? { log: (event: LogEvent) => onStatement(event.query.sql) } : {}),
  });
  return {
    db,
    kind: config.kind,
    schema,
    poolUsage,
    destroy: () => db.destroy(),
  };
}

/**
 * `kysely-pglite-dialect`'s driver, started lazily: the first query creates the data directory
 * (PGlite does not create parents), takes its lock (one process per directory; the first query
 * rejects with `PgliteInUseError` otherwise), starts PGlite, waits until it is ready and sets the
 * session's `search_path` (PGlite is a single session, so it holds). `destroy` releases the lock.
 */
class KyselyPgliteDialect implements Dialect {
  readonly #dataDir: string | undefined;
  readonly #schema: string | null;

  constructor(dataDir: string | undefined, schema: string | null) {
    this.#dataDir = dataDir;
    this.#schema = schema;
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  #driver: KyselyPgliteDriver | undefined;

  /** True while PGlite runs (started by the first query, until `destroy`). */
  get started(): boolean {
    return this.#driver?.started ?? false;
  }

  createDriver(): Driver {
    this.#driver = new KyselyPgliteDriver(this.#dataDir, this.#schema);
    return this.#driver;
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class KyselyPgliteDriver implements Driver {
  readonly #dataDir: string | undefined;
  readonly #schema: string | null;
  #inner: Driver | undefined;
  #lock: PgliteLock | undefined;

  constructor(dataDir: string | undefined, schema: string | null) {
    this.#dataDir = dataDir;
    this.#schema = schema;
  }

  async init(): Promise<void> {
    if (this.#dataDir !== undefined) {
      await mkdir(this.#dataDir, { recursive: true });
      this.#lock = await acquirePgliteLock(this.#dataDir);
    }
    try {
      // pg_trgm (partial and misspelt names in searches) and btree_gin (the search index keyed by
      // tenant), migration 0021, ship with PGlite as contrib modules: loaded here, created by the
      // migration as on PostgreSQL.
      const extensions = { pg_trgm, btree_gin };
      const pglite =
        this.#dataDir === undefined
          ? new PGlite({ extensions })
          : new PGlite({ dataDir: this.#dataDir, extensions });
      await pglite.waitReady;
      if (this.#schema !== null) await pglite.exec(`set search_path to ${this.#schema}`);
      const inner = new PGliteDialect(pglite).createDriver();
      await inner.init();
      this.#inner = inner;
    } catch (error) {
      await this.#releaseLock();
      throw error;
    }
  }

  async #releaseLock(): Promise<void> {
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
  }

  get started(): boolean {
    return this.#inner !== undefined;
  }

  get #driver(): Driver {
    if (this.#inner === undefined) throw new Error('PGlite driver used before init');
    return this.#inner;
  }

  acquireConnection(): Promise<DatabaseConnection> {
    return this.#driver.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#driver.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.rollbackTransaction(connection);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#driver.releaseConnection(connection);
  }

  async destroy(): Promise<void> {
    try {
      await this.#inner?.destroy();
    } finally {
      this.#inner = undefined;
      await this.#releaseLock();
    }
  }
}
