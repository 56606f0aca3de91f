// Parley's migrations: `pnpm db:migrate` / `pnpm db:rollback` from the repository root. Reads the
// API's database variables through config.ts (`readMigrationSettings`), so it migrates the very
// database `pnpm start` opens.
import {
  createDatabase,
  type DatabaseConfig,
  describeDatabaseFailure,
  migrateToLatest,
  oneLineError,
  rollback,
} from '@parley/adapters-kysely';
import { ConfigError, type MigrationSettings, readMigrationSettings } from './config.js';

const USAGE = `usage: migrate.ts <up | down | down --all>
  up          apply every pending migration
  down        revert the latest migration
  down --all  revert every migration
Database: PARLEY_DATABASE_URL, else DATABASE_URL (PostgreSQL), else PGlite in $PARLEY_DATA_DIR/pglite (default ./data/pglite).`;

/**
 * `pnpm db:migrate` / `pnpm db:rollback`: applies or reverts Parley's migrations on the
 * configured database and prints what ran.
 *
 * @example
 * ```sh
 * DATABASE_URL=postgres://localhost/parley pnpm db:migrate
 * PARLEY_DATA_DIR=./data pnpm db:rollback
 * ```
 */
async function main(args: readonly string[]): Promise<number> {
  // `pnpm db:rollback -- --all` passes the `--` through.
  const [command, flag] = args.filter((arg) => arg !== '--');
  if (command !== 'up' && command !== 'down') {
    console.error(USAGE);
    return 2;
  }
  let settings: MigrationSettings;
  try {
    settings = readMigrationSettings();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`db:migrate: ${error.message}`);
    return 1;
  }
  const config: DatabaseConfig = settings.database;
  const database = createDatabase(config);
  const where =
    config.kind === 'postgres'
      ? `PostgreSQL, schema ${database.schema}`
      : `PGlite at ${config.dataDir ?? '(memory)'}`;
  try {
    const run =
      command === 'up'
        ? await migrateToLatest(database)
        : await rollback(database, { all: flag === '--all' });
    if (run.applied.length === 0) console.info(`${where}: nothing to do`);
    for (const step of run.applied)
      console.info(`${where}: ${step.direction === 'Up' ? 'applied' : 'reverted'} ${step.name}`);
    return 0;
  } catch (error) {
    // One line a person can act on (unreachable server, unknown host, refused login, missing
    // database, PGlite held by another process), the password never shown.
    const url = config.kind === 'postgres' ? config.url : undefined;
    const known = describeDatabaseFailure(error, {
      ...(url === undefined ? {} : { url }),
      variable: settings.urlVariable,
      pgliteInUseHint: 'stop `pnpm start` / `pnpm worker` on it first (the API migrates on start anyway)',
    });
    console.error(`db:migrate: ${known ?? `${where}: migration failed: ${oneLineError(error, url)}`}`);
    return 1;
  } finally {
    await database.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
