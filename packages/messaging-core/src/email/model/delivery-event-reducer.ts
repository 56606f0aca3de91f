import type { DeliveryEvent, DeliveryEventType } from './delivery-event.js';
import type { EmailLog, EmailStatus } from './email-log.js';

// How far along an email is. Tracking events only ever move the status up this scale, so the
// order events arrive in does not matter; `bounced` sits on top: recorded whatever came before,
// and nothing moves a bounced email back.
const STATUS_RANK: Readonly<Record<EmailStatus, number>> = {
  pending: 0,
  failed: 1,
  sent: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
  bounced: 5,
};

const EVENT_STATUS: Readonly<Partial<Record<DeliveryEventType, EmailStatus>>> = {
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  bounced: 'bounced',
};

const EVENT_TIMESTAMP = {
  delivered: 'deliveredAt',
  opened: 'openedAt',
  clicked: 'clickedAt',
  bounced: 'bouncedAt',
  complained: 'complainedAt',
} as const satisfies Partial<Record<DeliveryEventType, keyof EmailLog>>;

/** Where `extraData` keeps the first event of each type: `{ delivery_events: { bounced: {…} } }`. */
export const DELIVERY_EVENTS_KEY = 'delivery_events';

interface RecordedEvent {
  readonly event_id: string;
  readonly occurred_at: string;
  readonly [detail: string]: string;
}

// Provider detail (bounce reasons, URLs, user agents) is kept, within bounds.
const DETAIL_MAX_KEYS = 20;
const DETAIL_MAX_LENGTH = 1000;

function boundedDetail(detail: Readonly<Record<string, string>>): Record<string, string> {
  const bounded: Record<string, string> = {};
  for (const [key, value] of Object.entries(detail).slice(0, DETAIL_MAX_KEYS)) {
    if (key === 'event_id' || key === 'occurred_at') continue;
    bounded[key.slice(0, 100)] = String(value).slice(0, DETAIL_MAX_LENGTH);
  }
  return bounded;
}

function earliest(current: Date | null, candidate: Date): Date {
  return current === null || candidate.getTime() < current.getTime() ? candidate : current;
}

function isEarlier(event: DeliveryEvent, recorded: RecordedEvent | undefined): boolean {
  if (recorded === undefined) return true;
  const at = event.occurredAt.toISOString();
  return at < recorded.occurred_at || (at === recorded.occurred_at && event.eventId < recorded.event_id);
}

/**
 * The pure rule for one tracking event. It is monotonic and order-independent: applying any
 * permutation of a set of distinct events gives the same log.
 * - the status only moves up `pending < sent|failed < delivered < opened < clicked < bounced`
 *   (a late `delivered` never overwrites `opened`; a bounce is recorded whatever came before);
 * - `complained` sets `complainedAt` and leaves the status; `deferred` only records its detail;
 * - each timestamp holds the earliest occurrence of its event type (set once, never moved later);
 * - `extraData.delivery_events.<type>` keeps the earliest event of each type with its detail
 *   (bounce reason, clicked URL…);
 * - an event naming another provider than the one that sent the log does not apply (null).
 *
 * @example
 * ```ts
 * reduceDeliveryEvent(openedLog, deliveredEvent, now).status; // "opened"
 * ```
 */
export function reduceDeliveryEvent(log: EmailLog, event: DeliveryEvent, at: Date): EmailLog | null {
  if (log.provider !== null && log.provider !== event.provider) return null;
  const next: { -readonly [K in keyof EmailLog]: EmailLog[K] } = { ...log, updatedAt: at };
  const status = EVENT_STATUS[event.type];
  if (status !== undefined && STATUS_RANK[status] > STATUS_RANK[log.status]) next.status = status;
  if (event.type !== 'deferred') {
    const field = EVENT_TIMESTAMP[event.type];
    next[field] = earliest(log[field], event.occurredAt);
  }
  const recorded = { ...((log.extraData[DELIVERY_EVENTS_KEY] ?? {}) as Record<string, RecordedEvent>) };
  if (isEarlier(event, recorded[event.type])) {
    recorded[event.type] = {
      ...boundedDetail(event.detail),
      event_id: event.eventId,
      occurred_at: event.occurredAt.toISOString(),
    };
  }
  next.extraData = { ...log.extraData, [DELIVERY_EVENTS_KEY]: recorded };
  return next;
}
