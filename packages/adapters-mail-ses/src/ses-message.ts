import type { MessageHeader, MessageTag, SendEmailRequest } from '@aws-sdk/client-sesv2';
import type { MailAddress, OutboundEmail } from '@parley/messaging-core';
import { MessagingError } from '@parley/messaging-core';

/** The message tag that carries our email-log id, so SES sending events can be matched to the log. */
export const SES_EMAIL_ID_TAG = 'parley_email_id';
/** The header that carries our email-log id unchanged, so bounces and replies can be matched too. */
export const SES_EMAIL_ID_HEADER = 'X-Parley-Email-Id';
/** SES accepts at most this many message tags on one email; extra tags are dropped. */
export const SES_MAX_MESSAGE_TAGS = 50;
/** SES's limit on a message tag's name and value. */
export const SES_TAG_MAX_LENGTH = 256;

const TAG_CHARACTER = /[^A-Za-z0-9_-]/g;
// SES's pattern for a `MessageHeader` value: printable ASCII only (no tab, no 8-bit).
const HEADER_VALUE = /^[ -~]*$/;
const QUOTED_STRING_SAFE = /^[ -~]*$/;
const ASCII_LOCAL_PART = /^[!-~]+$/;
const ENCODED_WORD_MAX_BYTES = 45; // 45 bytes → 60 base64 chars: each word stays under RFC 2047's 75

/**
 * Makes a string fit SES's message-tag charset (`[A-Za-z0-9_-]`, at most 256 characters): every
 * other character becomes `_`. Empty input stays empty (callers drop such tags).
 *
 * @example
 * ```ts
 * sanitizeSesTag('store:acme/42'); // "store_acme_42"
 * ```
 */
export function sanitizeSesTag(value: string): string {
  return value.replace(TAG_CHARACTER, '_').slice(0, SES_TAG_MAX_LENGTH);
}

/** RFC 2047 `B` encoded-words, split on character boundaries so no word exceeds 75 characters. */
function encodedWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const character of value) {
    if (Buffer.byteLength(chunk + character) > ENCODED_WORD_MAX_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/**
 * Formats an address for SES (`FromEmailAddress`, `ToAddresses`, `ReplyToAddresses`): a quoted
 * display name when it is printable ASCII, else RFC 2047 encoded-words, as SES requires.
 *
 * @example
 * ```ts
 * formatSesAddress({ address: 'shop@acme.test', name: 'Acme "Shop"' }); // '"Acme \"Shop\"" <shop@acme.test>'
 * formatSesAddress({ address: 'shop@acme.test', name: 'Café' });        // '=?UTF-8?B?Q2Fmw6k=?= <shop@acme.test>'
 * ```
 */
export function formatSesAddress(value: MailAddress): string {
  if (value.name === undefined) return value.address;
  const name = QUOTED_STRING_SAFE.test(value.name)
    ? `"${value.name.replace(/["\\]/g, '\\$&')}"`
    : encodedWords(value.name);
  return `${name} <${value.address}>`;
}

function sesHeaderValue(value: string): string {
  return HEADER_VALUE.test(value) ? value : encodedWords(value);
}

function assertAsciiLocalPart(value: MailAddress, field: string): void {
  const local = value.address.slice(0, value.address.lastIndexOf('@'));
  if (!ASCII_LOCAL_PART.test(local)) {
    throw new MessagingError(
      'MAIL_PERMANENT',
      `${field}: SES only accepts 7-bit ASCII before the @ (${JSON.stringify(value.address)})`,
      { field },
    );
  }
}

/**
 * Our id first, then the email's tags (`{ Name: tag, Value: 'true' }`), then its metadata
 * (`{ Name: key, Value: value }`), all sanitized to SES's charset. A name already used, or empty
 * after sanitizing, is skipped; at most `SES_MAX_MESSAGE_TAGS` tags are sent.
 */
function messageTags(email: OutboundEmail): MessageTag[] {
  const tags = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const safeName = sanitizeSesTag(name);
    const safeValue = sanitizeSesTag(value);
    if (safeName === '' || safeValue === '' || tags.has(safeName)) return;
    if (tags.size < SES_MAX_MESSAGE_TAGS) tags.set(safeName, safeValue);
  };
  add(SES_EMAIL_ID_TAG, email.id);
  for (const tag of email.tags ?? []) add(tag, 'true');
  for (const [key, value] of Object.entries(email.metadata ?? {})) add(key, value);
  return [...tags].map(([Name, Value]) => ({ Name, Value }));
}

function messageHeaders(email: OutboundEmail): MessageHeader[] {
  const idHeader = SES_EMAIL_ID_HEADER.toLowerCase();
  const headers: MessageHeader[] = [];
  for (const [name, value] of Object.entries(email.headers ?? {})) {
    // SES refuses empty values; our own id header is set below, never by the caller.
    if (value === '' || name.toLowerCase() === idHeader) continue;
    headers.push({ Name: name, Value: sesHeaderValue(value) });
  }
  if (email.id !== '') headers.push({ Name: SES_EMAIL_ID_HEADER, Value: sesHeaderValue(email.id) });
  return headers;
}

export interface SesSendEmailOptions {
  readonly configurationSetName?: string;
}

/**
 * Builds the SES v2 `SendEmail` request for an email that already went through
 * `prepareOutboundEmail` (valid addresses, no line breaks in any header value). Uses
 * `Content.Simple`: SES composes the MIME message, and `Simple.Headers` carries custom headers.
 *
 * @example
 * ```ts
 * const input = toSesSendEmailRequest(prepareOutboundEmail(email), { configurationSetName: 'parley' });
 * await client.send(new SendEmailCommand(input));
 * ```
 */
export function toSesSendEmailRequest(
  email: OutboundEmail,
  options: SesSendEmailOptions = {},
): SendEmailRequest {
  assertAsciiLocalPart(email.from, 'from');
  email.to.forEach((to, i) => {
    assertAsciiLocalPart(to, `to[${i}]`);
  });
  if (email.replyTo !== undefined) assertAsciiLocalPart(email.replyTo, 'reply_to');
  const charset = 'UTF-8';
  const headers = messageHeaders(email);
  return {
    FromEmailAddress: formatSesAddress(email.from),
    Destination: { ToAddresses: email.to.map(formatSesAddress) },
    ...(email.replyTo === undefined ? {} : { ReplyToAddresses: [formatSesAddress(email.replyTo)] }),
    Content: {
      Simple: {
        Subject: { Data: email.subject, Charset: charset },
        Body: {
          Text: { Data: email.text, Charset: charset },
          ...(email.html === undefined ? {} : { Html: { Data: email.html, Charset: charset } }),
        },
        ...(headers.length === 0 ? {} : { Headers: headers }),
      },
    },
    EmailTags: messageTags(email),
    ...(options.configurationSetName === undefined
      ? {}
      : { ConfigurationSetName: options.configurationSetName }),
  };
}
