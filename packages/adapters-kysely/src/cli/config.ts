import type { DatabaseConfig } from '../database.js';

/**
 * The database the migration CLI works on, from the environment: `DATABASE_URL` or
 * `PARLEY_DATABASE_URL` (PostgreSQL), else `PARLEY_DATA_DIR` (PGlite persisted there), else
 * `./data/pglite` (PGlite). `PARLEY_DATABASE_SCHEMA` picks a schema other than `public`.
 *
 * @example
 * ```ts
 * const config = readMigrationConfig(); // { kind: 'postgres', url: 'postgres://…' }
 * ```
 */
export function readMigrationConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL || env.PARLEY_DATABASE_URL;
  const schema = env.PARLEY_DATABASE_SCHEMA || undefined;
  if (url) return { kind: 'postgres', url, poolSize: 1, ...(schema === undefined ? {} : { schema }) };
  return {
    kind: 'pglite',
    dataDir: env.PARLEY_DATA_DIR || './data/pglite',
    ...(schema === undefined ? {} : { schema }),
  };
}
