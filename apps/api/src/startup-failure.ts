import { describeDatabaseFailure, oneLineError } from '@parley/adapters-kysely';
import type { Config } from './config.js';

/** What to do when `pnpm worker` (or a second `pnpm start`) finds PGlite held by another process. */
const PGLITE_IN_USE_HINT =
  'stop the other process, or run `pnpm worker` only against PostgreSQL (PARLEY_DATABASE_URL); ' +
  'on PGlite the API runs the notification worker itself (PARLEY_NOTIFICATIONS_WORKER=on)';

/**
 * The one line `pnpm start` and `pnpm worker` print (on stderr, then exit 1) when they cannot
 * start: a database that cannot be reached, an unknown host, refused authentication, a missing
 * database (with the command that creates it), a PGlite directory another process holds — naming
 * `PARLEY_DATABASE_URL` with its password masked. Anything else is its message chain on one line,
 * still without the password.
 *
 * @example
 * ```ts
 * describeStartupFailure(error, config);
 * // 'Parley could not start: the database server at 127.0.0.1:5432 refused the connection (PARLEY_DATABASE_URL=postgres://parley:***@127.0.0.1:5432/parley): is PostgreSQL running there, on that port?'
 * ```
 */
export function describeStartupFailure(error: unknown, config: Config, what = 'Parley'): string {
  const url = config.database.kind === 'postgres' ? config.database.url : undefined;
  const known = describeDatabaseFailure(error, {
    ...(url === undefined ? {} : { url }),
    variable: 'PARLEY_DATABASE_URL',
    pgliteInUseHint: PGLITE_IN_USE_HINT,
  });
  return `${what} could not start: ${known ?? oneLineError(error, url)}`;
}
