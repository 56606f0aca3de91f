import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ByteStream, isMessagingError } from '@parley/messaging-core';
import { attachmentStorageContract } from '@parley/messaging-core/testing/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsAttachmentStorage, type FsAttachmentStorageFs } from './fs-attachment-storage.js';

attachmentStorageContract({
  name: 'filesystem',
  setup: async () => {
    const root = await fs.mkdtemp(join(tmpdir(), 'parley-fs-contract-'));
    return {
      storage: new FsAttachmentStorage({ root }),
      teardown: () => fs.rm(root, { recursive: true, force: true }),
    };
  },
});

async function* chunks(...parts: string[]): ByteStream {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function* failing(): ByteStream {
  yield new TextEncoder().encode('half a file');
  throw new Error('client went away');
}

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMessagingError(error) ? error.code : error === undefined ? undefined : `other: ${String(error)}`;
}

/** Every file below `dir`, relative, sorted (symlinks listed as such). */
async function tree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('FsAttachmentStorage on a real directory', () => {
  let base: string;
  let root: string;
  let outside: string;
  let storage: FsAttachmentStorage;

  beforeEach(async () => {
    base = await fs.mkdtemp(join(tmpdir(), 'parley-fs-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await fs.mkdir(root);
    await fs.mkdir(outside);
    await fs.writeFile(join(outside, 'secret.txt'), 'top secret');
    storage = new FsAttachmentStorage({ root });
  });
  afterEach(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });

  it('writes where the path says, creating directories', async () => {
    await storage.put({ path: 'uploads/messages/2026/11/c1/a.txt', content: chunks('abc') });
    expect(await fs.readFile(join(root, 'uploads/messages/2026/11/c1/a.txt'), 'utf8')).toBe('abc');
  });

  it('does not follow a symlinked directory inside the root for write, read, delete or list', async () => {
    await fs.symlink(outside, join(root, 'uploads'));
    expect(await code(storage.put({ path: 'uploads/evil.txt', content: chunks('x') }))).toBe('VALIDATION');
    expect(await code(storage.openRead('uploads/secret.txt'))).toBe('VALIDATION');
    expect(await code(storage.delete('uploads/secret.txt'))).toBe('VALIDATION');
    expect(await code(storage.exists('uploads/secret.txt'))).toBe('VALIDATION');
    const listed = [];
    for await (const object of storage.list('')) listed.push(object.path);
    expect(listed).toEqual([]);
    expect(await tree(outside)).toEqual(['secret.txt']);
    expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('does not follow a symlinked file for read, overwrite or delete', async () => {
    await fs.mkdir(join(root, 'uploads'));
    await fs.symlink(join(outside, 'secret.txt'), join(root, 'uploads/link.txt'));
    expect(await code(storage.openRead('uploads/link.txt'))).toBe('VALIDATION');
    expect(await code(storage.put({ path: 'uploads/link.txt', content: chunks('overwritten') }))).toBe(
      'VALIDATION',
    );
    expect(await code(storage.delete('uploads/link.txt'))).toBe('VALIDATION');
    expect(await fs.readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  it('refuses traversal before touching the disk', async () => {
    expect(await code(storage.put({ path: '../outside/x.txt', content: chunks('x') }))).toBe('VALIDATION');
    expect(await code(storage.openRead('../outside/secret.txt'))).toBe('VALIDATION');
    expect(await code(storage.put({ path: join(outside, 'abs.txt'), content: chunks('x') }))).toBe(
      'VALIDATION',
    );
    expect(await tree(outside)).toEqual(['secret.txt']);
  });

  it('leaves no temp file when the stream fails or runs over the limit', async () => {
    await expect(storage.put({ path: 'uploads/a/partial.txt', content: failing() })).rejects.toThrow(
      'client went away',
    );
    expect(
      await code(storage.put({ path: 'uploads/a/big.txt', content: chunks('12345', '678'), maxBytes: 6 })),
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(await tree(root)).toEqual([]);
  });

  it('keeps the previous file intact when a replacing write fails', async () => {
    await storage.put({ path: 'uploads/keep.txt', content: chunks('original') });
    await expect(storage.put({ path: 'uploads/keep.txt', content: failing() })).rejects.toThrow();
    expect(await fs.readFile(join(root, 'uploads/keep.txt'), 'utf8')).toBe('original');
    expect(await tree(root)).toEqual(['uploads/keep.txt']);
  });

  it('does not list a temp file of an upload in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): ByteStream {
      yield new TextEncoder().encode('first part');
      await gate;
      yield new TextEncoder().encode(' and the rest');
    }
    const writing = storage.put({ path: 'uploads/messages/slow.txt', content: slow() });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await tree(root)).length).toBe(1); // the temp file exists…
    const listed = [];
    for await (const object of storage.list('uploads/messages/')) listed.push(object.path);
    expect(listed).toEqual([]); // …but is not listed
    release();
    await writing;
    for await (const object of storage.list('uploads/messages/')) listed.push(object.path);
    expect(listed).toEqual(['uploads/messages/slow.txt']);
  });

  it('uses the injected fs module', async () => {
    const calls: string[] = [];
    const counting = new Proxy(fs, {
      get(target, name: string) {
        const value = Reflect.get(target, name);
        return typeof value === 'function'
          ? (...args: unknown[]) => {
              calls.push(name);
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            }
          : value;
      },
    }) as FsAttachmentStorageFs;
    const injected = new FsAttachmentStorage({ root, fs: counting });
    await injected.put({ path: 'uploads/x.txt', content: chunks('x') });
    expect(calls).toContain('open');
    expect(calls).toContain('rename');
  });
});
