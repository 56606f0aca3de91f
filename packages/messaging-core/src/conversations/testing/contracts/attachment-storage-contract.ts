import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMessagingError } from '../../../kernel/errors.js';
import type { AttachmentStorage, ByteStream } from '../../ports/attachment-storage.js';

export interface AttachmentStorageContractTarget {
  readonly storage: AttachmentStorage;
  readonly teardown?: () => Promise<void>;
}

export interface AttachmentStorageContractOptions {
  readonly name: string;
  readonly setup: () => Promise<AttachmentStorageContractTarget>;
}

async function* chunks(...parts: (string | Uint8Array)[]): ByteStream {
  for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : part;
}

async function* failing(after: string): ByteStream {
  yield new TextEncoder().encode(after);
  throw new Error('client went away');
}

async function readAll(stream: ByteStream): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMessagingError(error)
    ? error.code
    : error === undefined
      ? undefined
      : `not a MessagingError: ${String(error)}`;
}

/** Paths every adapter must refuse before touching storage. */
export const UNSAFE_STORAGE_PATHS: readonly string[] = [
  '../escape.txt',
  'uploads/../../escape.txt',
  'uploads/./a.txt',
  '/etc/passwd',
  'C:/windows/win.ini',
  'uploads\\..\\escape.txt',
  'uploads/a\u0000.txt',
  'uploads//a.txt',
  '',
];

/**
 * The behaviour every `AttachmentStorage` adapter must show.
 *
 * @example
 * ```ts
 * attachmentStorageContract({ name: 'in-memory', setup: async () => ({ storage: new InMemoryAttachmentStorage() }) });
 * ```
 */
export function attachmentStorageContract(options: AttachmentStorageContractOptions): void {
  describe(`AttachmentStorage contract: ${options.name}`, () => {
    let target: AttachmentStorageContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('stores a stream and reads the same bytes back', async () => {
      const { storage } = target;
      const stored = await storage.put({
        path: 'uploads/messages/2026/03/c1/a.txt',
        content: chunks('hello ', 'world', new Uint8Array([0xe2, 0x9c, 0x93])),
      });
      expect(stored).toEqual({ path: 'uploads/messages/2026/03/c1/a.txt', size: 14 });
      expect(await storage.exists(stored.path)).toBe(true);
      expect(await readAll(await storage.openRead(stored.path))).toBe('hello world✓');
    });

    it('deletes, and ignores deleting what is absent', async () => {
      const { storage } = target;
      await storage.put({ path: 'uploads/b.txt', content: chunks('x') });
      await storage.delete('uploads/b.txt');
      expect(await storage.exists('uploads/b.txt')).toBe(false);
      await storage.delete('uploads/b.txt');
      expect(await codeOf(storage.openRead('uploads/b.txt'))).toBe('NOT_FOUND');
    });

    it('refuses more bytes than maxBytes and keeps nothing', async () => {
      const { storage } = target;
      expect(
        await codeOf(storage.put({ path: 'uploads/big.bin', content: chunks('12345', '6'), maxBytes: 5 })),
      ).toBe('PAYLOAD_TOO_LARGE');
      expect(await storage.exists('uploads/big.bin')).toBe(false);
      const error = await storage
        .put({ path: 'uploads/big.bin', content: chunks('123456'), maxBytes: 5 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ field: 'file', details: { maxBytes: 5 } });
      const exact = await storage.put({
        path: 'uploads/exact.bin',
        content: chunks('123', '45'),
        maxBytes: 5,
      });
      expect(exact.size).toBe(5);
    });

    it('keeps nothing when the source stream fails', async () => {
      const { storage } = target;
      await expect(storage.put({ path: 'uploads/partial.txt', content: failing('half') })).rejects.toThrow();
      expect(await storage.exists('uploads/partial.txt')).toBe(false);
    });

    it('refuses unsafe paths with VALIDATION', async () => {
      const { storage } = target;
      for (const path of UNSAFE_STORAGE_PATHS) {
        expect(await codeOf(storage.put({ path, content: chunks('x') })), JSON.stringify(path)).toBe(
          'VALIDATION',
        );
        expect(await codeOf(storage.openRead(path)), JSON.stringify(path)).toBe('VALIDATION');
        expect(await codeOf(storage.delete(path)), JSON.stringify(path)).toBe('VALIDATION');
      }
    });

    it('lists the objects under a prefix with size and modification time, and nothing half-written', async () => {
      const { storage } = target;
      const before = Date.now() - 60_000;
      await storage.put({ path: 'uploads/messages/2026/03/c1/a.txt', content: chunks('abc') });
      await storage.put({ path: 'uploads/messages/2026/04/c2/b.txt', content: chunks('hello') });
      await storage.put({ path: 'uploads/other/c.txt', content: chunks('x') });
      await storage.put({ path: 'uploads/messagesX/d.txt', content: chunks('x') }).catch(() => undefined);
      await storage
        .put({ path: 'uploads/messages/2026/04/c2/e.txt', content: failing('half') })
        .catch(() => undefined);
      const listed = [];
      for await (const object of storage.list('uploads/messages/')) listed.push(object);
      listed.sort((a, b) => a.path.localeCompare(b.path));
      expect(listed.map(({ path, size }) => ({ path, size }))).toEqual([
        { path: 'uploads/messages/2026/03/c1/a.txt', size: 3 },
        { path: 'uploads/messages/2026/04/c2/b.txt', size: 5 },
      ]);
      for (const object of listed) {
        expect(object.modifiedAt).toBeInstanceOf(Date);
        expect(object.modifiedAt.getTime()).toBeGreaterThan(before);
      }
      const none = [];
      for await (const object of storage.list('uploads/nothing-here/')) none.push(object);
      expect(none).toEqual([]);
      expect(
        await codeOf(
          (async () => {
            for await (const _ of storage.list('../')) break;
          })(),
        ),
      ).toBe('VALIDATION');
    });

    it('reads a byte range, inclusive at both ends', async () => {
      const { storage } = target;
      const bytes = new Uint8Array(256 * 1024 + 7).map((_, i) => i % 251);
      await storage.put({ path: 'uploads/ranged.bin', content: chunks(bytes) });
      const read = async (start: number, end: number) => {
        let parts: number[] = [];
        for await (const chunk of await storage.openRead('uploads/ranged.bin', { start, end }))
          parts = parts.concat(Array.from(chunk));
        return parts;
      };
      expect(await read(0, 0)).toEqual([0]);
      expect(await read(250, 252)).toEqual([250, 0, 1]);
      expect(await read(bytes.length - 3, bytes.length - 1)).toEqual([...bytes.slice(-3)]);
      expect((await read(1000, 200_999)).length).toBe(200_000);
      expect(await codeOf(storage.openRead('uploads/absent.bin', { start: 0, end: 1 }))).toBe('NOT_FOUND');
    });

    it('replaces an object written twice at the same path', async () => {
      const { storage } = target;
      await storage.put({ path: 'uploads/c.txt', content: chunks('first') });
      await storage.put({ path: 'uploads/c.txt', content: chunks('second') });
      expect(await readAll(await storage.openRead('uploads/c.txt'))).toBe('second');
    });
  });
}
