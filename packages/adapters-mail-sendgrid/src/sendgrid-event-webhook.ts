import { createHash } from 'node:crypto';
import type { Clock, DeliveryEvent, DeliveryEventType } from '@parley/messaging-core';
import { MessagingError, systemClock } from '@parley/messaging-core';
import eventWebhook from '@sendgrid/eventwebhook';
import { SENDGRID_PARLEY_ID_ARG } from './sendgrid-mail-transport.js';

const { EventWebhook, EventWebhookHeader } = eventWebhook;

/** The header carrying the base64 ECDSA signature of `timestamp + rawBody`. */
export const SENDGRID_SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE();
/** The header carrying the unix time (seconds) SendGrid signed the request at. */
export const SENDGRID_TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP();
/** Default tolerance between the signed timestamp and our clock, either way: 5 minutes. */
export const SENDGRID_WEBHOOK_DEFAULT_MAX_AGE_SECONDS = 300;

/** A webhook request as it arrived: the exact body bytes and the headers (any case). */
export interface SendGridWebhookRequest {
  readonly rawBody: Uint8Array | string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface SendGridEventWebhookConfig {
  /**
   * The Signed Event Webhook verification key from SendGrid's Mail Settings: base64 DER
   * (`MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…`) or the same in PEM armour.
   */
  readonly publicKey: string;
  /** Largest accepted distance between the signed timestamp and now, in seconds (default 300). */
  readonly maxAgeSeconds?: number;
  readonly clock?: Clock;
}

type PublicKey = ReturnType<InstanceType<typeof EventWebhook>['convertPublicKeyToECDSA']>;

/** SendGrid's event names, and what each is to the email log (`null`: not a delivery event). */
const EVENT_TYPES: Readonly<Record<string, DeliveryEventType | null>> = {
  processed: null,
  deferred: 'deferred',
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  // `type` says `bounce` or `blocked`; SendGrid retries neither.
  bounce: 'bounced',
  // Dropped before sending (suppressed address, invalid, …): SendGrid will not retry it.
  dropped: 'bounced',
  spamreport: 'complained',
  unsubscribe: null,
  group_unsubscribe: null,
  group_resubscribe: null,
};

/** Event fields copied (as strings) into `DeliveryEvent.detail` when present. */
const DETAIL_FIELDS = [
  'reason',
  'status',
  'response',
  'attempt',
  'type',
  'bounce_classification',
  'url',
  'useragent',
  'ip',
  'sg_machine_open',
] as const;

function headerValue(headers: SendGridWebhookRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = typeof value === 'string' ? value : value?.[0];
    return first?.trim() === '' ? undefined : first?.trim();
  }
  return undefined;
}

function unverified(reason: string): MessagingError {
  return new MessagingError('WEBHOOK_UNVERIFIED', `SendGrid event webhook rejected: ${reason}`, {
    details: { provider: 'sendgrid' },
  });
}

/**
 * SendGrid's `sg_message_id` is the `X-Message-Id` the send returned, followed by the id of the
 * SendGrid server that handled it (`W9uYdx1lQZ2RoEe3lsTpMA.filterdrecv-…-0`). Older, dotted
 * message ids (`14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0`) are cut before
 * `.filter…`/`.recvd…`; anything else before its first dot.
 *
 * @example
 * ```ts
 * sendGridMessageId('W9uYdx1lQZ2RoEe3lsTpMA.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0'); // 'W9uYdx1lQZ2RoEe3lsTpMA'
 * ```
 */
export function sendGridMessageId(sgMessageId: string): string {
  const server = /^(.+?)\.(?:filter|recvd)/.exec(sgMessageId);
  if (server?.[1] !== undefined) return server[1];
  const dot = sgMessageId.indexOf('.');
  return dot > 0 ? sgMessageId.slice(0, dot) : sgMessageId;
}

function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function toDeliveryEvent(raw: unknown, signedAt: Date): DeliveryEvent | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const event = raw as Record<string, unknown>;
  const type = typeof event.event === 'string' ? EVENT_TYPES[event.event] : undefined;
  if (type === undefined || type === null) return null;
  const seconds = typeof event.timestamp === 'number' ? event.timestamp : Number(event.timestamp);
  const detail: Record<string, string> = { event: event.event as string };
  for (const field of DETAIL_FIELDS) {
    const value = stringValue(event[field]);
    if (value !== undefined && value !== '') detail[field] = value;
  }
  const emailId = event[SENDGRID_PARLEY_ID_ARG];
  const sgMessageId = event.sg_message_id;
  const eventId =
    typeof event.sg_event_id === 'string' && event.sg_event_id !== ''
      ? event.sg_event_id
      : // SendGrid always sends one; should it not, the event's own content names it stably.
        `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`;
  return {
    provider: 'sendgrid',
    eventId,
    type,
    occurredAt: Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : signedAt,
    emailId: typeof emailId === 'string' && emailId !== '' ? emailId : null,
    providerMessageId:
      typeof sgMessageId === 'string' && sgMessageId !== '' ? sendGridMessageId(sgMessageId) : null,
    recipient: typeof event.email === 'string' ? event.email : null,
    detail,
  };
}

