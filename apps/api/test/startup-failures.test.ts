import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real entry points, as `pnpm start`, `pnpm worker` and `pnpm db:migrate` run them (node with
// tsx's loader and the source condition; no tsx wrapper process, so a SIGKILL reaches the process
// holding the database).
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = {
  start: { cwd: APP_DIR, args: ['src/main.ts'] },
  worker: { cwd: APP_DIR, args: ['src/worker-main.ts'] },
  migrate: { cwd: APP_DIR, args: ['src/migrate-main.ts', 'up'] },
} as const;
type Entry = keyof typeof ENTRY;

const PASSWORD = 'Hunter2-not-for-your-eyes';
const SERVER_URL = process.env.DATABASE_URL || process.env.PARLEY_DATABASE_URL;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PARLEY_') && name !== 'DATABASE_URL' && name !== 'NODE_ENV') env[name] = value;
  }
  return { ...env, PARLEY_LOG_LEVEL: 'warn', PARLEY_PORT: '0', ...extra };
}

interface Child {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function launch(entry: Entry, env: Record<string, string>): Child {
  const { cwd, args } = ENTRY[entry];
  const child = spawn(process.execPath, ['--conditions=@parley/source', '--import', 'tsx', ...args], {
    cwd,
    env: childEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function runToExit(entry: Entry, env: Record<string, string>) {
  const run = launch(entry, env);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The local server's URL with another user, password and database. */
function onServer(user: string, database: string): string {
  const url = new URL(SERVER_URL ?? 'postgres://localhost:5432/postgres');
  url.username = user;
  url.password = PASSWORD;
  url.pathname = `/${database}`;
  return url.toString();
}

function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, url: string) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
  expect(lines[0]).toContain(`PARLEY_DATABASE_URL=${url.replace(`:${PASSWORD}@`, ':***@')}`);
  return lines[0] as string;
}

describe('start-up failures are one line on stderr and exit 1, the password never shown', () => {
  const cases: {
    name: string;
    needsServer: boolean;
    url: () => Promise<string>;
    expected: (url: URL) => RegExp;
  }[] = [
    {
      name: 'a server that refuses the connection (closed port)',
      needsServer: false,
      url: async () => `postgres://parley:${PASSWORD}@127.0.0.1:${await closedPort()}/parley`,
      expected: (url) =>
        new RegExp(`the database server at 127\\.0\\.0\\.1:${url.port} refused the connection`),
    },
    {
      name: 'an unknown host',
      needsServer: false,
      url: async () => `postgres://parley:${PASSWORD}@nonexistent.invalid:5432/parley`,
      expected: () => /the database host "nonexistent\.invalid" was not found \((ENOTFOUND|EAI_AGAIN)/,
    },
    {
      name: 'refused authentication (a role that does not exist)',
      needsServer: true,
      url: async () => onServer('parley_no_such_role', 'postgres'),
      expected: () =>
        /the database refused user "parley_no_such_role": role "parley_no_such_role" does not exist/,
    },
    {
      name: 'a missing database, with the command that creates it',
      needsServer: true,
      url: async () => onServer('postgres', `parley_missing_${randomUUID().slice(0, 8)}`),
      expected: (url) => {
        const name = url.pathname.slice(1);
        return new RegExp(
          `database "${name}" does not exist on ${url.hostname}:${url.port || 5432} .*create it with \`createdb -h ${url.hostname} -p ${url.port || 5432} -U postgres ${name}\``,
        );
      },
    },
  ];

  for (const { name, needsServer, url: makeUrl, expected } of cases) {
    it.skipIf(needsServer && SERVER_URL === undefined)(
      `${name}: pnpm start, pnpm worker and pnpm db:migrate`,
      async () => {
        const url = await makeUrl();
        const pattern = expected(new URL(url));
        const start = expectOneLine(await runToExit('start', { PARLEY_DATABASE_URL: url }), url);
        expect(start).toMatch(/^Parley could not start: /);
        expect(start).toMatch(pattern);
        const worker = expectOneLine(await runToExit('worker', { PARLEY_DATABASE_URL: url }), url);
        expect(worker).toMatch(/^The notification worker could not start: /);
        expect(worker).toMatch(pattern);
        const migrate = expectOneLine(await runToExit('migrate', { PARLEY_DATABASE_URL: url }), url);
        expect(migrate).toMatch(/^db:migrate: /);
        expect(migrate).toMatch(pattern);
      },
      240_000,
    );
  }
  if (SERVER_URL === undefined) {
    it.skip('authentication and missing-database cases need DATABASE_URL (a PostgreSQL server)', () => {});
  }
});

describe('one process per PGlite directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-lock-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a worker or db:migrate beside pnpm start fails at once saying what to do; a SIGKILLed holder does not block the next start', async () => {
    const lockFile = join(dir, 'pglite', 'parley.lock');
    const first = launch('start', { PARLEY_DATA_DIR: dir, PARLEY_LOG_LEVEL: 'warn' });
    try {
      await waitFor(first.stdout, /Parley API\s+http/, 90_000);
      expect(await readFile(lockFile, 'utf8')).toBe(`${first.child.pid}\n`);

      const worker = await runToExit('worker', { PARLEY_DATA_DIR: dir });
      expect(worker.code, worker.stderr).toBe(1);
      expect(worker.stderr.trimEnd().split('\n')).toEqual([
        `The notification worker could not start: the PGlite data directory ${join(dir, 'pglite')} is already open in process ${first.child.pid} (lock file ${lockFile}): PGlite allows one process per data directory; stop the other process, or run \`pnpm worker\` only against PostgreSQL (PARLEY_DATABASE_URL); on PGlite the API runs the notification worker itself (PARLEY_NOTIFICATIONS_WORKER=on). If process ${first.child.pid} is not Parley, delete ${lockFile}.`,
      ]);

      const migrate = await runToExit('migrate', { PARLEY_DATA_DIR: dir });
      expect(migrate.code, migrate.stderr).toBe(1);
      const lines = migrate.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^db:migrate: the PGlite data directory .* is already open in process ${first.child.pid} `,
        ),
      );
      // The API still answers: the second processes never touched its files.
      const url = first.stdout().match(/Parley API\s+(http:\/\/\S+)/)?.[1];
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    // Killed without a chance to clean up: the lock file is left behind, naming a dead process.
    expect(await readFile(lockFile, 'utf8')).toBe(`${first.child.pid}\n`);

    const second = launch('start', { PARLEY_DATA_DIR: dir, PARLEY_LOG_LEVEL: 'warn' });
    try {
      await waitFor(second.stdout, /Parley API\s+http/, 90_000);
      expect(await readFile(lockFile, 'utf8')).toBe(`${second.child.pid}\n`);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
    }
  }, 360_000);
});
