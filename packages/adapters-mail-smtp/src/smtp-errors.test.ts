import { MessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { isRetryableSmtpError, toSmtpMessagingError } from './smtp-errors.js';

// The shapes nodemailer 10 hands back (see the real-server tests for where each comes from).
function nodemailerError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

const cases: [label: string, error: unknown, expected: 'MAIL_RETRYABLE' | 'MAIL_PERMANENT'][] = [
  // retryable: timeouts, dropped/refused/reset connections, SMTP 4xx
  ['socket timeout', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, 'MAIL_RETRYABLE'],
  ['greeting timeout', { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }, 'MAIL_RETRYABLE'],
  [
    'connection refused',
    { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' },
    'MAIL_RETRYABLE',
  ],
  ['connection reset', { code: 'ESOCKET', originalCode: 'ECONNRESET' }, 'MAIL_RETRYABLE'],
  ['bare ECONNRESET', { code: 'ECONNRESET' }, 'MAIL_RETRYABLE'],
  ['pool connection closed', { code: 'ECONNECTION' }, 'MAIL_RETRYABLE'],
  ['DNS failure', { code: 'EDNS', originalCode: 'EAI_AGAIN' }, 'MAIL_RETRYABLE'],
  ['421 at MAIL FROM', { code: 'EENVELOPE', responseCode: 421, command: 'MAIL FROM' }, 'MAIL_RETRYABLE'],
  ['450 mailbox busy', { code: 'EENVELOPE', responseCode: 450, command: 'RCPT TO' }, 'MAIL_RETRYABLE'],
  ['451 at MAIL FROM', { code: 'EENVELOPE', responseCode: 451, command: 'MAIL FROM' }, 'MAIL_RETRYABLE'],
  ['452 at RCPT TO', { code: 'EENVELOPE', responseCode: 452, command: 'RCPT TO' }, 'MAIL_RETRYABLE'],
  ['451 after DATA', { code: 'EMESSAGE', responseCode: 451, command: 'DATA' }, 'MAIL_RETRYABLE'],
  [
    '454 temporary auth failure',
    { code: 'EAUTH', responseCode: 454, command: 'AUTH PLAIN' },
    'MAIL_RETRYABLE',
  ],
  ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503 }, 'MAIL_RETRYABLE'],
  ['unexpected reply', { code: 'EPROTOCOL' }, 'MAIL_RETRYABLE'],
  ['unknown shape', new Error('something odd'), 'MAIL_RETRYABLE'],
  ['not an error', 'boom', 'MAIL_RETRYABLE'],
  // permanent: refused login, SMTP 5xx, bad envelope, TLS/certificate problems
  ['535 refused login', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, 'MAIL_PERMANENT'],
  ['EAUTH without reply', { code: 'EAUTH', command: 'API' }, 'MAIL_PERMANENT'],
  ['missing credentials', { code: 'ENOAUTH' }, 'MAIL_PERMANENT'],
  ['550 rejected recipient', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, 'MAIL_PERMANENT'],
  ['553 bad sender', { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' }, 'MAIL_PERMANENT'],
  ['552 too big', { code: 'EMESSAGE', responseCode: 552, command: 'DATA' }, 'MAIL_PERMANENT'],
  ['554 transaction failed', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, 'MAIL_PERMANENT'],
  ['530 auth required', { code: 'EENVELOPE', responseCode: 530, command: 'MAIL FROM' }, 'MAIL_PERMANENT'],
  ['invalid envelope (no reply)', { code: 'EENVELOPE', command: 'API' }, 'MAIL_PERMANENT'],
  ['STARTTLS refused', { code: 'ETLS', responseCode: 500, command: 'STARTTLS' }, 'MAIL_PERMANENT'],
  ['TLS upgrade failed', { code: 'ETLS' }, 'MAIL_PERMANENT'],
  [
    'self-signed certificate',
    { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    'MAIL_PERMANENT',
  ],
  ['expired certificate', { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }, 'MAIL_PERMANENT'],
  ['host name mismatch', { code: 'ESOCKET', originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'MAIL_PERMANENT'],
  ['bad configuration', { code: 'ECONFIG' }, 'MAIL_PERMANENT'],
];

describe('SMTP error classification', () => {
  it.each(cases)('%s → %s', (_label, shape, expected) => {
    const error =
      typeof shape === 'object' && shape !== null && !(shape instanceof Error)
        ? nodemailerError('x', shape as Record<string, unknown>)
        : shape;
    expect(isRetryableSmtpError(error)).toBe(expected === 'MAIL_RETRYABLE');
    const mapped = toSmtpMessagingError(error, { server: 'smtp.acme.test:587' });
    expect(mapped).toBeInstanceOf(MessagingError);
    expect(mapped.code).toBe(expected);
    expect(mapped.cause).toBe(error);
  });

  it('names the server, quotes the reply and keeps the SMTP facts in details', () => {
    const error = nodemailerError("Can't send mail - all recipients were rejected: 550 5.1.1 No such user", {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 5.1.1 No such user',
      command: 'RCPT TO',
    });
    const mapped = toSmtpMessagingError(error, { server: 'smtp.acme.test:587' });
    expect(mapped.message).toBe(
      'SMTP server smtp.acme.test:587 refused the recipient: 550 5.1.1 No such user (EENVELOPE)',
    );
    expect(mapped.field).toBe('to');
    expect(mapped.details).toEqual({ smtpCode: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' });
  });

  it('says only "could not connect" whether the connection was refused, timed out or never greeted', () => {
    const server = { server: 'smtp.acme.test:25' };
    const shapes: Record<string, unknown>[] = [
      { code: 'ESOCKET', originalCode: 'ECONNREFUSED' },
      { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' },
      { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' },
      { code: 'ESOCKET', originalCode: 'EHOSTUNREACH' },
      { code: 'ESOCKET', originalCode: 'ENETUNREACH' },
      { code: 'ECONNECTION' },
      { code: 'ESOCKET', originalCode: 'ECONNRESET' },
      { code: 'EPROTOCOL' },
      { code: 'EDNS', originalCode: 'ENOTFOUND' },
    ];
    for (const shape of shapes) {
      const mapped = toSmtpMessagingError(nodemailerError('x', shape), server);
      expect(mapped.message).toBe('could not connect to the SMTP server smtp.acme.test:25');
      expect(mapped.code).toBe('MAIL_RETRYABLE');
      expect(mapped.details).toMatchObject({ smtpCode: shape.code });
    }
    // Login and TLS problems happen once connected and say what to fix.
    expect(
      toSmtpMessagingError(
        nodemailerError('x', { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
        server,
      ).message,
    ).not.toContain('could not connect');
    expect(toSmtpMessagingError(nodemailerError('x', { code: 'ETLS' }), server).message).toBe(
      'SMTP server smtp.acme.test:25 TLS could not be set up (ETLS)',
    );
  });

  it('never repeats a secret the server echoed', () => {
    const error = nodemailerError('Invalid login', {
      code: 'EAUTH',
      responseCode: 535,
      response: '535 5.7.8 credentials acme:hunter2 rejected',
      command: 'AUTH PLAIN',
    });
    const mapped = toSmtpMessagingError(error, { server: 'smtp.acme.test:587', secrets: ['hunter2'] });
    expect(mapped.code).toBe('MAIL_PERMANENT');
    expect(mapped.message).toBe(
      'SMTP server smtp.acme.test:587 refused the login: 535 5.7.8 credentials acme:*** rejected (EAUTH)',
    );
    expect(JSON.stringify(mapped.details)).not.toContain('hunter2');
  });

  it('passes a MessagingError through unchanged', () => {
    const original = new MessagingError('MAIL_PERMANENT', 'to[0] is not a valid email address', {
      field: 'to[0]',
    });
    expect(toSmtpMessagingError(original, { server: 'x:25' })).toBe(original);
  });
});
