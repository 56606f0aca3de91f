import { isMessagingError, MessagingError } from '@parley/messaging-core';

/** The fields nodemailer (and Node's sockets) put on the errors it hands back. */
interface SmtpErrorFields {
  readonly code?: string;
  readonly originalCode?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
  readonly timeoutType?: string;
}

export interface SmtpErrorContext {
  /** `host:port` of the server, for the message. */
  readonly server: string;
  /** Strings never to repeat in a message (the password); replaced with `***`. */
  readonly secrets?: readonly string[];
}

/**
 * Failures of the connection itself (refused, reset, timed out, unreachable, no SMTP greeting),
 * nodemailer's and Node's own (unwrapped or as `originalCode`).
 */
const CONNECTION_FAILURE_CODES = [
  'ETIMEDOUT',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'EPROXY',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
] as const;

/** nodemailer codes that end or never open the connection: another attempt may get through. */
const RETRYABLE_CODES = new Set<string>([...CONNECTION_FAILURE_CODES, 'EMAXLIMIT', 'ESTREAM', 'EABORT']);

/** nodemailer codes that say the configuration or the message is wrong: the same send fails again. */
const PERMANENT_CODES = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ETLS',
  'EREQUIRETLS',
  'EENVELOPE',
  'EMESSAGE',
  'EMAXRECIPIENTS',
  'ECONFIG',
  'EFILEACCESS',
  'EURLACCESS',
]);

// Certificate verification failures arrive as ESOCKET/ETLS with Node's code in originalCode.
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/;

function fieldsOf(error: unknown): SmtpErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const e = error as Record<string, unknown>;
  const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const fields: Record<string, string | number> = {};
  for (const [key, value] of [
    ['code', str(e.code)],
    ['originalCode', str(e.originalCode)],
    ['responseCode', responseCode],
    ['response', str(e.response)],
    ['command', str(e.command)],
    ['timeoutType', str(e.timeoutType)],
  ] as const) {
    if (value !== undefined) fields[key] = value;
  }
  return fields as SmtpErrorFields;
}

/**
 * One message for every failure of the connection itself, so that "verify" cannot tell an open
 * port from a closed or a filtered one and is no port scanner.
 */
const CONNECTION_CODES = new Set<string>([...CONNECTION_FAILURE_CODES, 'EADDRNOTAVAIL']);

function isConnectionFailure(f: SmtpErrorFields): boolean {
  if (f.responseCode !== undefined || f.code === undefined) return false;
  // TLS and certificate failures happen once connected, and say what to fix: kept distinct.
  if (
    f.originalCode !== undefined &&
    (CERTIFICATE_CODE.test(f.originalCode) || /SSL|TLS/.test(f.originalCode))
  )
    return false;
  return CONNECTION_CODES.has(f.code);
}

function explain(f: SmtpErrorFields, retryable: boolean): string {
  if (f.responseCode !== undefined) {
    const what =
      f.code === 'EAUTH'
        ? 'refused the login'
        : f.command === 'RCPT TO'
          ? 'refused the recipient'
          : f.command === 'MAIL FROM'
            ? 'refused the sender'
            : 'refused the message';
    return `${what}${retryable ? ' for now' : ''}`;
  }
  switch (f.code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return 'login failed';
    case 'ETLS':
    case 'EREQUIRETLS':
      return 'TLS could not be set up';
    case 'EENVELOPE':
      return 'the envelope is invalid';
    default:
      return retryable ? 'could not be reached' : 'refused the send';
  }
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

/**
 * Whether a nodemailer failure may pass on a later attempt: SMTP 4xx replies (421, 450, 451,
 * 452…), 503 and dropped, refused, reset or timed-out connections are retryable; other SMTP 5xx
 * replies (535 refused login, 550 rejected recipient…), missing credentials, TLS and certificate
 * failures and invalid envelopes are permanent. An error of unknown shape counts as retryable, so
 * a queue's attempt limit decides.
 *
 * @example
 * ```ts
 * isRetryableSmtpError({ code: 'EENVELOPE', responseCode: 451 }); // true
 * isRetryableSmtpError({ code: 'EAUTH', responseCode: 535 }); // false
 * ```
 */
export function isRetryableSmtpError(error: unknown): boolean {
  const f = fieldsOf(error);
  if (f.responseCode !== undefined && f.responseCode >= 400 && f.responseCode < 600) {
    // RFC 5321: 4yz is transient, 5yz permanent; 503 (bad sequence) is the session's state, not the message.
    return f.responseCode < 500 || f.responseCode === 503;
  }
  if (f.originalCode !== undefined && CERTIFICATE_CODE.test(f.originalCode)) return false;
  if (f.code !== undefined && CERTIFICATE_CODE.test(f.code)) return false;
  if (f.code !== undefined && PERMANENT_CODES.has(f.code)) return false;
  if (f.code !== undefined && RETRYABLE_CODES.has(f.code)) return true;
  return true;
}

/**
 * Turns whatever nodemailer threw into a `MessagingError` with code `MAIL_RETRYABLE` or
 * `MAIL_PERMANENT` (see `isRetryableSmtpError`), the original error as `cause` and the SMTP
 * facts in `details` (`smtpCode`, `originalCode`, `responseCode`, `command`). The message names
 * the server and quotes its reply, never the credentials. Every failure to connect (refused,
 * reset, timed out, unreachable, no or no valid greeting) reads the same, "could not connect to
 * the SMTP server host:port", so the message cannot be used to scan ports; login, TLS and
 * certificate failures, which only happen once connected, stay distinct. A `MessagingError`
 * passes through unchanged.
 *
 * @example
 * ```ts
 * try {
 *   await transporter.sendMail(message);
 * } catch (error) {
 *   throw toSmtpMessagingError(error, { server: 'smtp.acme.test:587', secrets: [password] });
 * }
 * ```
 */
export function toSmtpMessagingError(error: unknown, context: SmtpErrorContext): MessagingError {
  if (isMessagingError(error)) return error;
  const f = fieldsOf(error);
  const retryable = isRetryableSmtpError(error);
  const reply = f.response === undefined ? '' : `: ${redact(f.response, context.secrets ?? [])}`;
  const code = [f.code, f.originalCode].filter((c) => c !== undefined).join('/');
  // The codes stay in `details` (logs, operators), out of the message a store reads.
  const message = isConnectionFailure(f)
    ? `could not connect to the SMTP server ${context.server}`
    : `SMTP server ${context.server} ${explain(f, retryable)}${reply}${code === '' ? '' : ` (${code})`}`;
  const details: Record<string, unknown> = {};
  if (f.code !== undefined) details.smtpCode = f.code;
  if (f.originalCode !== undefined) details.originalCode = f.originalCode;
  if (f.responseCode !== undefined) details.responseCode = f.responseCode;
  if (f.command !== undefined) details.command = f.command;
  return new MessagingError(retryable ? 'MAIL_RETRYABLE' : 'MAIL_PERMANENT', message, {
    ...(f.command === 'RCPT TO' ? { field: 'to' } : {}),
    details,
    cause: error,
  });
}
