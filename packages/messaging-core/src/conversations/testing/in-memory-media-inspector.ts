import type { ByteStream } from '../ports/attachment-storage.js';
import type { DetectedType, ImageSize, MediaInspector, Thumbnail } from '../ports/media-inspector.js';

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** Magic numbers the fake knows: enough for the core's tests, not a real detector. */
const SIGNATURES: readonly { bytes: readonly number[]; offset?: number; type: DetectedType }[] = [
  {
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    type: { mimeType: 'image/png', extension: 'png' },
  },
  { bytes: [0xff, 0xd8, 0xff], type: { mimeType: 'image/jpeg', extension: 'jpg' } },
  { bytes: ascii('GIF8'), type: { mimeType: 'image/gif', extension: 'gif' } },
  { bytes: ascii('WEBP'), offset: 8, type: { mimeType: 'image/webp', extension: 'webp' } },
  { bytes: ascii('%PDF-'), type: { mimeType: 'application/pdf', extension: 'pdf' } },
  { bytes: [0x50, 0x4b, 0x03, 0x04], type: { mimeType: 'application/zip', extension: 'zip' } },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    type: { mimeType: 'application/x-cfb', extension: 'cfb' },
  },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], type: { mimeType: 'application/x-elf', extension: 'elf' } },
  { bytes: ascii('MZ'), type: { mimeType: 'application/x-msdownload', extension: 'exe' } },
];

async function readAll(content: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of content) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const matches = (bytes: Uint8Array, signature: readonly number[], offset = 0) =>
  bytes.byteLength >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);

/** Reads the size a PNG (IHDR), GIF (logical screen) or WebP (VP8X) header declares; null otherwise. */
function headerSize(bytes: Uint8Array): ImageSize | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (matches(bytes, SIGNATURES[0]!.bytes) && matches(bytes, ascii('IHDR'), 12) && bytes.byteLength >= 24) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (matches(bytes, ascii('GIF8')) && bytes.byteLength >= 10) {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (matches(bytes, ascii('WEBPVP8X'), 8) && bytes.byteLength >= 30) {
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return { width: u24(24) + 1, height: u24(27) + 1 };
  }
  return null;
}

/** A WebP header (VP8X) declaring a size: what the fake returns as a thumbnail. */
function fakeWebp(size: ImageSize): Uint8Array {
  const bytes = new Uint8Array(30);
  bytes.set(ascii('RIFF'), 0);
  new DataView(bytes.buffer).setUint32(4, 22, true);
  bytes.set(ascii('WEBPVP8X'), 8);
  new DataView(bytes.buffer).setUint32(16, 10, true);
  const put24 = (at: number, value: number) => {
    bytes[at] = value & 0xff;
    bytes[at + 1] = (value >> 8) & 0xff;
    bytes[at + 2] = (value >> 16) & 0xff;
  };
  put24(24, size.width - 1);
  put24(27, size.height - 1);
  return bytes;
}

/**
 * A `MediaInspector` without native code, for the core's tests: recognises PNG, JPEG, GIF, WebP,
 * PDF, ZIP, CFB, ELF and PE by their magic numbers, "decodes" images by reading the size their
 * header declares (JPEG: never decodable) and returns a WebP header of the scaled size as the
 * thumbnail.
 *
 * @example
 * ```ts
 * const core = createMessagingCore({ ..., attachmentStorage: new InMemoryAttachmentStorage(), mediaInspector: new InMemoryMediaInspector() });
 * ```
 */
export class InMemoryMediaInspector implements MediaInspector {
  async detect(head: Uint8Array, _declaredName: string): Promise<DetectedType | null> {
    return SIGNATURES.find((s) => matches(head, s.bytes, s.offset))?.type ?? null;
  }

  async describeImage(content: ByteStream): Promise<ImageSize> {
    const size = headerSize(await readAll(content));
    if (size === null || size.width < 1 || size.height < 1) throw new Error('image cannot be decoded');
    return size;
  }

  async thumbnail(content: ByteStream, maxSide: number): Promise<Thumbnail> {
    const size = await this.describeImage(content);
    const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
    const scaled = {
      width: Math.max(1, Math.round(size.width * scale)),
      height: Math.max(1, Math.round(size.height * scale)),
    };
    return { bytes: fakeWebp(scaled), mimeType: 'image/webp', extension: 'webp' };
  }
}

/** A PNG header (signature + IHDR) declaring a size; enough for `InMemoryMediaInspector`. */
export function fakePng(width: number, height: number, padding = 0): Uint8Array {
  const bytes = new Uint8Array(33 + padding);
  bytes.set(SIGNATURES[0]!.bytes, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, 13);
  bytes.set(ascii('IHDR'), 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes[24] = 8;
  bytes[25] = 2;
  return bytes;
}