/**
 * Verifies SendGrid's Signed Event Webhook with the official `@sendgrid/eventwebhook` (ECDSA
 * P-256 / SHA-256 over `timestamp + rawBody`) and turns the event array into `DeliveryEvent`s.
 *
 * Rules: both signature headers present; the timestamp a whole number of seconds within
 * `maxAgeSeconds` of the clock (either way: a replay of an old, validly signed request is
 * refused); the signature valid for that timestamp and the exact body bytes. Any failure throws
 * `WEBHOOK_UNVERIFIED` and nothing is parsed. A verified body that is not a JSON array throws
 * `VALIDATION`.
 *
 * Mapping: `delivered` → delivered, `open` → opened, `click` → clicked, `bounce` (bounce or
 * blocked) and `dropped` → bounced, `deferred` → deferred, `spamreport` → complained;
 * `processed`, `unsubscribe`, `group_unsubscribe`, `group_resubscribe` and unknown events are
 * skipped. `eventId` = `sg_event_id`, `emailId` = the `parley_email_id` custom arg,
 * `providerMessageId` = `sg_message_id` cut to the `X-Message-Id` the send returned.
 *
 * @example
 * ```ts
 * const webhook = new SendGridEventWebhook({ publicKey: config.sendgridWebhookPublicKey });
 * const events = webhook.verify({ rawBody: request.rawBody, headers: request.headers });
 * await core.applyDeliveryEvents(events);
 * ```
 */
export class SendGridEventWebhook {
  readonly #publicKey: PublicKey;
  readonly #maxAgeSeconds: number;
  readonly #clock: Clock;
  readonly #verifier = new EventWebhook();

  constructor(config: SendGridEventWebhookConfig) {
    const maxAge = config.maxAgeSeconds ?? SENDGRID_WEBHOOK_DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isInteger(maxAge) || maxAge <= 0)
      throw new Error(`SendGridEventWebhook: maxAgeSeconds must be a positive integer, got ${maxAge}`);
    if (config.publicKey.trim() === '') throw new Error('SendGridEventWebhook: publicKey is empty');
    try {
      this.#publicKey = this.#verifier.convertPublicKeyToECDSA(config.publicKey.trim());
    } catch (cause) {
      throw new Error('SendGridEventWebhook: publicKey is not an EC public key (base64 DER or PEM)', {
        cause,
      });
    }
    this.#maxAgeSeconds = maxAge;
    this.#clock = config.clock ?? systemClock;
  }

  /**
   * Verifies the request and returns its delivery events (possibly none), in body order.
   *
   * @example
   * ```ts
   * webhook.verify({ rawBody, headers }); // [{ provider: 'sendgrid', type: 'delivered', … }]
   * ```
   */
  verify(request: SendGridWebhookRequest): DeliveryEvent[] {
    const signature = headerValue(request.headers, SENDGRID_SIGNATURE_HEADER);
    const timestamp = headerValue(request.headers, SENDGRID_TIMESTAMP_HEADER);
    if (signature === undefined || timestamp === undefined)
      throw unverified(`${SENDGRID_SIGNATURE_HEADER} and ${SENDGRID_TIMESTAMP_HEADER} are required`);
    if (!/^\d{1,12}$/.test(timestamp)) throw unverified('the timestamp is not a unix time in seconds');
    const age = Math.abs(this.#clock.now().getTime() / 1000 - Number(timestamp));
    if (age > this.#maxAgeSeconds)
      throw unverified(`the timestamp is more than ${this.#maxAgeSeconds} seconds away from now`);
    const body =
      typeof request.rawBody === 'string' ? request.rawBody : Buffer.from(request.rawBody).toString('utf8');
    let valid: boolean;
    try {
      valid = this.#verifier.verifySignature(this.#publicKey, body, signature, timestamp);
    } catch {
      valid = false; // a signature that is not base64 DER
    }
    if (!valid) throw unverified('the signature does not match');

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw MessagingError.validation('body', 'the SendGrid event webhook body is not JSON');
    }
    if (!Array.isArray(parsed))
      throw MessagingError.validation('body', 'the SendGrid event webhook body is not an array of events');
    const signedAt = new Date(Number(timestamp) * 1000);
    return parsed.flatMap((raw) => {
      const event = toDeliveryEvent(raw, signedAt);
      // An event naming neither our id nor a message id cannot be matched to any log.
      return event === null || (event.emailId === null && event.providerMessageId === null) ? [] : [event];
    });
  }
}
