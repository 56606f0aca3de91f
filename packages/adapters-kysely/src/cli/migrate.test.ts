import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARLEY_MIGRATIONS } from '../migrations/index.js';
import { readMigrationConfig } from './config.js';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('migration CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `src/cli/migrate.ts` as `pnpm db:migrate` does, on PGlite in a temporary directory. */
  async function migrate(...args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dir };
    delete env.DATABASE_URL;
    delete env.PARLEY_DATABASE_URL;
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@parley/source', '--import', 'tsx', 'src/cli/migrate.ts', ...args],
      { cwd: packageDir, env },
    );
    return stdout.trim().split('\n');
  }

  it('migrates up, rolls back one step, and up again', async () => {
    const where = `PGlite at ${join(dir, 'pglite')}`;
    const names = Object.keys(PARLEY_MIGRATIONS);
    const last = names.at(-1);
    expect(names.slice(0, 4)).toEqual([
      '0001_messaging',
      '0002_directory',
      '0003_platform_settings',
      '0004_attachment_paths',
    ]);
    expect(await migrate('up')).toEqual(names.map((name) => `${where}: applied ${name}`));
    expect(await migrate('down')).toEqual([`${where}: reverted ${last}`]);
    expect(await migrate('up')).toEqual([`${where}: applied ${last}`]);
    expect(await migrate('up')).toEqual([`${where}: nothing to do`]);
  }, 60_000);

  it('prefers a PostgreSQL URL over a data directory', () => {
    expect(readMigrationConfig({ DATABASE_URL: 'postgres://x/y', PARLEY_DATA_DIR: '/d' })).toEqual({
      kind: 'postgres',
      url: 'postgres://x/y',
      poolSize: 1,
    });
    expect(
      readMigrationConfig({ PARLEY_DATABASE_URL: 'postgres://p/q', DATABASE_URL: 'postgres://x/y' }),
    ).toMatchObject({
      url: 'postgres://p/q',
    });
    // The same folder the API uses: $PARLEY_DATA_DIR/pglite.
    expect(readMigrationConfig({ PARLEY_DATA_DIR: '/d', PARLEY_DATABASE_SCHEMA: 'parley' })).toEqual({
      kind: 'pglite',
      dataDir: '/d/pglite',
      schema: 'parley',
    });
    expect(readMigrationConfig({})).toEqual({ kind: 'pglite', dataDir: 'data/pglite' });
  });
});
