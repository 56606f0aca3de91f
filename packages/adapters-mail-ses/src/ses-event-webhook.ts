import type { DeliveryEvent, DeliveryEventType } from '@parley/messaging-core';
import { MessagingError } from '@parley/messaging-core';
import { SES_EMAIL_ID_HEADER, SES_EMAIL_ID_TAG } from './ses-message.js';
import {
  type SnsMessage,
  type SnsMessageType,
  SnsMessageVerifier,
  type SnsMessageVerifierConfig,
} from './sns-message-verifier.js';

/** A webhook request as it arrived: the exact body (SNS posts it as `text/plain`) and the headers. */
export interface SesWebhookRequest {
  readonly rawBody: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** What a verified SNS delivery did. */
export interface SesWebhookResult {
  readonly type: SnsMessageType;
  readonly topicArn: string;
  /** The delivery events in a `Notification` (none for a confirmation, or an event the log does not track). */
  readonly events: DeliveryEvent[];
  /** True when a `SubscriptionConfirmation` was confirmed by fetching its `SubscribeURL`. */
  readonly subscriptionConfirmed: boolean;
}

export type SesEventWebhookConfig = SnsMessageVerifierConfig;

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function firstRecipient(list: unknown): string | undefined {
  return Array.isArray(list) ? text(record(list[0])?.emailAddress) : undefined;
}

/** Our id from `mail.tags.parley_email_id`, else from the `X-Parley-Email-Id` header when SES included headers. */
function emailIdOf(mail: Json | undefined): string | null {
  const tag = record(mail?.tags)?.[SES_EMAIL_ID_TAG];
  const fromTag = Array.isArray(tag) ? text(tag[0]) : text(tag);
  if (fromTag !== undefined && fromTag !== '') return fromTag;
  const wanted = SES_EMAIL_ID_HEADER.toLowerCase();
  const headers = Array.isArray(mail?.headers) ? mail.headers : [];
  for (const header of headers) {
    const h = record(header);
    if (text(h?.name)?.toLowerCase() === wanted) {
      const value = text(h?.value);
      if (value !== undefined && value !== '') return value;
    }
  }
  return null;
}

/**
 * One SES event (event publishing `eventType`, or identity notification `notificationType`) as a
 * `DeliveryEvent`; `null` for kinds the log does not track (Send, Reject, Rendering Failure,
 * Subscription) or an unparseable message. `eventId` is the SNS `MessageId`.
 *
 * Mapping: Delivery → delivered, Open → opened, Click → clicked, Bounce Permanent or
 * Undetermined → bounced, Bounce Transient → deferred, Complaint → complained, DeliveryDelay →
 * deferred.
 *
 * @example
 * ```ts
 * parseSesEvent(sns.Message, { messageId: sns.MessageId, timestamp: sns.Timestamp });
 * ```
 */
export function parseSesEvent(
  message: string,
  sns: { readonly messageId: string; readonly timestamp: string },
): DeliveryEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  const event = record(parsed);
  if (event === undefined) return null;
  const kind = text(event.eventType) ?? text(event.notificationType);
  const mail = record(event.mail);
  let type: DeliveryEventType;
  let body: Json | undefined;
  let recipient: string | undefined;
  const detail: Record<string, string> = { event: kind ?? '' };
  const add = (key: string, value: unknown) => {
    const v = text(value);
    if (v !== undefined && v !== '') detail[key] = v;
  };
  switch (kind) {
    case 'Delivery':
      type = 'delivered';
      body = record(event.delivery);
      recipient = Array.isArray(body?.recipients) ? text(body.recipients[0]) : undefined;
      add('smtp_response', body?.smtpResponse);
      add('reporting_mta', body?.reportingMTA);
      break;
    case 'Open':
      type = 'opened';
      body = record(event.open);
      add('ip', body?.ipAddress);
      add('user_agent', body?.userAgent);
      break;
    case 'Click':
      type = 'clicked';
      body = record(event.click);
      add('url', body?.link);
      add('ip', body?.ipAddress);
      add('user_agent', body?.userAgent);
      break;
    case 'Bounce': {
      body = record(event.bounce);
      type = body?.bounceType === 'Transient' ? 'deferred' : 'bounced';
      recipient = firstRecipient(body?.bouncedRecipients);
      const first = record(Array.isArray(body?.bouncedRecipients) ? body.bouncedRecipients[0] : undefined);
      add('bounce_type', body?.bounceType);
      add('bounce_subtype', body?.bounceSubType);
      add('status', first?.status);
      add('diagnostic_code', first?.diagnosticCode);
      break;
    }
    case 'Complaint':
      type = 'complained';
      body = record(event.complaint);
      recipient = firstRecipient(body?.complainedRecipients);
      add('feedback_type', body?.complaintFeedbackType);
      add('user_agent', body?.userAgent);
      break;
    case 'DeliveryDelay': {
      type = 'deferred';
      body = record(event.deliveryDelay);
      recipient = firstRecipient(body?.delayedRecipients);
      const first = record(Array.isArray(body?.delayedRecipients) ? body.delayedRecipients[0] : undefined);
      add('delay_type', body?.delayType);
      add('status', first?.status);
      add('diagnostic_code', first?.diagnosticCode);
      break;
    }
    default:
      return null;
  }
  const at = Date.parse(text(body?.timestamp) ?? '');
  const fallback = Date.parse(sns.timestamp);
  const destination = Array.isArray(mail?.destination) ? text(mail.destination[0]) : undefined;
  const messageId = text(mail?.messageId);
  return {
    provider: 'ses',
    eventId: sns.messageId,
    type,
    occurredAt: new Date(Number.isNaN(at) ? fallback : at),
    emailId: emailIdOf(mail),
    providerMessageId: messageId === undefined || messageId === '' ? null : messageId,
    recipient: recipient ?? destination ?? null,
    detail,
  };
}

