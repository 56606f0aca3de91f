import { inspect } from 'node:util';
import { MessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { classifySendGridError } from './sendgrid-errors.js';

/** What `@sendgrid/client` rejects with on an HTTP error: `ResponseError` from `@sendgrid/helpers`. */
function responseError(status: number, statusText: string, body: unknown): Error {
  return Object.assign(new Error(statusText), {
    code: status,
    response: { headers: { 'content-type': 'application/json' }, body },
  });
}

const errorsBody = (message: string, field: string | null = null) => ({
  errors: [{ message, field, help: null }],
});

/** What axios rejects with when no answer came; its `config` carries the Authorization header. */
function axiosError(code: string, message: string): Error {
  return Object.assign(new Error(message), {
    name: 'AxiosError',
    code,
    isAxiosError: true,
    config: { headers: { Authorization: 'Bearer SG.secret-key' } },
  });
}

describe('classifySendGridError', () => {
  it.each([
    // [case, error, code, message]
    [
      '401 revoked key',
      responseError(
        401,
        'Unauthorized',
        errorsBody('The provided authorization grant is invalid, expired, or revoked'),
      ),
      'MAIL_PERMANENT',
      'SendGrid refused the API key (HTTP 401): The provided authorization grant is invalid, expired, or revoked',
    ],
    [
      '403 key without mail.send scope',
      responseError(403, 'Forbidden', errorsBody('access forbidden')),
      'MAIL_PERMANENT',
      'SendGrid refused the API key (HTTP 403): access forbidden',
    ],
    [
      '400 invalid recipient',
      responseError(
        400,
        'Bad Request',
        errorsBody('Does not contain a valid address.', 'personalizations.0.to.0.email'),
      ),
      'MAIL_PERMANENT',
      'SendGrid rejected the email (HTTP 400): Does not contain a valid address. (personalizations.0.to.0.email)',
    ],
    [
      '413 payload too large, no JSON body',
      responseError(413, 'Payload Too Large', ''),
      'MAIL_PERMANENT',
      'SendGrid rejected the email (HTTP 413): Payload Too Large',
    ],
    [
      '429 throttled',
      responseError(429, 'Too Many Requests', errorsBody('too many requests')),
      'MAIL_RETRYABLE',
      'SendGrid throttled the request (HTTP 429): too many requests',
    ],
    [
      '408 request timeout',
      responseError(408, 'Request Timeout', ''),
      'MAIL_RETRYABLE',
      'SendGrid failed (HTTP 408): Request Timeout',
    ],
    [
      '500 with two errors',
      responseError(500, 'Internal Server Error', {
        errors: [
          { message: 'internal error', field: null },
          { message: 'try again', field: 'x' },
        ],
      }),
      'MAIL_RETRYABLE',
      'SendGrid failed (HTTP 500): internal error; try again (x)',
    ],
    [
      '503 unavailable',
      responseError(503, 'Service Unavailable', 'upstream down'),
      'MAIL_RETRYABLE',
      'SendGrid failed (HTTP 503): Service Unavailable',
    ],
    [
      'axios timeout',
      axiosError('ECONNABORTED', 'timeout of 500ms exceeded'),
      'MAIL_RETRYABLE',
      'SendGrid did not answer in time (ECONNABORTED: timeout of 500ms exceeded)',
    ],
    [
      'connection refused',
      axiosError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
      'MAIL_RETRYABLE',
      'could not reach SendGrid (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9)',
    ],
    [
      'connection reset',
      axiosError('ECONNRESET', 'socket hang up'),
      'MAIL_RETRYABLE',
      'could not reach SendGrid (ECONNRESET: socket hang up)',
    ],
    [
      'DNS failure',
      axiosError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.sendgrid.com'),
      'MAIL_RETRYABLE',
      'could not reach SendGrid (ENOTFOUND: getaddrinfo ENOTFOUND api.sendgrid.com)',
    ],
    [
      'axios refusing a bad base URL',
      axiosError('ERR_INVALID_URL', 'Invalid URL'),
      'MAIL_PERMANENT',
      'SendGrid send failed: Invalid URL',
    ],
    [
      'SDK refusing the data',
      new Error('String expected for `name`'),
      'MAIL_PERMANENT',
      'SendGrid send failed: String expected for `name`',
    ],
  ] as const)('%s → %s', (_case, error, code, message) => {
    const classified = classifySendGridError(error);
    expect(classified).toBeInstanceOf(MessagingError);
    expect(classified.code).toBe(code);
    expect(classified.message).toBe(message);
    expect(classified.details?.provider).toBe('sendgrid');
    expect(classified.cause).toBeDefined();
  });

  it('keeps the HTTP status and SendGrid errors in details, and the ResponseError as cause', () => {
    const error = responseError(
      400,
      'Bad Request',
      errorsBody('Does not contain a valid address.', 'from.email'),
    );
    const classified = classifySendGridError(error);
    expect(classified.details).toEqual({
      provider: 'sendgrid',
      status: 400,
      errors: [{ message: 'Does not contain a valid address.', field: 'from.email', help: null }],
    });
    expect(classified.cause).toBe(error);
  });

  it('drops the request (and its API key) from a transport error it keeps as cause', () => {
    const classified = classifySendGridError(axiosError('ECONNABORTED', 'timeout of 500ms exceeded'));
    expect(classified.cause).toMatchObject({
      name: 'AxiosError',
      code: 'ECONNABORTED',
      message: 'timeout of 500ms exceeded',
    });
    expect(inspect(classified, { depth: null })).not.toContain('secret-key');
    expect(JSON.stringify(classified.details)).not.toContain('secret-key');
  });

  it('returns a MessagingError unchanged', () => {
    const error = new MessagingError('MAIL_PERMANENT', 'to[0] is not a valid email address', {
      field: 'to[0]',
    });
    expect(classifySendGridError(error)).toBe(error);
  });
});
