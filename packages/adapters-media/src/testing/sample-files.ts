import { randomBytes } from 'node:crypto';
import zlib, { constants, deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { ZipFile } from 'yazl';

/** A real file made for a test, with what Parley must decide about it. */
export interface SampleFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The MIME type Parley stores, or null when the upload must be refused (415). */
  readonly storedAs: string | null;
  /** What detection reports from the first 4100 bytes and from the whole file (null: no magic number). */
  readonly detectedAs: string | null;
  readonly image?: { readonly width: number; readonly height: number };
}

async function zip(entries: readonly (readonly [string, string | Uint8Array])[]): Promise<Uint8Array> {
  const file = new ZipFile();
  for (const [name, content] of entries) {
    // OpenDocument wants `mimetype` first and stored; the others may be deflated.
    file.addBuffer(Buffer.from(content), name, { compress: name !== 'mimetype' });
  }
  file.end();
  const chunks: Buffer[] = [];
  for await (const chunk of file.outputStream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

const CONTENT_TYPES = (main: string, part: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${part}" ContentType="${main}"/></Types>`;
const RELS = (part: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${part}"/></Relationships>`;

function ooxml(main: string, part: string, body: string): Promise<Uint8Array> {
  return zip([
    ['[Content_Types].xml', CONTENT_TYPES(main, part)],
    ['_rels/.rels', RELS(part)],
    [part, body],
  ]);
}

function odf(mimeType: string): Promise<Uint8Array> {
  return zip([
    ['mimetype', mimeType],
    [
      'META-INF/manifest.xml',
      `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="${mimeType}"/></manifest:manifest>`,
    ],
    ['content.xml', '<?xml version="1.0" encoding="UTF-8"?><office:document-content/>'],
  ]);
}

/**
 * Pixels that do not compress (a fixed pseudo-random sequence), so a JPEG of them stays about as
 * large as its pixel count and deflates to about its own size inside a zip.
 */
function noise(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/**
 * An ordinary archive: a deflated ~100 KB photo, then a text file. Its first 4100 bytes (or the
 * first chunk of an upload) end inside the photo's compressed data.
 */
export async function photosZip(): Promise<Uint8Array> {
  const photo = await sharp(noise(340 * 340 * 3), { raw: { width: 340, height: 340, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
  return zip([
    ['holiday/beach.jpg', photo],
    ['holiday/notes.txt', 'Day one: beach.\nDay two: rain.\n'],
  ]);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of a zip entry: `zlib.crc32` where Node has it (20.15+), a table otherwise. */
function crc32(bytes: Uint8Array, previous = 0): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(bytes, previous);
  let crc = ~previous;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

interface RawZipEntry {
  readonly name: string;
  /** Raw deflate data (method 8). */
  readonly deflated: Uint8Array;
  readonly crc: number;
  readonly size: number;
  /** The uncompressed size written in the headers, when it should differ from `size`. */
  readonly declaredSize?: number;
}

function deflatedEntry(name: string, content: string): RawZipEntry {
  const bytes = Buffer.from(content);
  return { name, deflated: deflateRawSync(bytes), crc: crc32(bytes), size: bytes.byteLength };
}

/** A zip of already-deflated entries (yazl deflates by itself, which would take seconds here). */
function rawZip(entries: readonly RawZipEntry[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const declared = entry.declaredSize ?? entry.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.deflated.byteLength, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(entry.crc >>> 0, 16);
    central.writeUInt32LE(entry.deflated.byteLength, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(entry.deflated));
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + entry.deflated.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** How much `[Content_Types].xml` of `zipBombDocx` inflates to: 60 MiB and a few bytes. */
export const ZIP_BOMB_INFLATED_BYTES = 60 * 1024 * 1024;

/**
 * A ~60 KB `.docx` whose `[Content_Types].xml` inflates to 60 MiB: the XML declaration, then 60
 * MiB of spaces, then the `Override` that names the document type, so whoever wants to read that
 * type must inflate all of it. Built from one deflated MiB of spaces repeated (each block ends
 * with a full flush, so copies follow each other in one valid stream), which takes milliseconds.
 * With `lieAboutSize`, both headers declare 1000 bytes instead of the real size, as a crafted bomb
 * would, so a reader trusting them inflates it anyway.
 */
export function zipBombDocx(options: { readonly lieAboutSize?: boolean } = {}): Uint8Array {
  const mebibyte = Buffer.alloc(1024 * 1024, 0x20);
  const block = deflateRawSync(mebibyte, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const head = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
  );
  const tail = Buffer.from(
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  const copies = ZIP_BOMB_INFLATED_BYTES / mebibyte.byteLength;
  let crc = crc32(head);
  for (let i = 0; i < copies; i++) crc = crc32(mebibyte, crc);
  crc = crc32(tail, crc);
  const contentTypes: RawZipEntry = {
    name: '[Content_Types].xml',
    deflated: Buffer.concat([
      deflateRawSync(head, { finishFlush: constants.Z_FULL_FLUSH }),
      ...Array.from({ length: copies }, () => block),
      deflateRawSync(tail),
    ]),
    crc,
    size: head.byteLength + ZIP_BOMB_INFLATED_BYTES + tail.byteLength,
    ...(options.lieAboutSize ? { declaredSize: 1000 } : {}),
  };
  return rawZip([
    contentTypes,
    deflatedEntry('_rels/.rels', RELS('word/document.xml')),
    deflatedEntry('word/document.xml', '<w:document/>'),
  ]);
}

/** A minimal valid PDF (one empty page) with a correct xref table. */
export function minimalPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

/** A Compound File Binary header (what .doc/.xls/.ppt start with), padded to its first sectors. */
export function cfbHeader(): Uint8Array {
  const bytes = new Uint8Array(1536);
  bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(0x18, 0x003e, true); // minor version
  view.setUint16(0x1a, 0x0003, true); // major version 3 (512-byte sectors)
  view.setUint16(0x1c, 0xfffe, true); // little-endian byte order mark
  view.setUint16(0x1e, 9, true); // sector shift
  view.setUint16(0x20, 6, true); // mini sector shift
  return bytes;
}

/** A 64-bit ELF header: an executable, whatever it is named. */
export function elfHeader(): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  return bytes;
}

/**
 * A PNG signature and a valid header (IHDR, 64×64) followed by an IDAT chunk of random bytes:
 * detected as an image, never decodable.
 */
export function undecodablePng(size = 2048): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12); // IHDR
  view.setUint32(16, 64);
  view.setUint32(20, 64);
  bytes.set([8, 2, 0, 0, 0], 24);
  view.setUint32(33, size - 45);
  bytes.set([0x49, 0x44, 0x41, 0x54], 37); // IDAT
  bytes.set(randomBytes(size - 41), 41);
  return bytes;
}

async function image(
  format: 'png' | 'jpeg' | 'gif' | 'webp',
  width: number,
  height: number,
): Promise<Uint8Array> {
  const base = sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } });
  return new Uint8Array(await base.toFormat(format).toBuffer());
}

/**
 * One real, small file of every type Parley accepts, and a few it must refuse, made in the test
 * (images by sharp, Office and OpenDocument files as zips with the right manifest entries), plus
 * an ordinary zip whose head ends inside a deflated photo and a zip bomb named `.docx`.
 *
 * @example
 * ```ts
 * const samples = await makeSampleFiles();
 * const png = samples.find((s) => s.name === 'pixel.png');
 * ```
 */
export async function makeSampleFiles(): Promise<SampleFile[]> {
  const text = new TextEncoder();
  return [
    {
      name: 'pixel.png',
      bytes: await image('png', 1, 1),
      storedAs: 'image/png',
      detectedAs: 'image/png',
      image: { width: 1, height: 1 },
    },
    {
      name: 'wide.png',
      bytes: await image('png', 640, 480),
      storedAs: 'image/png',
      detectedAs: 'image/png',
      image: { width: 640, height: 480 },
    },
    {
      name: 'photo.jpg',
      bytes: await image('jpeg', 400, 300),
      storedAs: 'image/jpeg',
      detectedAs: 'image/jpeg',
      image: { width: 400, height: 300 },
    },
    {
      name: 'anim.gif',
      bytes: await image('gif', 20, 10),
      storedAs: 'image/gif',
      detectedAs: 'image/gif',
      image: { width: 20, height: 10 },
    },
    {
      name: 'pic.webp',
      bytes: await image('webp', 30, 60),
      storedAs: 'image/webp',
      detectedAs: 'image/webp',
      image: { width: 30, height: 60 },
    },
    { name: 'doc.pdf', bytes: minimalPdf(), storedAs: 'application/pdf', detectedAs: 'application/pdf' },
    {
      name: 'letter.docx',
      bytes: await ooxml(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
        'word/document.xml',
        '<w:document/>',
      ),
      storedAs: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      detectedAs: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    },
    {
      name: 'sheet.xlsx',
      bytes: await ooxml(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
        'xl/workbook.xml',
        '<workbook/>',
      ),
      storedAs: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      detectedAs: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    },
    {
      name: 'slides.pptx',
      bytes: await ooxml(
        'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
        'ppt/presentation.xml',
        '<p:presentation/>',
      ),
      storedAs: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      detectedAs: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    },
    {
      name: 'text.odt',
      bytes: await odf('application/vnd.oasis.opendocument.text'),
      storedAs: 'application/vnd.oasis.opendocument.text',
      detectedAs: 'application/vnd.oasis.opendocument.text',
    },
    {
      name: 'calc.ods',
      bytes: await odf('application/vnd.oasis.opendocument.spreadsheet'),
      storedAs: 'application/vnd.oasis.opendocument.spreadsheet',
      detectedAs: 'application/vnd.oasis.opendocument.spreadsheet',
    },
    {
      name: 'talk.odp',
      bytes: await odf('application/vnd.oasis.opendocument.presentation'),
      storedAs: 'application/vnd.oasis.opendocument.presentation',
      detectedAs: 'application/vnd.oasis.opendocument.presentation',
    },
    {
      name: 'bundle.zip',
      bytes: await zip([['hello.txt', 'hello']]),
      storedAs: 'application/zip',
      detectedAs: 'application/zip',
    },
    {
      name: 'photos.zip',
      bytes: await photosZip(),
      storedAs: 'application/zip',
      detectedAs: 'application/zip',
    },
    {
      // Detection cannot afford to inflate 60 MiB to find the type: the bytes say zip, the name
      // picks docx within the zip family.
      name: 'bomb.docx',
      bytes: zipBombDocx(),
      storedAs: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      detectedAs: 'application/zip',
    },
    {
      name: 'legacy.doc',
      bytes: cfbHeader(),
      storedAs: 'application/msword',
      detectedAs: 'application/x-cfb',
    },
    {
      name: 'legacy.xls',
      bytes: cfbHeader(),
      storedAs: 'application/vnd.ms-excel',
      detectedAs: 'application/x-cfb',
    },
    {
      name: 'legacy.ppt',
      bytes: cfbHeader(),
      storedAs: 'application/vnd.ms-powerpoint',
      detectedAs: 'application/x-cfb',
    },
    {
      name: 'notes.txt',
      bytes: text.encode('Grüße ✓\nline two\n'),
      storedAs: 'text/plain',
      detectedAs: null,
    },
    { name: 'data.csv', bytes: text.encode('id,name\n1,Zoë\n'), storedAs: 'text/csv', detectedAs: null },
    { name: 'tool.png', bytes: elfHeader(), storedAs: null, detectedAs: 'application/x-elf' },
    {
      name: 'setup.png',
      bytes: new Uint8Array([...text.encode('MZ'), ...new Uint8Array(126)]),
      storedAs: null,
      detectedAs: 'application/x-msdownload',
    },
    { name: 'fake.pdf', bytes: await image('png', 2, 2), storedAs: null, detectedAs: 'image/png' },
  ];
}
