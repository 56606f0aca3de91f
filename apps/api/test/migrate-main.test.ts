import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PARLEY_MIGRATIONS } from '@parley/adapters-kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('migration CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `src/migrate-main.ts` as `pnpm db:migrate` does, on PGlite in a temporary directory. */
  async function migrate(...args: string[]) {
    const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dir };
    delete env.DATABASE_URL;
    delete env.PARLEY_DATABASE_URL;
    delete env.PARLEY_DATABASE_SCHEMA;
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@parley/source', '--import', 'tsx', 'src/migrate-main.ts', ...args],
      { cwd: appDir, env },
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
  }, 180_000);

  it('refuses a malformed URL naming the variable it came from, without running anything', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dir, DATABASE_URL: 'mysql://x/y' };
    delete env.PARLEY_DATABASE_URL;
    const failure = await run(
      process.execPath,
      ['--conditions=@parley/source', '--import', 'tsx', 'src/migrate-main.ts', 'up'],
      { cwd: appDir, env },
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr.trim()).toBe(
      'db:migrate: Invalid configuration: DATABASE_URL must be a PostgreSQL connection URL (postgres://user:password@host:5432/database) (got a value of 11 characters, not shown)',
    );
  }, 60_000);
});
