import type { ReceivedEmail } from '@parley/messaging-core/testing/contracts';
import libmime from 'libmime';
import { type AddressObject, simpleParser } from 'mailparser';
import { PARLEY_MAIL_HEADERS } from '../mail-message.js';

/** A parsed email with what only a real message shows: all header values and the raw source. */
export interface ParsedEmail extends ReceivedEmail {
  /** Every header of the message (lower-cased names), decoded. */
  readonly headers: Readonly<Record<string, string>>;
  /** The message as it was delivered (RFC 5322, CRLF line ends). */
  readonly raw: string;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((object) => object.value)
    .map((entry) => entry.address ?? '')
    .filter((address) => address !== '');
}

/** A header line as a string: unfolded, encoded words decoded (mailparser leaves `X-*` encoded). */
function headerValue(line: string): string {
  const { value } = libmime.decodeHeader(line);
  try {
    return libmime.decodeWords(value).trim();
  } catch {
    return value.trim();
  }
}

/**
 * Parses a delivered message (with mailparser) into the contract's `ReceivedEmail` plus all its
 * headers. `to` is the envelope's recipients when given (what a server would deliver to), else
 * every address in To, Cc and Bcc.
 *
 * @example
 * ```ts
 * const email = await parseReceivedEmail(await readFile('20261122T021530.123Z-log-1.eml'));
 * email.parleyId; // "log-1"
 * ```
 */
export async function parseReceivedEmail(
  raw: Buffer | string,
  envelopeRecipients?: readonly string[],
): Promise<ParsedEmail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = headerValue(line);
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  const sender = parsed.from?.value[0];
  const replyTo = addresses(parsed.replyTo)[0];
  const parleyId = headers[PARLEY_MAIL_HEADERS.emailId.toLowerCase()];
  return {
    from: sender?.address ?? '',
    ...(sender?.name ? { fromName: sender.name } : {}),
    to: envelopeRecipients
      ? [...envelopeRecipients]
      : [...addresses(parsed.to), ...addresses(parsed.cc), ...addresses(parsed.bcc)],
    ...(replyTo === undefined ? {} : { replyTo }),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    headers,
    ...(parleyId === undefined ? {} : { parleyId }),
    raw: typeof raw === 'string' ? raw : raw.toString('utf8'),
  };
}
