import { MessagingError, type MessagingErrorCode } from '../../kernel/errors.js';

// A deliberately conservative check (RFC 5321 sizes, one @, a dotted domain, no spaces or
// control characters); providers do the authoritative validation.
const EMAIL =
  /^[^\s@<>()[\]\\,;:"\p{Cc}]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/u;

export function isValidEmail(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) return false;
  return EMAIL.test(value);
}

export function assertValidEmail(
  value: string,
  code: MessagingErrorCode = 'VALIDATION',
  field = 'email',
): void {
  if (!isValidEmail(value))
    throw new MessagingError(code, `${field} is not a valid email address: ${JSON.stringify(value)}`, {
      field,
    });
}
