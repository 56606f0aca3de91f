import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AttachmentStorage,
  assertSafeStoragePath,
  assertSafeStoragePrefix,
  type ByteRange,
  type ByteStream,
  fileTooLarge,
  MessagingError,
  type PutObjectInput,
  type StoredObject,
  type StoredObjectInfo,
} from '@parley/messaging-core';

/** The parts of `node:fs/promises` the storage uses (inject a wrapper to count or fail calls). */
export type FsAttachmentStorageFs = Pick<
  typeof nodeFs,
  'lstat' | 'mkdir' | 'open' | 'readdir' | 'realpath' | 'rename' | 'rm'
>;

export interface FsAttachmentStorageConfig {
  /** Directory every path is relative to (created when missing). */
  readonly root: string;
  /** Default `node:fs/promises`. */
  readonly fs?: FsAttachmentStorageFs;
}

const TEMP_SUFFIX = '.parley-tmp';

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

function symlinkRefused(path: string): MessagingError {
  return MessagingError.validation('path', `unsafe storage path: ${path} goes through a symbolic link`);
}

/**
 * `AttachmentStorage` on the local filesystem. Writes go to a temp file in the target directory,
 * then `rename` over the final name, so a reader never sees half a file and a failed or oversized
 * upload leaves nothing. Paths are checked by the core's rule (no `..`, absolute paths,
 * backslashes or NUL) and no symbolic link inside the root is ever followed: every directory on
 * the way is `lstat`ed and files are opened with `O_NOFOLLOW`.
 *
 * @example
 * ```ts
 * const storage = new FsAttachmentStorage({ root: '/var/lib/parley' });
 * await storage.put({ path: 'uploads/messages/2026/11/c1/a.pdf', content: stream, maxBytes: 10 * 1024 * 1024 });
 * ```
 */
export class FsAttachmentStorage implements AttachmentStorage {
  readonly #fs: FsAttachmentStorageFs;
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  constructor(config: FsAttachmentStorageConfig) {
    this.#fs = config.fs ?? nodeFs;
    this.#root = config.root;
  }

  /** The root, created once and resolved through any symlink the operator chose for it. */
  #rootDir(): Promise<string> {
    this.#realRoot ??= (async () => {
      await this.#fs.mkdir(this.#root, { recursive: true });
      return this.#fs.realpath(this.#root);
    })();
    return this.#realRoot;
  }

  /**
   * Walks the directories of `path` below the root, refusing symlinks and non-directories.
   * Returns the absolute file path, or null when a directory is missing (and `create` is false).
   */
  async #locate(path: string, create: boolean): Promise<string | null> {
    assertSafeStoragePath(path);
    const segments = path.split('/');
    let dir = await this.#rootDir();
    for (const segment of segments.slice(0, -1)) {
      const next = join(dir, segment);
      try {
        const stat = await this.#fs.lstat(next);
        if (stat.isSymbolicLink()) throw symlinkRefused(path);
        if (!stat.isDirectory()) throw MessagingError.validation('path', `unsafe storage path: ${path}`);
      } catch (error) {
        if (errno(error) !== 'ENOENT') throw error;
        if (!create) return null;
        try {
          await this.#fs.mkdir(next);
        } catch (mkdirError) {
          if (errno(mkdirError) !== 'EEXIST') throw mkdirError;
          if ((await this.#fs.lstat(next)).isSymbolicLink()) throw symlinkRefused(path);
        }
      }
      dir = next;
    }
    const file = join(dir, segments.at(-1)!);
    try {
      if ((await this.#fs.lstat(file)).isSymbolicLink()) throw symlinkRefused(path);
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw error;
    }
    return file;
  }

  async put(input: PutObjectInput): Promise<StoredObject> {
    const file = await this.#locate(input.path, true);
    if (file === null)
      throw new MessagingError('INTERNAL', `could not create the directory of ${input.path}`);
    const temp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
    const handle = await this.#fs.open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      0o640,
    );
    let size = 0;
    try {
      try {
        for await (const chunk of input.content) {
          size += chunk.byteLength;
          if (input.maxBytes !== undefined && size > input.maxBytes) throw fileTooLarge(input.maxBytes);
          await handle.write(chunk);
        }
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await this.#fs.rename(temp, file);
    } catch (error) {
      await this.#fs.rm(temp, { force: true });
      throw error;
    }
    return { path: input.path, size };
  }

  async openRead(path: string, range?: ByteRange): Promise<ByteStream> {
    const file = await this.#locate(path, false);
    if (file === null) throw MessagingError.notFound('file', path);
    try {
      const handle = await this.#fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
    } catch (error) {
      if (errno(error) === 'ENOENT') throw MessagingError.notFound('file', path);
      if (errno(error) === 'ELOOP') throw symlinkRefused(path);
      throw error;
    }
  }

  async delete(path: string): Promise<void> {
    const file = await this.#locate(path, false);
    if (file !== null) await this.#fs.rm(file, { force: true });
  }

  async exists(path: string): Promise<boolean> {
    const file = await this.#locate(path, false);
    if (file === null) return false;
    try {
      return (await this.#fs.lstat(file)).isFile();
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    assertSafeStoragePrefix(prefix);
    const start = prefix === '' ? null : await this.#locate(`${prefix}x`, false);
    if (prefix !== '' && start === null) return;
    const root = await this.#rootDir();
    const base = prefix === '' ? root : join(root, prefix);
    yield* this.#walk(base, prefix);
  }

  async *#walk(dir: string, relative: string): AsyncIterable<StoredObjectInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await this.#fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const path = `${relative}${entry.name}`;
      // Symlinks are never followed or listed; temp files are uploads in flight.
      if (entry.isDirectory()) yield* this.#walk(join(dir, entry.name), `${path}/`);
      else if (entry.isFile() && !entry.name.endsWith(TEMP_SUFFIX)) {
        try {
          const stat = await this.#fs.lstat(join(dir, entry.name));
          yield { path, size: stat.size, modifiedAt: stat.mtime };
        } catch (error) {
          if (errno(error) !== 'ENOENT') throw error;
        }
      }
    }
  }
}
