import { describe, expect, it } from 'vitest';
import type { ByteStream } from '../../ports/attachment-storage.js';
import type { MediaInspector } from '../../ports/media-inspector.js';

/** A file the target provides, with what its inspector must say about it. */
export interface MediaSample {
  /** The declared file name (`photo.png`). */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The MIME type `detect` must report; null when no magic number should match (text). */
  readonly mimeType: string | null;
  /** For images: the size `describeImage` must report. */
  readonly image?: { readonly width: number; readonly height: number };
}

export interface MediaInspectorContractTarget {
  readonly inspector: MediaInspector;
  /**
   * Files to detect and measure. Real detectors should include containers they must decide from
   * what they are given: a zip whose first 4100 bytes end inside an entry (`application/zip`), and
   * a decompression bomb whose type only shows past what detection may inflate (its container).
   */
  readonly samples: readonly MediaSample[];
  /** Bytes detected as an image that cannot be decoded (a PNG header followed by garbage). */
  readonly undecodable: Uint8Array;
}

export interface MediaInspectorContractOptions {
  readonly name: string;
  readonly setup: () => Promise<MediaInspectorContractTarget>;
}

/** Streams bytes in small uneven chunks, as a network upload would. */
async function* chunked(bytes: Uint8Array, size = 7): ByteStream {
  for (let offset = 0; offset < bytes.byteLength; offset += size) yield bytes.slice(offset, offset + size);
}

/**
 * The behaviour every `MediaInspector` must show, over sample files its target makes.
 *
 * @example
 * ```ts
 * mediaInspectorContract({ name: 'sharp', setup: async () => ({ inspector, samples, undecodable }) });
 * ```
 */
export function mediaInspectorContract(options: MediaInspectorContractOptions): void {
  describe(`MediaInspector contract: ${options.name}`, () => {
    it('detects each sample from its first 4100 bytes and from the whole file, never failing', async () => {
      const { inspector, samples } = await options.setup();
      expect(samples.length).toBeGreaterThan(0);
      for (const sample of samples) {
        for (const [label, head] of [
          ['first 4100 bytes', sample.bytes.slice(0, 4100)],
          ['whole file', sample.bytes],
        ] as const) {
          expect(
            (await inspector.detect(head, sample.name))?.mimeType ?? null,
            `${sample.name} (${label})`,
          ).toBe(sample.mimeType);
        }
      }
    });

    it('decides any prefix of a sample without failing (a head may end anywhere)', async () => {
      const { inspector, samples } = await options.setup();
      for (const sample of samples) {
        for (const size of [1, 2, 8, 31, 64, 300, 1024, 4099, 4100, 8192, 40_000]) {
          if (size > sample.bytes.byteLength) break;
          const detected = await inspector.detect(sample.bytes.slice(0, size), sample.name).then(
            (type) => type,
            (error: unknown) => new Error(`${sample.name}, first ${size} bytes: ${String(error)}`),
          );
          expect(detected instanceof Error ? detected.message : 'decided').toBe('decided');
        }
      }
    });

    it('measures each image, read as a chunked stream', async () => {
      const { inspector, samples } = await options.setup();
      const images = samples.filter((s) => s.image !== undefined);
      expect(images.length).toBeGreaterThan(0);
      for (const sample of images) {
        expect(await inspector.describeImage(chunked(sample.bytes)), sample.name).toEqual(sample.image);
      }
    });

    it('makes thumbnails no larger than asked, never enlarged, in WebP or JPEG', async () => {
      const { inspector, samples } = await options.setup();
      for (const sample of samples.filter((s) => s.image !== undefined)) {
        for (const maxSide of [1, 320]) {
          const thumb = await inspector.thumbnail(chunked(sample.bytes), maxSide);
          expect([
            ['image/webp', 'webp'],
            ['image/jpeg', 'jpg'],
          ]).toContainEqual([thumb.mimeType, thumb.extension]);
          expect((await inspector.detect(thumb.bytes, `t.${thumb.extension}`))?.mimeType).toBe(
            thumb.mimeType,
          );
          const size = await inspector.describeImage(chunked(thumb.bytes));
          const longest = Math.min(maxSide, Math.max(sample.image!.width, sample.image!.height));
          expect(Math.max(size.width, size.height), `${sample.name} at ${maxSide}`).toBe(longest);
        }
      }
    });

    it('rejects an image that cannot be decoded', async () => {
      const { inspector, undecodable } = await options.setup();
      expect((await inspector.detect(undecodable, 'broken.png'))?.mimeType).toMatch(/^image\//);
      await expect(inspector.describeImage(chunked(undecodable))).rejects.toThrow();
      await expect(inspector.thumbnail(chunked(undecodable), 320)).rejects.toThrow();
    });
  });
}
