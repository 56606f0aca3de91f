import { MessagingError } from '../errors.js';

// Cursors are opaque to clients: base64url of a small JSON array whose first item is a tag. The tag
// names what the cursor pages and its format version, so one list never reads another's cursor and
// the format can change without misreading old ones. Each context defines its own cursors on top
// of these helpers.

/** Encodes a cursor payload (`[tag, …values]`) as an opaque URL-safe string. */
export function encodeCursor(payload: readonly unknown[]): string {
  const json = JSON.stringify(payload);
  const bytes = new TextEncoder().encode(json);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The validation error every malformed cursor gets, naming the parameter it came in. */
export function invalidCursor(field: string, why = 'is not a valid cursor'): MessagingError {
  return MessagingError.validation(field, `${field} ${why}`);
}

/**
 * Decodes what {@link encodeCursor} produced back into its array; anything else (wrong alphabet,
 * over 1024 characters, not JSON, not an array) is a validation error naming `field`.
 */
export function decodeCursor(cursor: string, field: string): unknown[] {
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor(field);
  }
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(value)) throw invalidCursor(field);
    return value;
  } catch {
    throw invalidCursor(field);
  }
}

// Every instant the core stores lies in years 1 to 9999, so a cursor it issued does too; anything
// else is forged and would only reach the store as a timestamp it cannot represent.
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** Reads an instant a cursor carries as epoch milliseconds; refuses what no store can hold. */
export function cursorDate(value: unknown, field: string): Date {
  const parsed = typeof value === 'number' ? new Date(value) : new Date(Number.NaN);
  const time = parsed.getTime();
  if (Number.isNaN(time) || time < EARLIEST || time > LATEST) throw invalidCursor(field);
  return parsed;
}

// No id the core issues holds a NUL or an unpaired surrogate (text no store can hold either).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Reads an id a cursor carries: 1 to 255 characters, no NUL, no unpaired surrogate. */
export function cursorText(value: unknown, field: string): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > 255 ||
    value.includes('\u0000') ||
    LONE_SURROGATE.test(value)
  ) {
    throw invalidCursor(field);
  }
  return value;
}

/** The keyset most logs page by: newest first, ties broken by id. */
export interface TimeIdCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Encodes a {@link TimeIdCursor} under the list's own `tag`. */
export function encodeTimeIdCursor(tag: string, cursor: TimeIdCursor): string {
  return encodeCursor([tag, cursor.createdAt.getTime(), cursor.id]);
}

/**
 * Decodes a {@link TimeIdCursor} whose tag is one of `tags`: a cursor another list issued is a
 * validation error, so it can never page the wrong rows.
 */
export function decodeTimeIdCursor(cursor: string, tags: readonly string[], field = 'cursor'): TimeIdCursor {
  const [tag, createdAt, id] = decodeCursor(cursor, field);
  if (typeof tag !== 'string' || !tags.includes(tag)) throw invalidCursor(field);
  return { createdAt: cursorDate(createdAt, field), id: cursorText(id, field) };
}
