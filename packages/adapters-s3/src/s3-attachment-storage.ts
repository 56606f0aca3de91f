import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  type AttachmentStorage,
  assertSafeStoragePath,
  assertSafeStoragePrefix,
  type ByteRange,
  type ByteStream,
  fileTooLarge,
  MessagingError,
  type PresignReadOptions,
  type PutObjectInput,
  type StoredObject,
  type StoredObjectInfo,
} from '@parley/messaging-core';

/** S3's smallest part (5 MiB): a file below it is one `PutObject`, above it a multipart upload. */
export const S3_DEFAULT_PART_SIZE = 5 * 1024 * 1024;

export interface S3AttachmentStorageConfig {
  /** A client made with `createS3Client` (or any `S3Client` whose owner closes it). */
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Prepended to every storage path to make the object key (e.g. `parley/`), so Parley can share
   * a bucket; objects outside it are never listed, read or deleted. Default: none.
   */
  readonly keyPrefix?: string;
  /** Bytes per part of a multipart upload (at least 5 MiB). Default `S3_DEFAULT_PART_SIZE`. */
  readonly partSize?: number;
  /** Parts uploaded at once per file. Default 2, so one upload holds at most ~3 parts in memory. */
  readonly queueSize?: number;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    : undefined;
}

function isMissing(error: unknown): boolean {
  const name = error instanceof Error ? error.name : undefined;
  return statusOf(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * The first `length` bytes of `body`, then it is closed: a server that serves more than the range
 * asked for (some S3-compatible servers read `bytes=0-0` as "from 0") never hands out more.
 */
async function* atMost(body: AsyncIterable<Uint8Array>, length: number): ByteStream {
  let left = length;
  for await (const chunk of body) {
    if (chunk.byteLength >= left) {
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.byteLength;
    yield chunk;
  }
}

/**
 * `AttachmentStorage` on S3 or any S3-compatible server. Uploads stream through `@aws-sdk/lib-storage`:
 * a file smaller than one part is a single `PutObject`, a larger one a multipart upload whose
 * parts are sent as they fill, and `maxBytes` is counted while streaming — past it the upload is
 * aborted (its parts removed) and nothing is stored, as with a source stream that fails. S3
 * replaces an object atomically, so a reader never sees half a file, and uploads in flight are
 * not objects yet, so `list` never shows them. Paths are checked by the core's rule before any
 * request; `list` skips keys that are not safe paths (written by someone else).
 *
 * @example
 * ```ts
 * const client = createS3Client({ region: 'eu-west-1', accessKeyId, secretAccessKey });
 * const storage = new S3AttachmentStorage({ client, bucket: 'parley-attachments' });
 * await storage.put({ path: 'uploads/messages/2026/11/c1/a.pdf', content: stream, maxBytes: 10 * 1024 * 1024 });
 * ```
 */
export class S3AttachmentStorage implements AttachmentStorage {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #keyPrefix: string;
  readonly #partSize: number;
  readonly #queueSize: number;

  constructor(config: S3AttachmentStorageConfig) {
    if (config.bucket.trim() === '')
      throw MessagingError.validation('bucket', 'an S3 bucket name is required');
    if (config.keyPrefix !== undefined && config.keyPrefix !== '') assertSafeStoragePrefix(config.keyPrefix);
    this.#client = config.client;
    this.#bucket = config.bucket;
    this.#keyPrefix = config.keyPrefix ?? '';
    this.#partSize = Math.max(config.partSize ?? S3_DEFAULT_PART_SIZE, S3_DEFAULT_PART_SIZE);
    this.#queueSize = config.queueSize ?? 2;
  }

  #key(path: string): string {
    assertSafeStoragePath(path);
    return `${this.#keyPrefix}${path}`;
  }

  async put(input: PutObjectInput): Promise<StoredObject> {
    const key = this.#key(input.path);
    let size = 0;
    // The first error of the source (or the limit) is the one to report, not the SDK's wrapping of it.
    let sourceError: unknown;
    const { maxBytes } = input;
    async function* counted(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of input.content) {
          size += chunk.byteLength;
          if (maxBytes !== undefined && size > maxBytes) throw fileTooLarge(maxBytes);
          yield chunk;
        }
      } catch (error) {
        sourceError ??= error;
        throw error;
      }
    }
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: Readable.from(counted(), { objectMode: false }) },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      throw sourceError ?? error;
    }
    if (sourceError !== undefined) throw sourceError;
    return { path: input.path, size };
  }

  async openRead(path: string, range?: ByteRange): Promise<ByteStream> {
    const key = this.#key(path);
    try {
      const response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      if (response.Body === undefined) throw MessagingError.notFound('file', path);
      const body = response.Body as Readable;
      return range === undefined ? body : atMost(body, range.end - range.start + 1);
    } catch (error) {
      if (isMissing(error)) throw MessagingError.notFound('file', path);
      throw error;
    }
  }

  async delete(path: string): Promise<void> {
    // S3 answers a delete of a missing key with success: absent objects are ignored for free.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(path) }));
  }

  async exists(path: string): Promise<boolean> {
    const key = this.#key(path);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObjectInfo> {
    assertSafeStoragePrefix(prefix);
    const pages = paginateListObjectsV2(
      { client: this.#client, pageSize: 1000 },
      { Bucket: this.#bucket, Prefix: `${this.#keyPrefix}${prefix}` },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        const path = object.Key.slice(this.#keyPrefix.length);
        try {
          assertSafeStoragePath(path);
        } catch {
          continue;
        }
        yield { path, size: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
      }
    }
  }

  /**
   * A presigned `GetObject` URL (SigV4 query signature) valid `expiresInSeconds`, answering with
   * the given type and disposition (`response-content-type`, `response-content-disposition`), so
   * a browser downloads the bytes from S3 exactly as Parley would serve them. Signing is local:
   * no request is made.
   */
  async presignRead(path: string, options: PresignReadOptions): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(path),
        ResponseContentType: options.contentType,
        ResponseContentDisposition: options.contentDisposition,
      }),
      { expiresIn: options.expiresInSeconds },
    );
  }
}
