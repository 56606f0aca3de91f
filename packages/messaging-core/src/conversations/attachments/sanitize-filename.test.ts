import { describe, expect, it } from 'vitest';
import { sanitizeFilename } from './sanitize-filename.js';

describe('sanitizeFilename', () => {
  it('keeps the last path part without control characters', () => {
    expect(sanitizeFilename('C:\\Users\\me\\..\\report\u0000.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('a\r\nb.txt')).toBe('ab.txt');
    expect(sanitizeFilename('..')).toBe('file');
    expect(sanitizeFilename('')).toBe('file');
  });

  it('limits the name to 255 bytes of UTF-8, keeping the extension and whole characters', () => {
    const long = `${'é'.repeat(300)}.pdf`;
    const clean = sanitizeFilename(long);
    expect(new TextEncoder().encode(clean).byteLength).toBeLessThanOrEqual(255);
    expect(clean.endsWith('.pdf')).toBe(true);
    expect(clean).toBe(`${'é'.repeat(125)}.pdf`);
  });

  it('strips bidi controls, so a name reads as what it is', () => {
    // Shown as "invoicetxt.pdf" by anything that honours the right-to-left override.
    expect(sanitizeFilename('invoice\u202Efdp.txt')).toBe('invoicefdp.txt');
    for (const bidi of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ]) {
      expect(sanitizeFilename(`a${bidi}b.pdf`), `U+${bidi.codePointAt(0)!.toString(16)}`).toBe('ab.pdf');
    }
    expect(sanitizeFilename('\u200Fscan\u200E.\u061Cjpg')).toBe('scan.jpg');
  });

  it('strips zero-width and other invisible characters, keeping visible letters and spaces', () => {
    for (const invisible of [
      '\u200B', // zero width space
      '\u200C', // zero width non-joiner
      '\u200D', // zero width joiner
      '\u2060', // word joiner
      '\uFEFF', // byte order mark
      '\u00AD', // soft hyphen
      '\u2028', // line separator
      '\u2029', // paragraph separator
      '\u3164', // Hangul filler
      '\uFE0F', // variation selector
      '\u{E0041}', // tag latin capital A
      '\u0085', // next line (C1)
      '\u007F', // delete
      '\uD800', // a lone surrogate
    ]) {
      expect(sanitizeFilename(`re${invisible}port.pdf`), `U+${invisible.codePointAt(0)!.toString(16)}`).toBe(
        'report.pdf',
      );
    }
    expect(sanitizeFilename('Grüße (wide) 東京 — Zoë.png')).toBe('Grüße (wide) 東京 — Zoë.png');
    expect(sanitizeFilename('a\u00A0b.txt')).toBe('a\u00A0b.txt');
  });

  it('falls back to "file" when nothing visible remains', () => {
    expect(sanitizeFilename('\u202E\u200B\uFEFF')).toBe('file');
    expect(sanitizeFilename(' \u2066 \u2069 ')).toBe('file');
    expect(sanitizeFilename('dir/\u200B')).toBe('file');
    expect(sanitizeFilename('\u202E.pdf')).toBe('.pdf');
  });
});
