import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock, DeliveryEvent, DeliveryEventType, WebhookReplayGuard } from '@parley/messaging-core';
import { MessagingError, systemClock } from '@parley/messaging-core';
import { MAILGUN_PARLEY_ID_VARIABLE } from './mailgun-mail-transport.js';

/** Mailgun's documented window: a signature whose timestamp is further from now is refused. */
export const MAILGUN_WEBHOOK_DEFAULT_MAX_AGE_SECONDS = 300;

/** A webhook request as it arrived: the exact body and the headers. */
export interface MailgunWebhookRequest {
  readonly rawBody: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export interface MailgunWebhookConfig {
  /** The HTTP webhook signing key from Mailgun's dashboard (not the API key). */
  readonly signingKey: string;
  /** Largest accepted distance between the signed timestamp and now, in seconds (default 300). */
  readonly maxAgeSeconds?: number;
  /**
   * Where verified tokens are claimed (provider `mailgun`) until the window's far edge. Share it
   * between every instance and across restarts (the database's `KyselyWebhookReplayGuard`), or a
   * replay reaching another instance — or this one after a restart — inside the window passes.
   */
  readonly replayGuard: WebhookReplayGuard;
  readonly clock?: Clock;
}

function unverified(reason: string): MessagingError {
  return new MessagingError('WEBHOOK_UNVERIFIED', `Mailgun webhook rejected: ${reason}`, {
    details: { provider: 'mailgun' },
  });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function eventType(data: Record<string, unknown>): DeliveryEventType | null {
  switch (data.event) {
    case 'delivered':
      return 'delivered';
    case 'opened':
      return 'opened';
    case 'clicked':
      return 'clicked';
    case 'complained':
      return 'complained';
    case 'failed':
      // Permanent: Mailgun gave up (bounce, suppression). Temporary: it is still retrying.
      return data.severity === 'temporary' ? 'deferred' : 'bounced';
    default:
      // accepted, rejected, unsubscribed, stored, list_member_uploaded…: not delivery events.
      return null;
  }
}

function toDeliveryEvent(data: Record<string, unknown>, signedAt: Date): DeliveryEvent | null {
  const type = eventType(data);
  const eventId = text(data.id);
  if (type === null || eventId === undefined || eventId === '') return null;
  const seconds = typeof data.timestamp === 'number' ? data.timestamp : Number(data.timestamp);
  const variables = record(data['user-variables']);
  const emailId = text(variables?.[MAILGUN_PARLEY_ID_VARIABLE]);
  const messageId = text(record(record(data.message)?.headers)?.['message-id'])
    ?.trim()
    .replace(/^<(.*)>$/, '$1');
  const status = record(data['delivery-status']);
  const detail: Record<string, string> = { event: String(data.event) };
  const add = (key: string, value: unknown) => {
    const v = text(value);
    if (v !== undefined && v !== '') detail[key] = v;
  };
  add('severity', data.severity);
  add('reason', data.reason);
  add('url', data.url);
  add('ip', data.ip);
  add('code', status?.code);
  add('message', status?.message);
  add('description', status?.description);
  add('user_agent', record(data['client-info'])?.['user-agent']);
  return {
    provider: 'mailgun',
    eventId,
    type,
    occurredAt: Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : signedAt,
    emailId: emailId === undefined || emailId === '' ? null : emailId,
    providerMessageId: messageId === undefined || messageId === '' ? null : messageId,
    recipient: text(data.recipient) ?? null,
    detail,
  };
}

/**
 * Verifies a Mailgun webhook (the JSON format: `{ signature: { timestamp, token, signature },
 * "event-data": {…} }`) and turns it into at most one `DeliveryEvent`.
 *
 * Rules: `signature` is the hex HMAC-SHA256 of `timestamp + token` under the webhook signing key,
 * compared in constant time; `timestamp` (unix seconds) within `maxAgeSeconds` of the clock,
 * either way; `token` never seen before inside that window (remembered only once the signature
 * verified). Any failure throws `WEBHOOK_UNVERIFIED`. Note that Mailgun signs the token, not the
 * body: the event data is trusted because the signature block came with it over TLS.
 *
 * Mapping: `delivered`, `opened`, `clicked`, `complained` → the same; `failed` with severity
 * `permanent` → bounced, `temporary` → deferred; other events are skipped. `eventId` =
 * `event-data.id`, `emailId` = the `parley-email-id` user variable, `providerMessageId` =
 * `message.headers.message-id` without angle brackets (as the transport stores it).
 *
 * @example
 * ```ts
 * const webhook = new MailgunWebhook({ signingKey, replayGuard: new KyselyWebhookReplayGuard({ db }) });
 * await core.applyDeliveryEvents(await webhook.verify({ rawBody: request.rawBody }));
 * ```
 */
export class MailgunWebhook {
  readonly #signingKey: string;
  readonly #maxAgeSeconds: number;
  readonly #replayGuard: WebhookReplayGuard;
  readonly #clock: Clock;

  constructor(config: MailgunWebhookConfig) {
    if (config.signingKey.trim() === '') throw new Error('MailgunWebhook: signingKey is empty');
    const maxAge = config.maxAgeSeconds ?? MAILGUN_WEBHOOK_DEFAULT_MAX_AGE_SECONDS;
    if (!Number.isInteger(maxAge) || maxAge <= 0)
      throw new Error(`MailgunWebhook: maxAgeSeconds must be a positive integer, got ${maxAge}`);
    this.#signingKey = config.signingKey.trim();
    this.#maxAgeSeconds = maxAge;
    this.#clock = config.clock ?? systemClock;
    this.#replayGuard = config.replayGuard;
  }

  /**
   * Verifies the request and returns its delivery event (none for events the log does not track).
   *
   * @example
   * ```ts
   * await webhook.verify({ rawBody }); // [{ provider: 'mailgun', type: 'bounced', detail: { severity: 'permanent', … } }]
   * ```
   */
  async verify(request: MailgunWebhookRequest): Promise<DeliveryEvent[]> {
    const body =
      typeof request.rawBody === 'string' ? request.rawBody : Buffer.from(request.rawBody).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw unverified('the body is not JSON with a signature block');
    }
    const signatureBlock = record(record(parsed)?.signature);
    const timestamp = text(signatureBlock?.timestamp);
    const token = signatureBlock?.token;
    const signature = signatureBlock?.signature;
    if (timestamp === undefined || typeof token !== 'string' || token === '' || typeof signature !== 'string')
      throw unverified('signature.timestamp, signature.token and signature.signature are required');
    if (!/^\d{1,12}$/.test(timestamp)) throw unverified('the timestamp is not a unix time in seconds');
    const now = this.#clock.now().getTime();
    if (Math.abs(now / 1000 - Number(timestamp)) > this.#maxAgeSeconds)
      throw unverified(`the timestamp is more than ${this.#maxAgeSeconds} seconds away from now`);

    const expected = createHmac('sha256', this.#signingKey)
      .update(timestamp + token)
      .digest();
    const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw unverified('the signature does not match');
    // Kept past the window's far edge, so a token cannot come back while its timestamp still passes.
    const expiresAt = new Date((Number(timestamp) + this.#maxAgeSeconds) * 1000 + 1000);
    const claimed = await this.#replayGuard.claim({
      provider: 'mailgun',
      token,
      expiresAt,
      now: new Date(now),
    });
    if (!claimed) throw unverified('the token was already used (a replay)');

    const data = record(record(parsed)?.['event-data']);
    if (data === undefined)
      throw MessagingError.validation('event-data', 'the Mailgun webhook has no event-data object');
    const event = toDeliveryEvent(data, new Date(Number(timestamp) * 1000));
    // An event naming neither our id nor a message id cannot be matched to any log.
    return event === null || (event.emailId === null && event.providerMessageId === null) ? [] : [event];
  }
}
