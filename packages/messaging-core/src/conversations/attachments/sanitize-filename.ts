const MAX_FILENAME_BYTES = 255;

/**
 * Characters that change how a name reads without being seen, or that have no business in one:
 * controls (Cc), format characters (Cf — the bidi embeddings and overrides U+202A–U+202E and
 * isolates U+2066–U+2069, the marks U+200E/U+200F/U+061C, zero-width U+200B–U+200D, the word
 * joiner U+2060, the BOM U+FEFF, the soft hyphen, tags), line and paragraph separators, lone
 * surrogates, and every other default-ignorable code point (Hangul fillers, variation selectors).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * The uploader's file name made safe to keep as metadata and to show: the last path part only,
 * without controls or invisible characters (`invoice\u202Efdp.txt`, which a bidi override shows
 * as "invoicetxt.pdf", becomes `invoicefdp.txt`), trimmed, at most 255 bytes of UTF-8 (the
 * extension kept when it can be). Never used in a storage path. A name with nothing left becomes
 * `file`.
 *
 * @example
 * ```ts
 * sanitizeFilename('C:\\Users\\me\\..\\report\u0000.pdf'); // "report.pdf"
 * sanitizeFilename('invoice\u202Efdp.txt'); // "invoicefdp.txt"
 * ```
 */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let clean = base.replace(INVISIBLE, '').trim();
  if (clean === '' || clean === '.' || clean === '..') clean = 'file';
  const encoder = new TextEncoder();
  if (encoder.encode(clean).byteLength <= MAX_FILENAME_BYTES) return clean;
  const dot = clean.lastIndexOf('.');
  const extension = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
  const budget = MAX_FILENAME_BYTES - encoder.encode(extension).byteLength;
  let stem = '';
  let used = 0;
  for (const char of clean.slice(0, clean.length - extension.length)) {
    const size = encoder.encode(char).byteLength;
    if (used + size > budget) break;
    stem += char;
    used += size;
  }
  return `${stem}${extension}`;
}
