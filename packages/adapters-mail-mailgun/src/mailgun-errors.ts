import {
  isMessagingError,
  MessagingError,
  NETWORK_ERROR_CODES,
  TIMEOUT_ERROR_CODES,
} from '@parley/messaging-core';

/** The fields of mailgun.js's `APIError` (`type: 'MailgunAPIError'`). */
interface MailgunApiErrorFields {
  readonly status: number;
  /** The HTTP status text or the body's `error`; for a request that got no answer, the axios code. */
  readonly message: string;
  /** The body's `message` (or the whole body when it is text); for no answer, axios's message. */
  readonly details: string;
}

function apiErrorFields(error: unknown): MailgunApiErrorFields | null {
  if (typeof error !== 'object' || error === null) return null;
  const fields = error as Record<string, unknown>;
  if (fields.type !== 'MailgunAPIError' || typeof fields.status !== 'number') return null;
  return {
    status: fields.status,
    message: typeof fields.message === 'string' ? fields.message : '',
    details: typeof fields.details === 'string' ? fields.details : '',
  };
}

/**
 * Turns whatever `mailgun.js` threw into a `MessagingError`: `MAIL_RETRYABLE` for timeouts,
 * connection failures, HTTP 408, 429 and 5xx; `MAIL_PERMANENT` for refused credentials (401/403)
 * and every other refusal (400 invalid address, 404 unknown domain…). The message names the HTTP
 * status and Mailgun's own text, never the API key; `details` carries `provider` and `status` (or
 * the network error `code`).
 *
 * mailgun.js reports a request that got no answer as an `APIError` with status 400 and the axios
 * code (`ECONNABORTED`, `ECONNREFUSED`…) as its message: those codes are read as what they are.
 *
 * @example
 * ```ts
 * try {
 *   await client.messages.create(domain, data);
 * } catch (error) {
 *   throw classifyMailgunError(error); // e.g. MAIL_RETRYABLE for a 429
 * }
 * ```
 */
export function classifyMailgunError(error: unknown): MessagingError {
  if (isMessagingError(error)) return error;
  const api = apiErrorFields(error);
  if (api !== null) {
    if (NETWORK_ERROR_CODES.has(api.message)) {
      const code = api.message;
      const what = TIMEOUT_ERROR_CODES.has(code)
        ? 'Mailgun did not answer in time'
        : 'could not reach Mailgun';
      return new MessagingError('MAIL_RETRYABLE', `${what} (${code}: ${api.details})`, {
        details: { provider: 'mailgun', code },
        cause: error,
      });
    }
    const { status } = api;
    const reason = [...new Set([api.message, api.details].filter((s) => s !== ''))].join(': ');
    const details = { provider: 'mailgun', status };
    if (status === 429)
      return new MessagingError('MAIL_RETRYABLE', `Mailgun throttled the request (HTTP 429): ${reason}`, {
        details,
        cause: error,
      });
    if (status === 408 || status >= 500)
      return new MessagingError('MAIL_RETRYABLE', `Mailgun failed (HTTP ${status}): ${reason}`, {
        details,
        cause: error,
      });
    if (status === 401 || status === 403)
      return new MessagingError('MAIL_PERMANENT', `Mailgun refused the API key (HTTP ${status}): ${reason}`, {
        details,
        cause: error,
      });
    return new MessagingError('MAIL_PERMANENT', `Mailgun rejected the email (HTTP ${status}): ${reason}`, {
      details,
      cause: error,
    });
  }
  // Anything else (the SDK refusing the data…) fails the same way again.
  const message = error instanceof Error ? error.message : String(error);
  return new MessagingError('MAIL_PERMANENT', `Mailgun send failed: ${message}`, {
    details: { provider: 'mailgun' },
    cause: error,
  });
}
