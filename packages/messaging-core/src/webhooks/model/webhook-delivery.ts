/**
 * - `pending`: waiting for its (next) attempt;
 * - `delivered`: the endpoint answered 2xx;
 * - `failed`: it kept failing for the whole retry window (the endpoint was disabled then), or its
 *   endpoint refused it for good (the URL no longer passes the outbound guard).
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The event type of a `…/test` delivery (never in the event log). */
export const WEBHOOK_PING_TYPE = 'webhook.ping';

/**
 * One event to deliver to one endpoint. Deliveries of one endpoint and ordering key (the
 * conversation) go out one at a time in `seq` order: the next waits until the one before it is
 * delivered or failed.
 */
export interface WebhookDelivery {
  readonly id: string;
  readonly endpointId: string;
  /** The event log id, null for a ping. */
  readonly eventId: string | null;
  /** `webhook-id`: the event id (a ping: `ping_<delivery id>`). The same for every attempt and redelivery. */
  readonly messageId: string;
  readonly eventType: string;
  /** The conversation (or, for events without one, the actor) whose deliveries keep their order. */
  readonly orderingKey: string;
  /** The exact JSON body sent on every attempt. */
  readonly body: string;
  readonly status: WebhookDeliveryStatus;
  readonly attemptCount: number;
  /** When it is due next (pending only). */
  readonly nextAttemptAt: Date;
  /** Past this, a failed attempt fails the delivery and disables its endpoint. */
  readonly giveUpAt: Date;
  readonly lastAttemptAt: Date | null;
  /** The last attempt's HTTP status, null when none answered. */
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly createdAt: Date;
  /** Insertion order (the event log's order for events); the keyset of delivery pages. */
  readonly seq: number;
}

/** One HTTP attempt of a delivery, as logged. */
export interface WebhookAttempt {
  readonly id: string;
  readonly deliveryId: string;
  readonly attemptedAt: Date;
  /** The HTTP status, null when no response came (refused address, connection error, timeout). */
  readonly statusCode: number | null;
  readonly durationMs: number;
  /** Why it failed when no status says it (refusal, network error, timeout). */
  readonly error: string | null;
  /** The response body's start, at most `RESPONSE_SNIPPET_MAX` characters. */
  readonly responseSnippet: string | null;
}

/** The longest response snippet kept per attempt. */
export const RESPONSE_SNIPPET_MAX = 1024;

/** How long a delivery is retried before it fails and its endpoint is disabled. */
export const WEBHOOK_RETRY_WINDOW_MS = 24 * 3_600_000;

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 3_600_000;

/**
 * The wait after the `attempt`-th failed attempt (1-based): 5 s doubling each time, capped at an
 * hour — about 12 attempts in the first three hours, then one an hour until the window ends.
 * Deterministic, so tests can step a fake clock through it; deliveries of many endpoints do not
 * line up anyway (each starts when its event does).
 *
 * @example
 * ```ts
 * webhookRetryDelayMs(1); // 5_000
 * webhookRetryDelayMs(4); // 40_000
 * webhookRetryDelayMs(20); // 3_600_000
 * ```
 */
export function webhookRetryDelayMs(attempt: number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** exponent);
}

/** Cuts text to `max` characters (an ellipsis marks the cut). */
export function snippet(text: string, max = RESPONSE_SNIPPET_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
