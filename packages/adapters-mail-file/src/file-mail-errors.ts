import { isMessagingError, MessagingError } from '@parley/messaging-core';

/** errno codes that say the location is wrong (a path, a permission): the same write fails again. */
const PERMANENT_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENAMETOOLONG',
  'ELOOP',
  'EINVAL',
  'EBADF',
]);

/**
 * Whether a failed filesystem write may pass later: permission, read-only, not-a-directory and
 * bad-path errors (`EACCES`, `EPERM`, `EROFS`, `ENOTDIR`, `EISDIR`, `EEXIST`, `ENAMETOOLONG`,
 * `ELOOP`, `EINVAL`, `EBADF`) are permanent; everything else (`EAGAIN`, `EBUSY`, `EIO`,
 * `ENOSPC`, `EDQUOT`, `EMFILE`, `ENOENT` of a directory removed meanwhile, timeouts, unknown
 * shapes) is retryable.
 *
 * @example
 * ```ts
 * isRetryableFileError(Object.assign(new Error('no space'), { code: 'ENOSPC' })); // true
 * isRetryableFileError(Object.assign(new Error('denied'), { code: 'EACCES' })); // false
 * ```
 */
export function isRetryableFileError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return !(typeof code === 'string' && PERMANENT_CODES.has(code));
}

/**
 * Turns a filesystem failure into a `MessagingError` (`MAIL_RETRYABLE` or `MAIL_PERMANENT`, see
 * `isRetryableFileError`) naming the file, with the errno code in `details.errno` and the
 * original error as `cause`. A `MessagingError` passes through unchanged.
 *
 * @example
 * ```ts
 * throw toFileMessagingError(error, '/var/mail/parley/20261122T021530.123Z-log-1.eml');
 * ```
 */
export function toFileMessagingError(error: unknown, path: string): MessagingError {
  if (isMessagingError(error)) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const errno = typeof code === 'string' ? code : undefined;
  const retryable = isRetryableFileError(error);
  return new MessagingError(
    retryable ? 'MAIL_RETRYABLE' : 'MAIL_PERMANENT',
    `could not write the email to ${path}${errno === undefined ? '' : ` (${errno})`}`,
    { details: errno === undefined ? {} : { errno }, cause: error },
  );
}
