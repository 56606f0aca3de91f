import { MessagingError } from '../../kernel/errors.js';
import type { MailAddress, OutboundEmail } from '../ports/mail-transport.js';
import { isValidEmail } from './email-address.js';

// CR and LF end a header line: a value carrying them could add headers (Bcc:) or a body.
// U+2028/2029 and NEL are stripped too, since some parsers treat them as line ends.
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;
const HEADER_NAME = /^[!-9;-~]{1,76}$/;

/** Replaces every line break in a header value with one space and trims. */
export function stripLineBreaks(value: string): string {
  return value.replace(LINE_BREAKS, ' ').trim();
}

function address(value: MailAddress, field: string): MailAddress {
  const trimmed = value.address.trim();
  if (LINE_BREAKS.test(value.address) || !isValidEmail(trimmed)) {
    LINE_BREAKS.lastIndex = 0;
    throw new MessagingError(
      'MAIL_PERMANENT',
      `${field} is not a valid email address: ${JSON.stringify(value.address)}`,
      {
        field,
      },
    );
  }
  return value.name === undefined || stripLineBreaks(value.name) === ''
    ? { address: trimmed }
    : { address: trimmed, name: stripLineBreaks(value.name) };
}

/**
 * What every `MailTransport` does first: validates every address (a bad one is a
 * `MAIL_PERMANENT` failure naming the field, and nothing is sent) and strips line breaks from
 * every header value, so no input can inject headers.
 *
 * @example
 * ```ts
 * async send(email: OutboundEmail) {
 *   const safe = prepareOutboundEmail(email);
 *   // … hand `safe` to the provider's SDK
 * }
 * ```
 */
export function prepareOutboundEmail(email: OutboundEmail): OutboundEmail {
  if (email.to.length === 0)
    throw new MessagingError('MAIL_PERMANENT', 'the email has no recipient', { field: 'to' });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(email.headers ?? {})) {
    if (!HEADER_NAME.test(name)) {
      throw new MessagingError('MAIL_PERMANENT', `invalid header name ${JSON.stringify(name)}`, {
        field: 'headers',
      });
    }
    headers[name] = stripLineBreaks(value);
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(email.metadata ?? {}))
    metadata[stripLineBreaks(key)] = stripLineBreaks(value);
  return {
    id: stripLineBreaks(email.id),
    from: address(email.from, 'from'),
    ...(email.replyTo === undefined ? {} : { replyTo: address(email.replyTo, 'reply_to') }),
    to: email.to.map((to, i) => address(to, `to[${i}]`)),
    subject: stripLineBreaks(email.subject),
    text: email.text,
    ...(email.html === undefined ? {} : { html: email.html }),
    ...(email.headers === undefined ? {} : { headers }),
    ...(email.tags === undefined ? {} : { tags: email.tags.map(stripLineBreaks) }),
    ...(email.metadata === undefined ? {} : { metadata }),
  };
}
