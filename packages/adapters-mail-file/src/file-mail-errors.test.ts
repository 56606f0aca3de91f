import { MessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { isRetryableFileError, toFileMessagingError } from './file-mail-errors.js';

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

const cases: [code: string, expected: 'MAIL_RETRYABLE' | 'MAIL_PERMANENT'][] = [
  ['EAGAIN', 'MAIL_RETRYABLE'],
  ['EBUSY', 'MAIL_RETRYABLE'],
  ['EIO', 'MAIL_RETRYABLE'],
  ['ENOSPC', 'MAIL_RETRYABLE'],
  ['EDQUOT', 'MAIL_RETRYABLE'],
  ['EMFILE', 'MAIL_RETRYABLE'],
  ['ENFILE', 'MAIL_RETRYABLE'],
  ['ENOENT', 'MAIL_RETRYABLE'],
  ['ETIMEDOUT', 'MAIL_RETRYABLE'],
  ['ESTALE', 'MAIL_RETRYABLE'],
  ['EACCES', 'MAIL_PERMANENT'],
  ['EPERM', 'MAIL_PERMANENT'],
  ['EROFS', 'MAIL_PERMANENT'],
  ['ENOTDIR', 'MAIL_PERMANENT'],
  ['EISDIR', 'MAIL_PERMANENT'],
  ['EEXIST', 'MAIL_PERMANENT'],
  ['ENAMETOOLONG', 'MAIL_PERMANENT'],
  ['ELOOP', 'MAIL_PERMANENT'],
];

describe('file error classification', () => {
  it.each(cases)('%s → %s', (code, expected) => {
    const error = errno(code);
    expect(isRetryableFileError(error)).toBe(expected === 'MAIL_RETRYABLE');
    const mapped = toFileMessagingError(error, '/var/mail/x.eml');
    expect(mapped.code).toBe(expected);
    expect(mapped.message).toBe(`could not write the email to /var/mail/x.eml (${code})`);
    expect(mapped.details).toEqual({ errno: code });
    expect(mapped.cause).toBe(error);
  });

  it('treats an error without an errno code as retryable', () => {
    const mapped = toFileMessagingError(new Error('odd'), '/var/mail/x.eml');
    expect([mapped.code, mapped.message, mapped.details]).toEqual([
      'MAIL_RETRYABLE',
      'could not write the email to /var/mail/x.eml',
      {},
    ]);
  });

  it('passes a MessagingError through unchanged', () => {
    const original = new MessagingError('MAIL_PERMANENT', 'to[0] is not a valid email address', {
      field: 'to[0]',
    });
    expect(toFileMessagingError(original, '/x')).toBe(original);
  });
});
