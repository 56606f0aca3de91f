import { Readable } from 'node:stream';
import type { PersonalDataExport, PersonalDataSection } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { personalDataZip } from './personal-data-zip.js';

const person = { type: 'customer', id: 'c1' };

function exportOf(
  sections: PersonalDataSection[],
  files: PersonalDataExport['files'] = async function* () {},
) {
  return {
    person,
    generatedAt: new Date('2026-05-04T09:00:00.000Z'),
    sections,
    files,
  } satisfies PersonalDataExport;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function names(bytes: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: false }, (error, zip) => {
      if (error || !zip) return reject(error);
      const found: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => found.push(entry.fileName));
      zip.on('end', () => resolve(found));
      zip.on('error', reject);
    });
  });
}

describe('personalDataZip', () => {
  it('reads a section only as fast as the archive is consumed (nothing is buffered whole)', async () => {
    let produced = 0;
    const total = 50_000;
    const big: PersonalDataSection = {
      name: 'messages',
      async *records() {
        for (let i = 0; i < total; i += 1) {
          produced += 1;
          // Random text does not compress: each record costs its size in the archive.
          yield { id: i, content: Math.random().toString(36).repeat(8) };
        }
      },
    };
    const stream = personalDataZip(exportOf([big]));
    // Read one chunk, then stop reading for a while: the writer must stall well before the end.
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(total);
    // Reading on finishes the archive with every record and the manifest last.
    const rest: Buffer[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      rest.push(next.value as Buffer);
    }
    expect(produced).toBe(total);
  });

  it('writes sections in order, then files, then the manifest; a lost file is listed as missing', async () => {
    const sections: PersonalDataSection[] = [
      {
        name: 'directory_entry',
        async *records() {
          yield { id: 'c1' };
        },
      },
      { name: 'blocks', async *records() {} },
    ];
    const bytes = await collect(
      personalDataZip(
        exportOf(sections, async function* () {
          yield {
            name: 'attachments/a1/x.txt',
            attachmentId: 'a1',
            open: async () => Readable.from([Buffer.from('x')]),
          };
          yield { name: 'attachments/a2/y.txt', attachmentId: 'a2', open: async () => null };
        }),
      ),
    );
    expect(await names(bytes)).toEqual([
      'directory_entry.json',
      'blocks.json',
      'attachments/a1/x.txt',
      'manifest.json',
    ]);
  });

  it('fails the stream when a section fails (the client sees a cut download, not a valid archive)', async () => {
    const failing: PersonalDataSection = {
      name: 'messages',
      // biome-ignore lint/correctness/useYield: a section that fails before its first record
      async *records() {
        throw new Error('database gone');
      },
    };
    await expect(collect(personalDataZip(exportOf([failing])))).rejects.toThrow('database gone');
  });
});
