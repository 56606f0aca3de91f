import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SnsMessageVerifier } from '@parley/adapters-mail-ses';
import {
  type Clock,
  type InboundReplyOutcome,
  MessagingError,
  systemClock,
  type WebhookReplayGuard,
} from '@parley/messaging-core';
import type { ParsedInboundEmail } from './parse-inbound-email.js';

/** What one inbound email came to: the core's outcome, or dropped before it. */
export type InboundReceipt =
  | InboundReplyOutcome
  | { readonly status: 'ignored'; readonly reason: 'automatic' | 'no_content' }
  | { readonly status: 'subscription_confirmed' };

/**
 * Every inbound path (the providers' webhooks, the SMTP listener) ends here: automatic mail is
 * dropped (no bounce: two robots must not answer each other), the rest goes to the core's
 * `receiveInboundReply`.
 */
export type ReceiveInboundEmail = (email: ParsedInboundEmail) => Promise<InboundReceipt>;

/** `receiveInboundReply` behind the automatic-mail filter. */
export function inboundReceiver(
  receiveInboundReply: (email: ParsedInboundEmail) => Promise<InboundReplyOutcome>,
): ReceiveInboundEmail {
  return async (email) =>
    email.automatic ? { status: 'ignored', reason: 'automatic' } : receiveInboundReply(email);
}

/** Mailgun signs `timestamp + token` (HMAC-SHA256, hex) with the webhook signing key. */
export const MAILGUN_INBOUND_MAX_AGE_SECONDS = 300;

function unverified(provider: string, reason: string): MessagingError {
  return new MessagingError('WEBHOOK_UNVERIFIED', `${provider} inbound mail rejected: ${reason}`, {
    details: { provider },
  });
}

/**
 * Checks a Mailgun route's forward (`timestamp`, `token`, `signature` form fields): the HMAC in
 * constant time, a timestamp within 5 minutes of now, and a token never seen before by any
 * instance (claimed in the replay guard until the window ends). Throws `WEBHOOK_UNVERIFIED`.
 */
export async function verifyMailgunInbound(
  fields: Readonly<Record<string, string>>,
  options: { signingKey: string; replayGuard: WebhookReplayGuard; clock?: Clock },
): Promise<void> {
  const { timestamp, token, signature } = fields;
  if (!timestamp || !token || !signature)
    throw unverified('mailgun', 'timestamp, token and signature are required');
  if (!/^\d{1,12}$/.test(timestamp)) throw unverified('mailgun', 'the timestamp is not a unix time');
  const now = (options.clock ?? systemClock).now();
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAILGUN_INBOUND_MAX_AGE_SECONDS)
    throw unverified('mailgun', 'the timestamp is too far from now');
  const expected = createHmac('sha256', options.signingKey.trim())
    .update(timestamp + token)
    .digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw unverified('mailgun', 'the signature does not match');
  const claimed = await options.replayGuard.claim({
    provider: 'mailgun',
    token,
    expiresAt: new Date((Number(timestamp) + MAILGUN_INBOUND_MAX_AGE_SECONDS) * 1000 + 1000),
    now,
  });
  if (!claimed) throw unverified('mailgun', 'the token was already used (a replay)');
}

/** Checks HTTP Basic credentials against the configured password (any user name), in constant time. */
export function verifyBasicPassword(authorization: string | undefined, password: string): void {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
  const given = Buffer.from(decoded.slice(decoded.indexOf(':') + 1));
  const wanted = Buffer.from(password);
  if (decoded.indexOf(':') < 0 || given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw unverified('sendgrid', 'HTTP Basic credentials are missing or wrong');
}

/** An SES receipt notification (`notificationType: Received`) as SNS carries it. */
export interface SesReceivedMail {
  /** The raw message; null when the receipt rule sent no content (S3 action, or > 150 KB). */
  readonly raw: Buffer | null;
  readonly recipients: readonly string[];
}

/** Reads an SES receipt notification (SNS action; `UTF8` or `BASE64` encoding). */
export function sesReceivedMail(message: string): SesReceivedMail | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw MessagingError.validation('Message', 'the SNS message is not an SES receipt notification');
  }
  const record = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const body = record(parsed);
  if (body?.notificationType !== 'Received') return null;
  const receipt = record(body.receipt);
  const mail = record(body.mail);
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const recipients =
    list(receipt?.recipients).length > 0 ? list(receipt?.recipients) : list(mail?.destination);
  const content = typeof body.content === 'string' ? body.content : null;
  const encoding = String(record(receipt?.action)?.encoding ?? 'UTF8').toUpperCase();
  const raw =
    content === null
      ? null
      : encoding === 'BASE64'
        ? Buffer.from(content, 'base64')
        : Buffer.from(content, 'utf8');
  return { raw, recipients };
}

/** The SES inbound path's verifier: the shared SNS one, with its own topics. */
export type SesInboundVerifier = Pick<SnsMessageVerifier, 'verify' | 'confirmSubscription'>;
