import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { ZipFile } from 'yazl';

/** A real file made for a test, with what Parley must decide about it. */
export interface SampleFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The MIME type Parley stores, or null when the upload must be refused (415). */
  readonly storedAs: string | null;
  /** What `file-type` reports from the first 4100 bytes (null: no magic number). */
  readonly detectedAs: string | null;
  readonly image?: { readonly width: number; readonly height: number };
}

async function zip(entries: readonly (readonly [string, string])[]): Promise<Uint8Array> {
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
 * One real, tiny file of every type Parley accepts, and a few it must refuse, made in the test
 * (images by sharp, Office and OpenDocument files as zips with the right manifest entries).
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
