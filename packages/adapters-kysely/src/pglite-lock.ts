import { randomUUID } from 'node:crypto';
import { link, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The lock file's name inside a PGlite data directory. */
export const PGLITE_LOCK_FILE = 'parley.lock';

/**
 * A PGlite data directory another live process has open. PGlite is one PostgreSQL backend in the
 * process that opened it: a second process on the same files would corrupt them.
 */
export class PgliteInUseError extends Error {
  /** The data directory (absolute). */
  readonly dataDir: string;
  /** The process holding it, as written in the lock file (this process's own when opened twice here). */
  readonly pid: number;
  /** The lock file; deleting it is safe only when no process `pid` runs Parley. */
  readonly lockFile: string;

  constructor(dataDir: string, pid: number, lockFile: string) {
    super(`the PGlite data directory ${dataDir} is already open in process ${pid} (lock file ${lockFile})`);
    this.name = 'PgliteInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
    this.lockFile = lockFile;
  }
}

/** A held lock on a PGlite data directory. */
export interface PgliteLock {
  readonly lockFile: string;
  /** Removes the lock file (if it is still ours). Idempotent. */
  release(): Promise<void>;
}

// Lock files this process holds: a second open in the same process is refused too, and our own
// pid in a lock file we do not hold is a stale file from an earlier process that had our pid.
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(lockFile: string): Promise<number | null> {
  const text = await readFile(lockFile, 'utf8').catch(() => null);
  if (text === null) return null;
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

/**
 * Takes the lock on a PGlite data directory: `parley.lock` holding this process's pid, created
 * atomically (written to a temporary file, then hard-linked into place, so it is never seen half
 * written). A lock file whose process is gone (killed with SIGKILL, a crash) is stale: it is
 * replaced. The directory must exist.
 *
 * @throws {PgliteInUseError} when a live process (or this one) already holds the directory.
 *
 * @example
 * ```ts
 * const lock = await acquirePgliteLock('./data/pglite');
 * // … open PGlite, use it, close it …
 * await lock.release();
 * ```
 */
export async function acquirePgliteLock(dataDir: string): Promise<PgliteLock> {
  const directory = resolve(dataDir);
  const lockFile = join(directory, PGLITE_LOCK_FILE);
  const temporary = join(directory, `${PGLITE_LOCK_FILE}.${process.pid}.${randomUUID()}`);
  await writeFile(temporary, `${process.pid}\n`, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt += 1) {
      if (held.has(lockFile)) throw new PgliteInUseError(directory, process.pid, lockFile);
      try {
        await link(temporary, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const pid = await readPid(lockFile);
      if (pid !== null && pid !== process.pid && isAlive(pid)) {
        throw new PgliteInUseError(directory, pid, lockFile);
      }
      if (attempt >= 3) throw new PgliteInUseError(directory, pid ?? 0, lockFile);
      // Stale (its process is gone, or it is unreadable): remove it and try again.
      await rm(lockFile, { force: true });
    }
  } finally {
    await rm(temporary, { force: true });
  }
  held.add(lockFile);
  let released = false;
  return {
    lockFile,
    release: async () => {
      if (released) return;
      released = true;
      held.delete(lockFile);
      if ((await readPid(lockFile)) === process.pid) await unlink(lockFile).catch(() => undefined);
    },
  };
}