/**
 * Amazon SES events delivered through SNS: verifies the SNS message (`SnsMessageVerifier`: topic
 * allow-list, certificate host, SignatureVersion 1 or 2), confirms a `SubscriptionConfirmation`
 * for an allowed topic by fetching its `SubscribeURL`, acknowledges an `UnsubscribeConfirmation`,
 * and turns a `Notification`'s SES event into a `DeliveryEvent` (see `parseSesEvent`).
 *
 * @example
 * ```ts
 * const webhook = new SesEventWebhook({ topicArns: config.sesSnsTopicArns });
 * const { events } = await webhook.handle({ rawBody: request.rawBody, headers: request.headers });
 * await core.applyDeliveryEvents(events);
 * ```
 */
export class SesEventWebhook {
  readonly #verifier: SnsMessageVerifier;

  constructor(config: SesEventWebhookConfig) {
    this.#verifier = new SnsMessageVerifier(config);
  }

  /**
   * Verifies and handles one SNS delivery. Throws `WEBHOOK_UNVERIFIED` when it does not verify,
   * `VALIDATION` for a verified notification whose message is not an SES event.
   */
  async handle(request: SesWebhookRequest): Promise<SesWebhookResult> {
    const message: SnsMessage = await this.#verifier.verify(request.rawBody, request.headers);
    const result = { type: message.Type, topicArn: message.TopicArn };
    if (message.Type === 'SubscriptionConfirmation') {
      await this.#verifier.confirmSubscription(message);
      return { ...result, events: [], subscriptionConfirmed: true };
    }
    if (message.Type === 'UnsubscribeConfirmation')
      return { ...result, events: [], subscriptionConfirmed: false };
    const parsed = record(safeJson(message.Message));
    if (parsed === undefined || (parsed.eventType === undefined && parsed.notificationType === undefined))
      throw MessagingError.validation('Message', 'the SNS notification does not carry an SES event');
    const event = parseSesEvent(message.Message, {
      messageId: message.MessageId,
      timestamp: message.Timestamp,
    });
    // An event naming neither our id nor a message id cannot be matched to any log.
    const matchable = event !== null && (event.emailId !== null || event.providerMessageId !== null);
    return { ...result, events: matchable ? [event] : [], subscriptionConfirmed: false };
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
