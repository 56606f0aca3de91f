import type { ByteStream, DetectedType, ImageSize, MediaInspector, Thumbnail } from '@parley/messaging-core';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

export interface SharpMediaInspectorConfig {
  /**
   * Refuse images with more pixels than this (width × height) before decoding them: the guard
   * against decompression bombs. Default 50 000 000 (about 7000 × 7000).
   */
  readonly limitInputPixels?: number;
  /** WebP quality of thumbnails, 1–100 (default 80). */
  readonly thumbnailQuality?: number;
  /**
   * Most bytes of a file's head that type detection looks at, at least 4100 (default 65 536),
   * however large the chunk the upload arrived in. A zip whose entries run past them is
   * `application/zip` unless an entry within them proves a sub-type (the allowed-type rule then
   * lets the declared extension pick among the zip family).
   */
  readonly maxDetectionBytes?: number;
}

/** Bytes `file-type` needs to see every magic number it knows. */
const MIN_DETECTION_BYTES = 4100;

async function readAll(content: ByteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content)
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

/**
 * `MediaInspector` with `file-type` (magic numbers, zip and CFB containers) and `sharp` (libvips):
 * sizes after EXIF orientation, WebP thumbnails that are never enlarged. Decoding fails on any
 * libvips error (`failOn: 'error'`) and on images past `limitInputPixels`.
 *
 * Detection is bounded: it reads at most `maxDetectionBytes` of the head, and `file-type` (21.3
 * and later) inflates at most 1 MiB of a zip entry, never one that declares more, and treats a
 * zip it cannot follow to the end (truncated head, bad sizes, encryption) as `application/zip`.
 *
 * @example
 * ```ts
 * const core = createMessagingCore({ ..., attachmentStorage, mediaInspector: new SharpMediaInspector() });
 * ```
 */
export class SharpMediaInspector implements MediaInspector {
  readonly #limitInputPixels: number;
  readonly #quality: number;
  readonly #maxDetectionBytes: number;

  constructor(config: SharpMediaInspectorConfig = {}) {
    this.#limitInputPixels = config.limitInputPixels ?? 50_000_000;
    this.#quality = config.thumbnailQuality ?? 80;
    this.#maxDetectionBytes = config.maxDetectionBytes ?? 65_536;
    if (!Number.isSafeInteger(this.#maxDetectionBytes) || this.#maxDetectionBytes < MIN_DETECTION_BYTES) {
      throw new RangeError(`maxDetectionBytes must be an integer of at least ${MIN_DETECTION_BYTES}`);
    }
  }

  #open(bytes: Buffer) {
    return sharp(bytes, { failOn: 'error', limitInputPixels: this.#limitInputPixels, pages: 1 });
  }

  async detect(head: Uint8Array, _declaredName: string): Promise<DetectedType | null> {
    const found = await fileTypeFromBuffer(head.subarray(0, this.#maxDetectionBytes));
    return found === undefined ? null : { mimeType: found.mime, extension: found.ext };
  }

  async describeImage(content: ByteStream): Promise<ImageSize> {
    const bytes = await readAll(content);
    const metadata = await this.#open(bytes).metadata();
    // Decoding every pixel (streamed by libvips, not held in memory) proves the image is readable.
    await this.#open(bytes).stats();
    const oriented = metadata.autoOrient ?? metadata;
    if (!oriented.width || !oriented.height) throw new Error('image has no size');
    return { width: oriented.width, height: oriented.height };
  }

  async thumbnail(content: ByteStream, maxSide: number): Promise<Thumbnail> {
    const bytes = await readAll(content);
    const output = await this.#open(bytes)
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: this.#quality })
      .toBuffer();
    return { bytes: new Uint8Array(output), mimeType: 'image/webp', extension: 'webp' };
  }
}
