import { createHash } from 'node:crypto';
import type { InboundEmail } from '@parley/messaging-core';
import EmailReplyParser from 'email-reply-parser';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';

/** A parsed inbound email, plus what the transports decide on before the core sees it. */
export interface ParsedInboundEmail extends InboundEmail {
  /**
   * True for automatic mail (`Auto-Submitted` other than `no`, a `Precedence` of bulk, junk or
   * list, delivery status reports): out-of-office answers and bounces, dropped without a bounce
   * of our own so two robots never answer each other forever.
   */
  readonly automatic: boolean;
  readonly messageIdHeader: string | null;
}

/** What the transport knows besides the message: the SMTP envelope or the provider's fields. */
export interface InboundEnvelope {
  /** Envelope recipients (RCPT TO, the provider's `recipient` / `envelope.to`). */
  readonly recipients?: readonly string[];
}

/** Parsed fields, for providers that post them instead of the raw message. */
export interface InboundParsedFields {
  readonly from: string;
  readonly recipients: readonly string[];
  readonly messageId: string | null;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly attachments: readonly { readonly filename: string; readonly content: Uint8Array }[];
}

function digest(value: string | Uint8Array): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * The dedupe key: a digest of the Message-ID (angle brackets and surrounding space dropped), so
 * the same email through two providers is one message; without a Message-ID, a digest of what
 * the message says (sender, recipients, text).
 */
export function dedupeKeyOf(messageId: string | null, fallback: string | Uint8Array): string {
  const id = messageId?.trim().replace(/^<|>$/g, '').trim();
  return id ? `mid:${digest(id)}` : `raw:${digest(fallback)}`;
}

const replyParser = new EmailReplyParser();

/**
 * The new text of a reply: the quoted history (Gmail's "On … wrote:", Outlook's "From: … Sent:"
 * and "-----Original Message-----" blocks, `>` lines) and the signature (`-- `, "Sent from my
 * …") removed by `email-reply-parser`, line ends normalized, trimmed.
 */
export function stripQuotedReply(text: string): string {
  const normalized = text.replace(/\r\n?/g, '\n');
  let visible: string;
  try {
    visible = replyParser.parseReply(normalized);
  } catch {
    visible = normalized;
  }
  // Outlook's separator line, which the parser does not always catch in English-only form.
  const cut = visible.search(/^\s*-{2,}\s*Original Message\s*-{2,}\s*$/im);
  return (cut >= 0 ? visible.slice(0, cut) : visible).trim();
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.flatMap((a) => (a.address ? [a.address] : [])));
}

function headerText(parsed: ParsedMail, name: string): string | null {
  const value = parsed.headers.get(name);
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return String(value);
}

/** True for automatic mail (RFC 3834 `Auto-Submitted`, bulk `Precedence`, delivery reports). */
export function isAutomatic(header: (name: string) => string | null, contentType: string | null): boolean {
  const autoSubmitted = header('auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted !== undefined && autoSubmitted !== '' && autoSubmitted !== 'no') return true;
  const precedence = header('precedence')?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return true;
  return contentType?.toLowerCase().includes('multipart/report') ?? false;
}

/**
 * Parses a raw RFC 5322 message (`mailparser`): sender, recipients (the envelope's first, then
 * To and Cc), Message-ID, the reply text without its quoted history and signature (from the
 * text part, else mailparser's text of the HTML part), and the attachments — files only: parts
 * embedded in the HTML (`cid:` images such as signature logos) are left out.
 *
 * @example
 * ```ts
 * const email = await parseRawInboundEmail(rawBytes, { recipients: ['reply+…@inbound.example.com'] });
 * ```
 */
export async function parseRawInboundEmail(
  raw: Buffer,
  envelope: InboundEnvelope = {},
): Promise<ParsedInboundEmail> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = addresses(parsed.from)[0] ?? '';
  const recipients = [...(envelope.recipients ?? []), ...addresses(parsed.to), ...addresses(parsed.cc)];
  const messageIdHeader = parsed.messageId ?? null;
  const text = stripQuotedReply(parsed.text ?? '');
  return {
    dedupeKey: dedupeKeyOf(messageIdHeader, raw),
    messageIdHeader,
    from,
    recipients,
    text,
    attachments: parsed.attachments
      .filter((a) => a.related !== true)
      .map((a, i) => ({
        filename: a.filename ?? `attachment-${i + 1}`,
        content: new Uint8Array(a.content),
      })),
    automatic: isAutomatic((name) => headerText(parsed, name), headerText(parsed, 'content-type')),
  };
}

/**
 * Builds an inbound email from a provider's parsed fields (SendGrid's default mode, Mailgun's
 * non-MIME forward): the same stripping of quotes and signature, the same dedupe key.
 */
export function inboundEmailFromFields(fields: InboundParsedFields): ParsedInboundEmail {
  const header = (name: string) => {
    const entry = Object.entries(fields.headers ?? {}).find(([key]) => key.toLowerCase() === name);
    return entry?.[1] ?? null;
  };
  return {
    dedupeKey: dedupeKeyOf(
      fields.messageId,
      `${fields.from}\n${fields.recipients.join(',')}\n${fields.text}`,
    ),
    messageIdHeader: fields.messageId,
    from: fields.from,
    recipients: fields.recipients,
    text: stripQuotedReply(fields.text),
    attachments: fields.attachments,
    automatic: isAutomatic(header, header('content-type')),
  };
}

/** The address in a header value such as `Ana <ana@example.com>`, or the value itself. */
export function addressOf(value: string): string {
  const match = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  return (match?.[1] ?? value).trim();
}

/** Splits a header block (`Name: value` lines, folded continuation lines) into a record. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | null = null;
  for (const line of block.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^[ \t]/.test(line) && last !== null) {
      headers[last] = `${headers[last]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}
