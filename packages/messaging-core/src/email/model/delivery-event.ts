/** What a provider's tracking webhook reports, normalized across providers. */
export const DELIVERY_EVENT_TYPES = [
  'delivered',
  'opened',
  'clicked',
  /** Hard bounce or a drop the provider will not retry. */
  'bounced',
  /** The recipient marked it as spam. */
  'complained',
  /** A temporary failure the provider is still retrying (recorded, status unchanged). */
  'deferred',
] as const;
export type DeliveryEventType = (typeof DELIVERY_EVENT_TYPES)[number];

/**
 * One verified tracking event. Matched to the email log by `emailId` (our id, carried through
 * the provider as custom args / user variables / tags) or else by `providerMessageId`.
 */
export interface DeliveryEvent {
  readonly provider: 'sendgrid' | 'mailgun' | 'ses' | (string & {});
  /** The provider's own id for this event (SendGrid `sg_event_id`, Mailgun `event-data.id`, SNS `MessageId`). */
  readonly eventId: string;
  readonly type: DeliveryEventType;
  readonly occurredAt: Date;
  readonly emailId: string | null;
  readonly providerMessageId: string | null;
  readonly recipient: string | null;
  /** Bounce reason, clicked URL, user agent…: kept in the log's extra data. */
  readonly detail: Readonly<Record<string, string>>;
}
