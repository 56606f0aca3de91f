/** Bytes as the core passes them around: any async iterable of chunks (a Node stream is one). */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface PutObjectInput {
  /**
   * Relative storage path chosen by the core (`uploads/messages/2026/11/{conversation}/{uuid}.png`).
   * Adapters reject absolute paths, `..` segments, backslashes and NUL bytes.
   */
  readonly path: string;
  readonly content: ByteStream;
  /** Abort with `PAYLOAD_TOO_LARGE` (field `file`, `details.maxBytes`) and store nothing once more bytes than this arrive. */
  readonly maxBytes?: number;
}

export interface StoredObject {
  readonly path: string;
  readonly size: number;
}

/** An object found by `AttachmentStorage.list`. */
export interface StoredObjectInfo {
  readonly path: string;
  readonly size: number;
  /** When the object was last written (the sweep's grace period is measured from it). */
  readonly modifiedAt: Date;
}

/**
 * Where attachment bytes live. Writes are all-or-nothing: a failed or aborted `put` leaves
 * nothing at `path`.
 *
 * @example
 * ```ts
 * const stored = await storage.put({ path: 'uploads/messages/2026/11/c1/f.txt', content: stream });
 * for await (const chunk of await storage.openRead(stored.path)) process(chunk);
 * ```
 */
export interface AttachmentStorage {
  put(input: PutObjectInput): Promise<StoredObject>;
  /** Fails with `NOT_FOUND` when nothing is stored at `path`. */
  openRead(path: string): Promise<ByteStream>;
  /** Removes the object; absent objects are ignored. */
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /**
   * Every stored object whose path starts with `prefix` (a directory such as `uploads/messages/`),
   * in no particular order. Objects still being written (temp files) are not listed.
   *
   * @example
   * ```ts
   * for await (const object of storage.list('uploads/messages/')) console.log(object.path, object.modifiedAt);
   * ```
   */
  list(prefix: string): AsyncIterable<StoredObjectInfo>;
}
