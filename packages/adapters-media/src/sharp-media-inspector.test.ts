import { classifyAttachment } from '@parley/messaging-core';
import { mediaInspectorContract } from '@parley/messaging-core/testing/contracts';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZipFile } from 'yazl';
import { SharpMediaInspector } from './sharp-media-inspector.js';
import {
  makeSampleFiles,
  photosZip,
  undecodablePng,
  ZIP_BOMB_INFLATED_BYTES,
  zipBombDocx,
} from './testing/sample-files.js';

mediaInspectorContract({
  name: 'sharp + file-type',
  setup: async () => ({
    inspector: new SharpMediaInspector(),
    samples: (await makeSampleFiles()).map((s) => ({
      name: s.name,
      bytes: s.bytes,
      mimeType: s.detectedAs,
      ...(s.image ? { image: s.image } : {}),
    })),
    undecodable: undecodablePng(),
  }),
});

async function* once(bytes: Uint8Array) {
  yield bytes;
}

describe('SharpMediaInspector', () => {
  it('decides every sample as Parley must: allowed types stored as such, the rest refused', async () => {
    const inspector = new SharpMediaInspector();
    for (const sample of await makeSampleFiles()) {
      const detected = await inspector.detect(sample.bytes.slice(0, 4100), sample.name);
      let decided: string | null;
      try {
        const type = classifyAttachment(detected, sample.name);
        decided = type === 'text-candidate' ? 'text' : type.mimeType;
      } catch {
        decided = null;
      }
      const expected = sample.storedAs?.startsWith('text/') ? 'text' : sample.storedAs;
      expect(decided, sample.name).toBe(expected);
    }
  });

  it('refuses images past the pixel limit (decompression bombs) before decoding them', async () => {
    const big = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const inspector = new SharpMediaInspector({ limitInputPixels: 1_000_000 });
    await expect(inspector.describeImage(once(big))).rejects.toThrow(/pixel limit/i);
    await expect(inspector.thumbnail(once(big), 320)).rejects.toThrow(/pixel limit/i);
  });

  it('rejects a truncated image whose header is intact', async () => {
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fa0' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const truncated = new Uint8Array(png.subarray(0, Math.floor(png.byteLength / 2)));
    const inspector = new SharpMediaInspector();
    await expect(inspector.describeImage(once(truncated))).rejects.toThrow();
  });

  it('makes a WebP thumbnail of at most 320 px on the longest side', async () => {
    const photo = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#08f' } })
      .jpeg()
      .toBuffer();
    const thumb = await new SharpMediaInspector().thumbnail(once(photo), 320);
    expect(thumb.mimeType).toBe('image/webp');
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 160 });
  });
});

/** `DecompressionStream` (what file-type inflates zip entries with), counting what it puts out. */
function countInflatedBytes(): { readonly total: () => number } {
  let total = 0;
  const Original = globalThis.DecompressionStream;
  class CountingDecompressionStream extends Original {
    constructor(format: ConstructorParameters<typeof DecompressionStream>[0]) {
      super(format);
      const counted = super.readable.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            total += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
      );
      Object.defineProperty(this, 'readable', { value: counted });
    }
  }
  vi.stubGlobal('DecompressionStream', CountingDecompressionStream);
  return { total: () => total };
}

/** A jar (META-INF/MANIFEST.MF) behind a stored 100 KB first entry. */
async function jarBehindPadding(): Promise<Uint8Array> {
  const file = new ZipFile();
  file.addBuffer(Buffer.alloc(100_000, 0x61), 'assets/blob.bin', { compress: false });
  file.addBuffer(Buffer.from('Manifest-Version: 1.0\n'), 'META-INF/MANIFEST.MF');
  file.end();
  const chunks: Buffer[] = [];
  for await (const chunk of file.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

describe('SharpMediaInspector: bounded detection', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('decides an ordinary zip whose head ends inside a deflated photo as application/zip', async () => {
    const photos = await photosZip();
    expect(photos.byteLength).toBeGreaterThan(90_000);
    const inspector = new SharpMediaInspector();
    for (const size of [4100, 16_384, 65_536, photos.byteLength]) {
      expect(await inspector.detect(photos.slice(0, size), 'photos.zip'), `first ${size} bytes`).toEqual({
        mimeType: 'application/zip',
        extension: 'zip',
      });
    }
  });

  it('never inflates an entry that declares 60 MiB: the bomb is a zip, decided without inflating', async () => {
    const inflated = countInflatedBytes();
    const bomb = zipBombDocx();
    expect(bomb.byteLength).toBeLessThan(70_000);
    expect(await new SharpMediaInspector().detect(bomb, 'bomb.docx')).toEqual({
      mimeType: 'application/zip',
      extension: 'zip',
    });
    expect(inflated.total()).toBe(0);
  });

  it('inflates at most 1 MiB of an entry that lies about its size, then decides from what it has', async () => {
    const inflated = countInflatedBytes();
    const bomb = zipBombDocx({ lieAboutSize: true });
    expect(await new SharpMediaInspector().detect(bomb, 'bomb.docx')).toEqual({
      mimeType: 'application/zip',
      extension: 'zip',
    });
    // It did start inflating (the counter sees the detector's inflater) and stopped at the cap,
    // one output chunk past it at most: nowhere near the 60 MiB inside.
    expect(inflated.total()).toBeGreaterThan(0);
    expect(inflated.total()).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    expect(inflated.total()).toBeLessThan(ZIP_BOMB_INFLATED_BYTES / 50);
  });

  it('looks at no more than maxDetectionBytes of the head, however much it is given', async () => {
    const jar = await jarBehindPadding();
    // The manifest that makes it a jar lies past the default 64 KiB: unseen, so a plain zip.
    expect((await new SharpMediaInspector().detect(jar, 'lib.zip'))?.mimeType).toBe('application/zip');
    expect(
      (await new SharpMediaInspector({ maxDetectionBytes: 200_000 }).detect(jar, 'lib.zip'))?.mimeType,
    ).toBe('application/java-archive');
    expect(() => new SharpMediaInspector({ maxDetectionBytes: 4099 })).toThrow(RangeError);
  });
});
