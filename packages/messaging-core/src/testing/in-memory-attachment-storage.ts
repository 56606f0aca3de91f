import { MessagingError } from '../errors.js';
import type {
  AttachmentStorage,
  ByteStream,
  PutObjectInput,
  StoredObject,
} from '../ports/attachment-storage.js';
import { assertSafeStoragePath } from './storage-path.js';

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
  readonly #objects = new Map<string, Uint8Array>();

  async put(input: PutObjectInput): Promise<StoredObject> {
    assertSafeStoragePath(input.path);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of input.content) {
      size += chunk.byteLength;
      if (input.maxBytes !== undefined && size > input.maxBytes) {
        throw new MessagingError('VALIDATION', `file is larger than ${input.maxBytes} bytes`, {
          field: 'file',
          details: { maxBytes: input.maxBytes },
        });
      }
      chunks.push(chunk);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.#objects.set(input.path, bytes);
    return { path: input.path, size };
  }

  async openRead(path: string): Promise<ByteStream> {
    assertSafeStoragePath(path);
    const bytes = this.#objects.get(path);
    if (!bytes) throw MessagingError.notFound('file', path);
    const copy = bytes.slice();
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

  /** Every stored path, sorted (for tests and sweeps). */
  paths(): string[] {
    return [...this.#objects.keys()].sort();
  }
}
