import { describe, expect, it } from 'vitest';
import { isMessagingError } from '../../kernel/errors.js';
import { ALLOWED_TYPES, classifyAttachment, TextContentCheck } from './allowed-types.js';

const zip = { mimeType: 'application/zip', extension: 'zip' };
const cfb = { mimeType: 'application/x-cfb', extension: 'cfb' };
const png = { mimeType: 'image/png', extension: 'png' };

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return isMessagingError(error) ? error.code : String(error);
  }
}

describe('classifyAttachment', () => {
  it('takes the type from the bytes and accepts a matching or missing extension', () => {
    expect(classifyAttachment(png, 'a.png')).toBe(ALLOWED_TYPES.png);
    expect(classifyAttachment(png, 'a')).toBe(ALLOWED_TYPES.png);
    expect(classifyAttachment({ mimeType: 'image/jpeg', extension: 'jpg' }, 'a.JPEG')).toBe(
      ALLOWED_TYPES.jpg,
    );
  });

  it('refuses a contradicting extension and types outside the list', () => {
    expect(code(() => classifyAttachment(png, 'a.pdf'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => classifyAttachment({ mimeType: 'application/x-elf', extension: 'elf' }, 'a.png'))).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(code(() => classifyAttachment({ mimeType: 'image/tiff', extension: 'tif' }, 'a.tif'))).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(code(() => classifyAttachment(null, 'a.png'))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('picks the zip family member from the declared name, and refuses a sub-type named otherwise', () => {
    expect(classifyAttachment(zip, 'a.zip')).toBe(ALLOWED_TYPES.zip);
    expect(classifyAttachment(zip, 'a.xlsx')).toBe(ALLOWED_TYPES.xlsx);
    expect(classifyAttachment(zip, 'a.odp')).toBe(ALLOWED_TYPES.odp);
    expect(classifyAttachment({ mimeType: ALLOWED_TYPES.docx.mimeType, extension: 'docx' }, 'a')).toBe(
      ALLOWED_TYPES.docx,
    );
    expect(
      code(() => classifyAttachment({ mimeType: ALLOWED_TYPES.docx.mimeType, extension: 'docx' }, 'a.xlsx')),
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => classifyAttachment(zip, 'a.pdf'))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts CFB only as doc, xls or ppt', () => {
    expect(classifyAttachment(cfb, 'a.doc')).toBe(ALLOWED_TYPES.doc);
    expect(classifyAttachment(cfb, 'a.ppt')).toBe(ALLOWED_TYPES.ppt);
    expect(code(() => classifyAttachment(cfb, 'a.msi'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => classifyAttachment(cfb, 'a'))).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('leaves unknown bytes to the text check when the name allows text', () => {
    expect(classifyAttachment(null, 'a.csv')).toBe('text-candidate');
    expect(classifyAttachment(null, 'README')).toBe('text-candidate');
  });
});

describe('TextContentCheck', () => {
  it('accepts UTF-8 split anywhere and refuses NUL, invalid and truncated sequences', () => {
    const ok = new TextContentCheck();
    const bytes = new TextEncoder().encode('é✓');
    for (const byte of bytes) ok.push(new Uint8Array([byte]));
    expect(() => ok.finish()).not.toThrow();
    expect(code(() => new TextContentCheck().push(new Uint8Array([0x61, 0])))).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(code(() => new TextContentCheck().push(new Uint8Array([0xff])))).toBe('UNSUPPORTED_MEDIA_TYPE');
    const truncated = new TextContentCheck();
    truncated.push(new Uint8Array([0xe2, 0x9c]));
    expect(code(() => truncated.finish())).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
