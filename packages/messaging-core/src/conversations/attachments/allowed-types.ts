import { MessagingError } from '../../kernel/errors.js';
import type { DetectedType } from '../ports/media-inspector.js';

/** How the core treats an allowed type. */
export type AttachmentKind = 'image' | 'document' | 'text';

/** An allowed attachment type: the stored MIME type and extension. */
export interface AllowedType {
  readonly mimeType: string;
  readonly extension: string;
  readonly kind: AttachmentKind;
}

const t = (mimeType: string, extension: string, kind: AttachmentKind): AllowedType => ({
  mimeType,
  extension,
  kind,
});

/** Every type Parley accepts, by canonical extension. */
export const ALLOWED_TYPES = {
  jpg: t('image/jpeg', 'jpg', 'image'),
  png: t('image/png', 'png', 'image'),
  gif: t('image/gif', 'gif', 'image'),
  webp: t('image/webp', 'webp', 'image'),
  pdf: t('application/pdf', 'pdf', 'document'),
  doc: t('application/msword', 'doc', 'document'),
  xls: t('application/vnd.ms-excel', 'xls', 'document'),
  ppt: t('application/vnd.ms-powerpoint', 'ppt', 'document'),
  docx: t('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx', 'document'),
  xlsx: t('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', 'document'),
  pptx: t('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx', 'document'),
  odt: t('application/vnd.oasis.opendocument.text', 'odt', 'document'),
  ods: t('application/vnd.oasis.opendocument.spreadsheet', 'ods', 'document'),
  odp: t('application/vnd.oasis.opendocument.presentation', 'odp', 'document'),
  zip: t('application/zip', 'zip', 'document'),
  txt: t('text/plain', 'txt', 'text'),
  csv: t('text/csv', 'csv', 'text'),
} as const satisfies Record<string, AllowedType>;

/** Declared extensions that name the same type as a canonical one. */
const ALIASES: Readonly<Record<string, string>> = {
  jpeg: 'jpg',
  jpe: 'jpg',
  text: 'txt',
  log: 'txt',
  md: 'txt',
};

/** Zip containers whose sub-type a head-only detection may miss. */
const ZIP_FAMILY = new Set(['zip', 'docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp']);
/** Compound File Binary containers (legacy Office). */
const CFB_FAMILY = new Set(['doc', 'xls', 'ppt']);

/** The declared extension of a file name, lower-case and canonical (`JPEG` → `jpg`), or null. */
export function declaredExtension(name: string): string | null {
  const base = name.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return null;
  const extension = base.slice(dot + 1).toLowerCase();
  return ALIASES[extension] ?? extension;
}

function unsupported(message: string): MessagingError {
  return new MessagingError('UNSUPPORTED_MEDIA_TYPE', message, { field: 'file' });
}

function contradiction(declared: string, detected: string): MessagingError {
  return unsupported(`the file is named .${declared} but its bytes are ${detected}`);
}

/**
 * Decides the type of a file from what its bytes show (`detected`, from `MediaInspector.detect`)
 * and the extension it was declared with. Returns the allowed type, `'text-candidate'` when no
 * magic number matched (the caller then checks the whole stream is UTF-8 without NUL), or throws
 * `UNSUPPORTED_MEDIA_TYPE` naming the detected type.
 *
 * Containers: a zip may be docx/xlsx/pptx/OpenDocument/zip — the declared extension picks among
 * them when the bytes only show "zip"; a CFB file must be declared .doc, .xls or .ppt.
 *
 * @example
 * ```ts
 * classifyAttachment({ mimeType: 'image/png', extension: 'png' }, 'x.png'); // ALLOWED_TYPES.png
 * classifyAttachment({ mimeType: 'image/png', extension: 'png' }, 'x.pdf'); // throws UNSUPPORTED_MEDIA_TYPE
 * ```
 */
export function classifyAttachment(
  detected: DetectedType | null,
  declaredName: string,
): AllowedType | 'text-candidate' {
  const declared = declaredExtension(declaredName);
  if (detected === null) {
    if (declared === null || declared === 'txt' || declared === 'csv') return 'text-candidate';
    throw contradiction(declared, 'not a known binary type (text or unknown data)');
  }
  const found = ALIASES[detected.extension.toLowerCase()] ?? detected.extension.toLowerCase();
  if (found === 'zip' || (ZIP_FAMILY.has(found) && declared !== null && ZIP_FAMILY.has(declared))) {
    // Head-only detection cannot always see inside the zip: trust the declared member of the family.
    if (declared === null) return found === 'zip' ? ALLOWED_TYPES.zip : typeOf(found);
    if (!ZIP_FAMILY.has(declared)) throw contradiction(declared, detected.mimeType);
    if (found !== 'zip' && declared !== found) throw contradiction(declared, detected.mimeType);
    return typeOf(declared);
  }
  if (found === 'cfb' || CFB_FAMILY.has(found)) {
    if (declared !== null && CFB_FAMILY.has(declared) && (found === 'cfb' || found === declared)) {
      return typeOf(declared);
    }
    if (declared === null && CFB_FAMILY.has(found)) return typeOf(found);
    throw unsupported(
      `${detected.mimeType} is accepted only as a .doc, .xls or .ppt file${declared ? ` (named .${declared})` : ''}`,
    );
  }
  if (!isAllowedExtension(found) || ALLOWED_TYPES[found].kind === 'text') {
    throw unsupported(`files of type ${detected.mimeType} are not accepted`);
  }
  if (declared !== null && declared !== found) throw contradiction(declared, detected.mimeType);
  return ALLOWED_TYPES[found];
}

function isAllowedExtension(extension: string): extension is keyof typeof ALLOWED_TYPES {
  return Object.hasOwn(ALLOWED_TYPES, extension);
}

function typeOf(extension: string): AllowedType {
  if (!isAllowedExtension(extension)) throw unsupported(`files of type .${extension} are not accepted`);
  return ALLOWED_TYPES[extension];
}

/** The text type a file of valid UTF-8 gets: CSV when declared `.csv`, else plain text. */
export function textType(declaredName: string): AllowedType {
  return declaredExtension(declaredName) === 'csv' ? ALLOWED_TYPES.csv : ALLOWED_TYPES.txt;
}

/**
 * Checks, chunk by chunk, that a stream is UTF-8 text without NUL bytes. Call `push` for every
 * chunk and `finish` at the end; both throw `UNSUPPORTED_MEDIA_TYPE`.
 *
 * @example
 * ```ts
 * const check = new TextContentCheck();
 * for (const chunk of chunks) check.push(chunk);
 * check.finish();
 * ```
 */
export class TextContentCheck {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  push(chunk: Uint8Array): void {
    if (chunk.includes(0))
      throw unsupported('files of type application/octet-stream are not accepted (NUL bytes)');
    try {
      this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw unsupported('files of type application/octet-stream are not accepted (not UTF-8 text)');
    }
  }

  finish(): void {
    try {
      this.#decoder.decode();
    } catch {
      throw unsupported('files of type application/octet-stream are not accepted (not UTF-8 text)');
    }
  }
}
