import {
  isMessagingError,
  MessagingError,
  NETWORK_ERROR_CODES,
  TIMEOUT_ERROR_CODES,
} from '@parley/messaging-core';

/** One entry of SendGrid's `{"errors": [...]}` error body. */
export interface SendGridApiError {
  readonly message: string;
  readonly field?: string | null;
  readonly help?: string | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

function apiErrors(body: unknown): SendGridApiError[] {
  const errors = record(body)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry): SendGridApiError[] => {
    const fields = record(entry);
    if (fields === null || typeof fields.message !== 'string') return [];
    return [
      {
        message: fields.message,
        field: typeof fields.field === 'string' ? fields.field : null,
        help: typeof fields.help === 'string' ? fields.help : null,
      },
    ];
  });
}

function describeErrors(errors: readonly SendGridApiError[], fallback: string): string {
  if (errors.length === 0) return fallback;
  return errors.map((e) => (e.field ? `${e.message} (${e.field})` : e.message)).join('; ');
}

/**
 * A copy of a transport-level (axios) error that keeps its name, code, message and stack but
 * drops the request it carries (`config.headers.Authorization` holds the API key).
 */
function withoutRequest(error: Error, code: string): Error {
  const copy = new Error(error.message);
  copy.name = error.name;
  if (error.stack !== undefined) copy.stack = error.stack;
  return Object.assign(copy, { code });
}

/**
 * Turns whatever `@sendgrid/mail` threw into a `MessagingError`: `MAIL_RETRYABLE` for timeouts,
 * connection failures, HTTP 408, 429 and 5xx; `MAIL_PERMANENT` for refused credentials (401/403)
 * and every other refusal. The message names the HTTP status and SendGrid's own error text, never
 * the API key; `details` carries `provider`, `status` and SendGrid's `errors`.
 *
 * @example
 * ```ts
 * try {
 *   await mail.send(data);
 * } catch (error) {
 *   throw classifySendGridError(error); // e.g. MAIL_RETRYABLE for a 429
 * }
 * ```
 */
export function classifySendGridError(error: unknown): MessagingError {
  if (isMessagingError(error)) return error;
  const fields = record(error);
  const response = record(fields?.response);

  // ResponseError (@sendgrid/helpers): `code` is the HTTP status, `response.body` SendGrid's JSON.
  if (fields !== null && typeof fields.code === 'number' && response !== null) {
    const status = fields.code;
    const errors = apiErrors(response.body);
    const reason = describeErrors(errors, typeof fields.message === 'string' ? fields.message : '');
    const details = { provider: 'sendgrid', status, errors };
    if (status === 429)
      return new MessagingError('MAIL_RETRYABLE', `SendGrid throttled the request (HTTP 429): ${reason}`, {
        details,
        cause: error,
      });
    if (status === 408 || status >= 500)
      return new MessagingError('MAIL_RETRYABLE', `SendGrid failed (HTTP ${status}): ${reason}`, {
        details,
        cause: error,
      });
    if (status === 401 || status === 403)
      return new MessagingError(
        'MAIL_PERMANENT',
        `SendGrid refused the API key (HTTP ${status}): ${reason}`,
        { details, cause: error },
      );
    return new MessagingError('MAIL_PERMANENT', `SendGrid rejected the email (HTTP ${status}): ${reason}`, {
      details,
      cause: error,
    });
  }

  // An axios error without a response: the request never got an answer.
  const code = typeof fields?.code === 'string' ? fields.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) {
    const what = TIMEOUT_ERROR_CODES.has(code)
      ? 'SendGrid did not answer in time'
      : 'could not reach SendGrid';
    return new MessagingError('MAIL_RETRYABLE', `${what} (${code}: ${message})`, {
      details: { provider: 'sendgrid', code },
      cause: error instanceof Error ? withoutRequest(error, code) : undefined,
    });
  }

  // Anything else (the SDK refusing the data, an invalid base URL…) fails the same way again.
  return new MessagingError('MAIL_PERMANENT', `SendGrid send failed: ${message}`, {
    details: code === undefined ? { provider: 'sendgrid' } : { provider: 'sendgrid', code },
    cause: error instanceof Error && code !== undefined ? withoutRequest(error, code) : error,
  });
}
