import { join } from 'node:path';
import type { DatabaseConfig } from '../database.js';

/**
 * The database the migration CLI works on, from the environment, read the way the API reads it:
 * `PARLEY_DATABASE_URL` (or `DATABASE_URL`) for PostgreSQL, else PGlite in
 * `${PARLEY_DATA_DIR:-./data}/pglite` — the very folder `pnpm start` uses.
 * `PARLEY_DATABASE_SCHEMA` picks a schema other than `public`.
 *
 * @example
 * ```ts
 * const config = readMigrationConfig(); // { kind: 'postgres', url: 'postgres://…' }
 * ```
 */
export function readMigrationConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.PARLEY_DATABASE_URL || env.DATABASE_URL;
  const schema = env.PARLEY_DATABASE_SCHEMA || undefined;
  if (url) return { kind: 'postgres', url, poolSize: 1, ...(schema === undefined ? {} : { schema }) };
  return {
    kind: 'pglite',
    dataDir: join(env.PARLEY_DATA_DIR || './data', 'pglite'),
    ...(schema === undefined ? {} : { schema }),
  };
}

/**
 * The variable `readMigrationConfig` took the PostgreSQL URL from, to name it in messages.
 *
 * @example
 * ```ts
 * databaseUrlVariable({ DATABASE_URL: 'postgres://x/y' }); // 'DATABASE_URL'
 * ```
 */
export function databaseUrlVariable(env: NodeJS.ProcessEnv = process.env): string {
  return env.PARLEY_DATABASE_URL ? 'PARLEY_DATABASE_URL' : 'DATABASE_URL';
}
