import type { ByteStream } from './attachment-storage.js';

/** A file type recognised from magic numbers. */
export interface DetectedType {
  /** `image/png`, `application/zip`, `application/x-cfb`, `application/x-elf`, … */
  readonly mimeType: string;
  /** Without the dot: `png`, `zip`, `docx`, `cfb`, `elf`, … */
  readonly extension: string;
}

/** Pixel size of a decoded image. */
export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** A generated thumbnail. */
export interface Thumbnail {
  readonly bytes: Uint8Array;
  /** `image/webp` or `image/jpeg`. */
  readonly mimeType: string;
  /** `webp` or `jpg`. */
  readonly extension: string;
}

/**
 * Looks inside files: what their bytes are, how large an image is, and its thumbnail. The core
 * decides what is allowed; the inspector only reports.
 *
 * @example
 * ```ts
 * const type = await inspector.detect(head, 'photo.png'); // { mimeType: 'image/png', extension: 'png' }
 * const { width, height } = await inspector.describeImage(await storage.openRead(path));
 * const thumb = await inspector.thumbnail(await storage.openRead(path), 320);
 * ```
 */
export interface MediaInspector {
  /**
   * The type the first bytes of a file show (at least 4100 bytes, or the whole file when
   * smaller), or null when no magic number matches (plain text, unknown binary).
   * `declaredName` is a hint for containers only; it never overrides the bytes. Asynchronous
   * because real detectors (file-type) are.
   *
   * Bounded: an implementation looks at a capped number of bytes and inflates a capped number
   * from inside containers, whatever it is given, and decides from what it has — a zip whose head
   * ends inside an entry, or whose entries inflate past the cap, is reported as the container
   * (`application/zip`). The use case turns a rejection into `UNSUPPORTED_MEDIA_TYPE`.
   *
   * @example
   * ```ts
   * await inspector.detect(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]), 'a.pdf'); // { mimeType: 'application/pdf', extension: 'pdf' }
   * ```
   */
  detect(head: Uint8Array, declaredName: string): Promise<DetectedType | null>;

  /**
   * Decodes an image far enough to know its size. Rejects when it cannot be decoded (corrupt,
   * truncated, larger than the pixel limit).
   *
   * @example
   * ```ts
   * await inspector.describeImage(stream); // { width: 1, height: 1 }
   * ```
   */
  describeImage(content: ByteStream): Promise<ImageSize>;

  /**
   * A thumbnail whose longest side is at most `maxSide` (never enlarged). Rejects when the
   * image cannot be decoded.
   *
   * @example
   * ```ts
   * const thumb = await inspector.thumbnail(stream, 320); // { bytes, mimeType: 'image/webp', extension: 'webp' }
   * ```
   */
  thumbnail(content: ByteStream, maxSide: number): Promise<Thumbnail>;
}
