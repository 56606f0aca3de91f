import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';
import { describeDatabaseFailure, maskDatabaseUrl, oneLineError } from './database-failures.js';
import { acquirePgliteLock, PGLITE_LOCK_FILE, PgliteInUseError } from './pglite-lock.js';

/** A pid that existed a moment ago and is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid;
  await new Promise((resolve) => child.once('exit', resolve));
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

describe('the PGlite directory lock', () => {
  let dir: string;
  let n = 0;
  const fresh = async () => {
    n += 1;
    const path = join(dir, `d${n}`);
    await mkdir(path, { recursive: true });
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-lock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes our pid, refuses a second holder in this process, and is gone after release', async () => {
    const dataDir = await fresh();
    const lock = await acquirePgliteLock(dataDir);
    expect(await readFile(join(dataDir, PGLITE_LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    const second = await acquirePgliteLock(dataDir).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(PgliteInUseError);
    expect(second).toMatchObject({ pid: process.pid, dataDir, lockFile: join(dataDir, PGLITE_LOCK_FILE) });
    await lock.release();
    await lock.release();
    expect(await readdir(dataDir)).toEqual([]);
    const again = await acquirePgliteLock(dataDir);
    await again.release();
  });

  it('refuses a directory a live process holds', async () => {
    const dataDir = await fresh();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(join(dataDir, PGLITE_LOCK_FILE), `${holder.pid}\n`);
      const error = await acquirePgliteLock(dataDir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgliteInUseError);
      expect((error as PgliteInUseError).pid).toBe(holder.pid);
      expect(await readFile(join(dataDir, PGLITE_LOCK_FILE), 'utf8')).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('replaces a stale lock: a dead process, an empty file, our own pid left by an earlier process', async () => {
    for (const content of [`${await deadPid()}\n`, '', `${process.pid}\n`]) {
      const dataDir = await fresh();
      await writeFile(join(dataDir, PGLITE_LOCK_FILE), content);
      const lock = await acquirePgliteLock(dataDir);
      expect(await readFile(join(dataDir, PGLITE_LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
      await lock.release();
    }
  });

  it('createDatabase takes it on first use: a second open of the same directory fails until destroy', async () => {
    const dataDir = join(await fresh(), 'pglite');
    const first = createDatabase({ kind: 'pglite', dataDir });
    await sql`select 1`.execute(first.db);
    const second = createDatabase({ kind: 'pglite', dataDir });
    await expect(sql`select 1`.execute(second.db)).rejects.toBeInstanceOf(PgliteInUseError);
    await second.destroy();
    expect(await readFile(join(dataDir, PGLITE_LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    await first.destroy();
    await expect(readFile(join(dataDir, PGLITE_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
    await (await acquirePgliteLock(dataDir)).release();
  }, 120_000);
});

describe('database failure messages', () => {
  const url = 'postgres://parley:pa%40ss-w0rd@db.internal:6543/parley_main';

  it('masks the password', () => {
    expect(maskDatabaseUrl(url)).toBe('postgres://parley:***@db.internal:6543/parley_main');
    expect(maskDatabaseUrl('postgres://db/x?password=top-secret&sslmode=require')).toBe(
      'postgres://db/x?password=***&sslmode=require',
    );
    expect(maskDatabaseUrl('postgres://nopass@db/x')).toBe('postgres://nopass@db/x');
  });

  it('names each cause in one line, with the variable and without the password', () => {
    const source = { url, variable: 'PARLEY_DATABASE_URL' };
    const wrap = (cause: object) => new Error('migration (setup) failed', { cause });
    const lines = {
      refused: describeDatabaseFailure(
        new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], 'connect'),
        source,
      ),
      host: describeDatabaseFailure(Object.assign(new Error('getaddrinfo'), { code: 'EAI_AGAIN' }), source),
      password: describeDatabaseFailure(
        wrap({ code: '28P01', message: 'password authentication failed' }),
        source,
      ),
      missing: describeDatabaseFailure(wrap({ code: '3D000', message: 'database does not exist' }), source),
    };
    expect(lines.refused).toBe(
      'the database server at db.internal:6543 refused the connection (PARLEY_DATABASE_URL=postgres://parley:***@db.internal:6543/parley_main): is PostgreSQL running there, on that port?',
    );
    expect(lines.host).toMatch(
      /^the database host "db.internal" was not found \(EAI_AGAIN; PARLEY_DATABASE_URL=/,
    );
    expect(lines.password).toMatch(/^the database refused the password of user "parley" \(/);
    expect(lines.missing).toContain(
      'create it with `createdb -h db.internal -p 6543 -U parley parley_main` (or SQL: CREATE DATABASE "parley_main";)',
    );
    for (const line of Object.values(lines)) {
      expect(line).not.toContain('w0rd');
      expect(line).not.toContain('\n');
    }
    expect(describeDatabaseFailure(new Error('syntax error'), source)).toBeNull();
    expect(oneLineError(new Error(`bad ${url}`, { cause: new Error('pa@ss-w0rd\nleaked') }), url)).toBe(
      'bad postgres://parley:***@db.internal:6543/parley_main: *** leaked',
    );
  });
});
