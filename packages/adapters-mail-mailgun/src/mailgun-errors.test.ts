import { MessagingError } from '@parley/messaging-core';
import { describe, expect, it } from 'vitest';
import { classifyMailgunError } from './mailgun-errors.js';

/** What mailgun.js rejects with: `APIError` (`type: 'MailgunAPIError'`, `status`, `message`, `details`). */
function apiError(status: number, message: string, details: string): Error {
  return Object.assign(new Error(message), { type: 'MailgunAPIError', status, details, stack: '' });
}

describe('classifyMailgunError', () => {
  it.each([
    // [case, error, code, message, details]
    [
      '401 wrong key',
      apiError(401, 'Unauthorized', 'Forbidden'),
      'MAIL_PERMANENT',
      'Mailgun refused the API key (HTTP 401): Unauthorized: Forbidden',
      { provider: 'mailgun', status: 401 },
    ],
    [
      '403 key without permission',
      apiError(403, 'Forbidden', 'Forbidden'),
      'MAIL_PERMANENT',
      'Mailgun refused the API key (HTTP 403): Forbidden',
      { provider: 'mailgun', status: 403 },
    ],
    [
      '400 invalid recipient',
      apiError(400, 'Bad Request', 'to parameter is not a valid address. please check documentation'),
      'MAIL_PERMANENT',
      'Mailgun rejected the email (HTTP 400): Bad Request: to parameter is not a valid address. please check documentation',
      { provider: 'mailgun', status: 400 },
    ],
    [
      '404 unknown domain',
      apiError(404, 'Not Found', 'Domain not found: mg.acme.test'),
      'MAIL_PERMANENT',
      'Mailgun rejected the email (HTTP 404): Not Found: Domain not found: mg.acme.test',
      { provider: 'mailgun', status: 404 },
    ],
    [
      'base URL that is not the API (mailgun.js: "Incorrect url")',
      apiError(400, 'Incorrect url', 'Mailgun Magnificent API'),
      'MAIL_PERMANENT',
      'Mailgun rejected the email (HTTP 400): Incorrect url: Mailgun Magnificent API',
      { provider: 'mailgun', status: 400 },
    ],
    [
      '429 throttled',
      apiError(429, 'Too Many Requests', 'Too many requests'),
      'MAIL_RETRYABLE',
      'Mailgun throttled the request (HTTP 429): Too Many Requests: Too many requests',
      { provider: 'mailgun', status: 429 },
    ],
    [
      '408 request timeout',
      apiError(408, 'Request Timeout', ''),
      'MAIL_RETRYABLE',
      'Mailgun failed (HTTP 408): Request Timeout',
      { provider: 'mailgun', status: 408 },
    ],
    [
      '500',
      apiError(500, 'Internal Server Error', 'internal error'),
      'MAIL_RETRYABLE',
      'Mailgun failed (HTTP 500): Internal Server Error: internal error',
      { provider: 'mailgun', status: 500 },
    ],
    [
      '503 with the status text as body',
      apiError(503, 'Service Unavailable', 'Service Unavailable'),
      'MAIL_RETRYABLE',
      'Mailgun failed (HTTP 503): Service Unavailable',
      { provider: 'mailgun', status: 503 },
    ],
    [
      'timeout (mailgun.js: status 400, axios code as message)',
      apiError(400, 'ECONNABORTED', 'timeout of 500ms exceeded'),
      'MAIL_RETRYABLE',
      'Mailgun did not answer in time (ECONNABORTED: timeout of 500ms exceeded)',
      { provider: 'mailgun', code: 'ECONNABORTED' },
    ],
    [
      'connection refused (status 400, axios code)',
      apiError(400, 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
      'MAIL_RETRYABLE',
      'could not reach Mailgun (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9)',
      { provider: 'mailgun', code: 'ECONNREFUSED' },
    ],
    [
      'connection reset (status 400, axios code)',
      apiError(400, 'ECONNRESET', 'socket hang up'),
      'MAIL_RETRYABLE',
      'could not reach Mailgun (ECONNRESET: socket hang up)',
      { provider: 'mailgun', code: 'ECONNRESET' },
    ],
    [
      'DNS failure (status 400, axios code)',
      apiError(400, 'ENOTFOUND', 'getaddrinfo ENOTFOUND api.mailgun.net'),
      'MAIL_RETRYABLE',
      'could not reach Mailgun (ENOTFOUND: getaddrinfo ENOTFOUND api.mailgun.net)',
      { provider: 'mailgun', code: 'ENOTFOUND' },
    ],
    [
      'SDK refusing the data',
      new Error('Please provide data object'),
      'MAIL_PERMANENT',
      'Mailgun send failed: Please provide data object',
      { provider: 'mailgun' },
    ],
  ] as const)('%s → %s', (_case, error, code, message, details) => {
    const classified = classifyMailgunError(error);
    expect(classified).toBeInstanceOf(MessagingError);
    expect(classified.code).toBe(code);
    expect(classified.message).toBe(message);
    expect(classified.details).toEqual(details);
    expect(classified.cause).toBe(error);
  });

  it('returns a MessagingError unchanged', () => {
    const error = new MessagingError('MAIL_PERMANENT', 'to[0] is not a valid email address', {
      field: 'to[0]',
    });
    expect(classifyMailgunError(error)).toBe(error);
  });
});
