import { MessagingError } from '../../kernel/errors.js';
import type { Clock } from '../../kernel/ports/clock.js';
import { DELIVERY_EVENT_TYPES, type DeliveryEvent } from '../model/delivery-event.js';
import { reduceDeliveryEvent } from '../model/delivery-event-reducer.js';
import type { EmailLogRepository } from '../ports/email-log-repository.js';

/** What became of one tracking event. */
export type DeliveryEventOutcome = 'applied' | 'duplicate' | 'unmatched';

export interface DeliveryEventResult {
  readonly provider: string;
  readonly eventId: string;
  readonly outcome: DeliveryEventOutcome;
  /** The log it was matched to (`applied`, `duplicate`), else null. */
  readonly emailLogId: string | null;
}

function checked(event: DeliveryEvent, index: number): DeliveryEvent {
  const field = (name: string) => `events[${index}].${name}`;
  if (typeof event.provider !== 'string' || event.provider.trim() === '')
    throw MessagingError.validation(field('provider'), 'provider is required');
  if (typeof event.eventId !== 'string' || event.eventId.trim() === '' || event.eventId.length > 512)
    throw MessagingError.validation(field('event_id'), 'event_id is required (at most 512 characters)');
  if (!DELIVERY_EVENT_TYPES.includes(event.type))
    throw MessagingError.validation(field('type'), `type must be one of ${DELIVERY_EVENT_TYPES.join(', ')}`);
  if (!(event.occurredAt instanceof Date) || Number.isNaN(event.occurredAt.getTime()))
    throw MessagingError.validation(field('occurred_at'), 'occurred_at must be a valid date');
  // Mailgun reports its message id with or without the angle brackets of the header.
  const providerMessageId = event.providerMessageId?.trim().replace(/^<(.*)>$/, '$1') || null;
  const emailId = event.emailId?.trim() || null;
  if (emailId === null && providerMessageId === null)
    throw MessagingError.validation(field('email_id'), 'an event needs email_id or provider_message_id');
  return { ...event, emailId, providerMessageId };
}

/**
 * Applies verified provider tracking events to the email log, in the order given, each
 * atomically: matched by `emailId` (our id) else by `(provider, providerMessageId)`; applied
 * idempotently (an event id already processed → `duplicate`, nothing changes) and monotonically
 * (see `reduceDeliveryEvent`). An event matching no log is `unmatched` and not recorded, so a
 * provider retry after the log exists still applies. Events are validated first: a malformed one
 * fails the whole batch with `VALIDATION` before anything is written.
 *
 * @example
 * ```ts
 * const results = await email.applyDeliveryEvents([
 *   { provider: 'sendgrid', eventId: 'sg-1', type: 'delivered', occurredAt, emailId: logId, providerMessageId: null, recipient: 'ana@example.com', detail: {} },
 * ]);
 * results[0].outcome; // "applied"
 * ```
 */
export async function applyDeliveryEvents(
  deps: { readonly emailLogs: EmailLogRepository; readonly clock: Clock },
  events: readonly DeliveryEvent[],
): Promise<DeliveryEventResult[]> {
  const valid = events.map(checked);
  const results: DeliveryEventResult[] = [];
  for (const event of valid) {
    const at = deps.clock.now();
    const result = await deps.emailLogs.applyEvent(event, (log, e) => reduceDeliveryEvent(log, e, at), at);
    results.push({
      provider: event.provider,
      eventId: event.eventId,
      outcome: result.outcome,
      emailLogId:
        result.outcome === 'applied'
          ? result.log.id
          : result.outcome === 'duplicate'
            ? result.emailLogId
            : null,
    });
  }
  return results;
}
