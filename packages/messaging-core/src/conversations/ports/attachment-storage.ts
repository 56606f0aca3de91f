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

/** An inclusive byte range of a stored object (`start` and `end` both read), as HTTP `Range` counts. */
export interface ByteRange {
  readonly start: number;
  /** The last byte read; at most the object's size minus one. */
  readonly end: number;
}

/** What a presigned read URL answers with besides the bytes. */
export interface PresignReadOptions {
  /** Seconds the URL stays valid. */
  readonly expiresInSeconds: number;
  /** The `Content-Type` the storage answers with. */
  readonly contentType: string;
  /** The `Content-Disposition` the storage answers with. */
  readonly contentDisposition: string;
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
  /**
   * The object's bytes, or only those of `range` (its caller keeps it within the object's size).
   * Fails with `NOT_FOUND` when nothing is stored at `path`.
   *
   * @example
   * ```ts
   * const firstKiB = await storage.openRead('uploads/messages/2026/11/c1/f.pdf', { start: 0, end: 1023 });
   * ```
   */
  openRead(path: string, range?: ByteRange): Promise<ByteStream>;
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
  /**
   * Only storages a client can read from directly (S3): a short-lived URL that reads the object
   * without Parley, answering with the given headers. Nothing is checked or written: the caller
   * has authorised the read. Absent where the bytes are only reachable through Parley.
   *
   * @example
   * ```ts
   * const url = await storage.presignRead?.(path, { expiresInSeconds: 60, contentType: 'application/pdf', contentDisposition: 'attachment; filename="a.pdf"' });
   * ```
   */
  presignRead?(path: string, options: PresignReadOptions): Promise<string>;
}
