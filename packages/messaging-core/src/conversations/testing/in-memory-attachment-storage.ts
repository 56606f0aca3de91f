import { MessagingError } from '../../kernel/errors.js';
import { type Clock, systemClock } from '../../kernel/ports/clock.js';
import { assertSafeStoragePath, assertSafeStoragePrefix, fileTooLarge } from '../attachments/storage-path.js';
import type {
  AttachmentStorage,
  ByteRange,
  ByteStream,
  PutObjectInput,
  StoredObject,
  StoredObjectInfo,
} from '../ports/attachment-storage.js';

/**
 * Attachment bytes in memory.
 *
 * @example
 * ```ts
 * const storage = new InMemoryAttachmentStorage();
 * await storage.put({ path: 'uploads/a.txt', content: [new TextEncoder().encode('hi')] as unknown as ByteStream });
 * ```
 */
export class InMemoryAttachmentStorage implements AttachmentStorage {
  readonly #objects = new Map<string, { bytes: Uint8Array; modifiedAt: Date }>();
  readonly #clock: Clock;

  /** `clock` stamps `modifiedAt` (default: the wall clock). */
  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async put(input: PutObjectInput): Promise<StoredObject> {
    assertSafeStoragePath(input.path);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of input.content) {
      size += chunk.byteLength;
      if (input.maxBytes !== undefined && size > input.maxBytes) {
        throw fileTooLarge(input.maxBytes);
      }
      chunks.push(chunk);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.#objects.set(input.path, { bytes, modifiedAt: this.#clock.now() });
    return { path: input.path, size };
  }

  async openRead(path: string, range?: ByteRange): Promise<ByteStream> {
    assertSafeStoragePath(path);
    const object = this.#objects.get(path);
    if (!object) throw MessagingError.notFound('file', path);
    const copy = range === undefined ? object.bytes.slice() : object.bytes.slice(range.start, range.end + 1);
    return (async function* () {
      yield copy;
    })();
  }

  async delete(path: string): Promise<void> {
    assertSafeStoragePath(path);
    this.#objects.delete(path);
  }

  async exists(path: string): Promise<boolean> {
    assertSafeStoragePath(path);
    return this.#objects.has(path);
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    assertSafeStoragePrefix(prefix);
    for (const [path, object] of [...this.#objects]) {
      if (path.startsWith(prefix))
        yield { path, size: object.bytes.byteLength, modifiedAt: object.modifiedAt };
    }
  }

  /** Every stored path, sorted (for tests and sweeps). */
  paths(): string[] {
    return [...this.#objects.keys()].sort();
  }
}
