import { MessagingError } from '../../kernel/errors.js';

/**
 * Trims and checks message content. Empty content is allowed only when files are attached.
 * Length counts Unicode code points, so an emoji is one character, as users count them.
 */
export function normalizeContent(
  raw: unknown,
  maxLength: number,
  field: string,
  allowEmpty: boolean,
): string {
  if (typeof raw !== 'string') throw MessagingError.validation(field, `${field} must be a string`);
  const content = raw.trim();
  if (content.length === 0 && !allowEmpty)
    throw MessagingError.validation(field, `${field} must not be empty`);
  let length = 0;
  for (const _ of content) length += 1;
  if (length > maxLength) {
    throw MessagingError.validation(
      field,
      `${field} must be at most ${maxLength} characters (got ${length})`,
    );
  }
  if (content.includes('\u0000'))
    throw MessagingError.validation(field, `${field} must not contain NUL characters`);
  return content;
}

/** A short, stable fingerprint of a send request for idempotency checks (FNV-1a, 64 bit). */
export function fingerprint(parts: readonly string[]): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
