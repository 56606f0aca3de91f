import { classifyAttachment } from '@parley/messaging-core';
import { mediaInspectorContract } from '@parley/messaging-core/testing/contracts';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { SharpMediaInspector } from './sharp-media-inspector.js';
import { makeSampleFiles, undecodablePng } from './testing/sample-files.js';

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
