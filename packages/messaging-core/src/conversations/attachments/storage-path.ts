import { MessagingError } from '../../kernel/errors.js';

/**
 * Checks a relative storage path the way every `AttachmentStorage` must: no absolute paths, no
 * `..` or `.` segments, no backslashes, no NUL or control characters, no empty segments.
 * Exported so adapters share one definition.
 */
export function assertSafeStoragePath(path: string): void {
  const fail = (why: string): never => {
    throw MessagingError.validation('path', `unsafe storage path: ${why}`);
  };
  if (path.length === 0 || path.length > 1024) fail('length must be 1 to 1024');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) fail('control or NUL character');
  if (path.includes('\\')) fail('backslash');
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path)) fail('absolute path');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') fail(`segment "${segment}"`);
  }
}

/**
 * The error every `AttachmentStorage` raises when a `put` exceeds `maxBytes`, so adapters fail
 * identically.
 *
 * @example
 * ```ts
 * if (size > maxBytes) throw fileTooLarge(maxBytes);
 * ```
 */
export function fileTooLarge(maxBytes: number): MessagingError {
  return new MessagingError('PAYLOAD_TOO_LARGE', `file is larger than ${maxBytes} bytes`, {
    field: 'file',
    details: { maxBytes },
  });
}

/**
 * Checks a `list` prefix: empty (everything) or a safe path ending in `/`.
 *
 * @example
 * ```ts
 * assertSafeStoragePrefix('uploads/messages/');
 * ```
 */
export function assertSafeStoragePrefix(prefix: string): void {
  if (prefix === '') return;
  if (!prefix.endsWith('/')) throw MessagingError.validation('prefix', 'a storage prefix ends with "/"');
  assertSafeStoragePath(prefix.slice(0, -1));
}
