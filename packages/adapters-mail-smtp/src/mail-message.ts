import { type MailAddress, MessagingError, type OutboundEmail } from '@parley/messaging-core';
import type { SendMailOptions } from 'nodemailer';

/**
 * The headers Parley adds to every email it sends over SMTP or writes as an `.eml` file. A
 * caller's `headers` may not use these names (nor `X-Parley-Meta-*`): the send fails as
 * `MAIL_PERMANENT` with field `headers`.
 */
export const PARLEY_MAIL_HEADERS = {
  /** Our email id (the email log id), verbatim. */
  emailId: 'X-Parley-Email-Id',
  /** The email's tags, joined with `", "`. Absent when there are none. */
  tags: 'X-Parley-Tags',
  /** One header per metadata entry: `X-Parley-Meta-store_id: acme`. */
  metadataPrefix: 'X-Parley-Meta-',
} as const;

// Set from the email's fields (or by nodemailer): a custom header must not replace them.
const RESERVED_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'return-path',
  PARLEY_MAIL_HEADERS.emailId.toLowerCase(),
  PARLEY_MAIL_HEADERS.tags.toLowerCase(),
]);

// The same rule as the core's header names (printable ASCII but the colon, at most 76).
const HEADER_NAME = /^[!-9;-~]{1,76}$/;
// RFC 5322 dot-atom-text: what a Message-ID's left part may be without quoting.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

export interface MailMessageOptions {
  /** Right-hand side of the Message-ID; defaults to the domain of the `from` address. */
  readonly messageIdDomain?: string;
}

/**
 * The Message-ID Parley gives an email: `<id@domain>`, deterministic, so a retry of an email the
 * server had in fact accepted carries the same Message-ID and receivers can drop the duplicate.
 * An id that is not a dot-atom is carried base64url-encoded (`<b64.bG9nIDE@domain>`).
 *
 * @example
 * ```ts
 * parleyMessageId('log-0001', 'acme.test'); // "<log-0001@acme.test>"
 * ```
 */
export function parleyMessageId(id: string, domain: string): string {
  const local = DOT_ATOM.test(id) && id.length <= 64 ? id : `b64.${Buffer.from(id).toString('base64url')}`;
  return `<${local}@${domain}>`;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function nodemailerAddress(address: MailAddress): { name: string; address: string } | string {
  return address.name === undefined ? address.address : { name: address.name, address: address.address };
}

function customHeaders(email: OutboundEmail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(email.headers ?? {})) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith(PARLEY_MAIL_HEADERS.metadataPrefix.toLowerCase())) {
      throw new MessagingError('MAIL_PERMANENT', `header ${JSON.stringify(name)} is set by the transport`, {
        field: 'headers',
      });
    }
    headers[name] = value;
  }
  headers[PARLEY_MAIL_HEADERS.emailId] = email.id;
  if (email.tags !== undefined && email.tags.length > 0)
    headers[PARLEY_MAIL_HEADERS.tags] = email.tags.join(', ');
  for (const [key, value] of Object.entries(email.metadata ?? {})) {
    const name = `${PARLEY_MAIL_HEADERS.metadataPrefix}${key}`;
    if (!HEADER_NAME.test(name)) {
      throw new MessagingError(
        'MAIL_PERMANENT',
        `metadata key ${JSON.stringify(key)} cannot be carried as a header name`,
        { field: 'metadata' },
      );
    }
    headers[name] = value;
  }
  return headers;
}

/**
 * Turns an email that went through the core's `prepareOutboundEmail` into nodemailer's message
 * options: addresses, an explicit envelope (so no header can add a recipient), the deterministic
 * Message-ID and the `X-Parley-*` headers (see `PARLEY_MAIL_HEADERS`). File and URL access are
 * off: content is never read from a path or a link.
 *
 * @example
 * ```ts
 * const message = buildMailMessage(prepareOutboundEmail(email));
 * await transporter.sendMail(message);
 * ```
 */
export function buildMailMessage(email: OutboundEmail, options: MailMessageOptions = {}): SendMailOptions {
  const domain = options.messageIdDomain ?? domainOf(email.from.address);
  return {
    messageId: parleyMessageId(email.id, domain),
    from: nodemailerAddress(email.from),
    to: email.to.map(nodemailerAddress),
    ...(email.replyTo === undefined ? {} : { replyTo: nodemailerAddress(email.replyTo) }),
    subject: email.subject,
    text: email.text,
    ...(email.html === undefined ? {} : { html: email.html }),
    headers: customHeaders(email),
    envelope: { from: email.from.address, to: email.to.map((to) => to.address) },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
