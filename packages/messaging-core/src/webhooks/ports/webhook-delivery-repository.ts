import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus } from '../model/webhook-delivery.js';

/** A delivery to add; the repository gives it its `seq`. */
export type NewWebhookDelivery = Omit<WebhookDelivery, 'seq'>;

/** A claimed delivery: the lease token fences what its holder writes afterwards. */
export interface ClaimedWebhookDelivery {
  readonly delivery: WebhookDelivery;
  readonly leaseToken: string;
}

/** What an attempt changed on its delivery (besides logging the attempt). */
export type WebhookAttemptOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly nextAttemptAt: Date }
  | { readonly kind: 'failed' };

/** Newest first by `seq`. */
export interface WebhookDeliveryQuery {
  readonly status?: WebhookDeliveryStatus;
  /** Only deliveries with a `seq` below this. */
  readonly beforeSeq?: number;
  readonly limit: number;
}

/**
 * The outbox of webhook deliveries, shared by every process: the event subscriber enqueues, the
 * delivery workers claim (leased), attempt and record. Every method is one statement or one
 * transaction of its own unless called through a store's `transaction`.
 */
export interface WebhookDeliveryRepository {
  /**
   * Adds deliveries, skipping any whose `(endpointId, eventId)` already exists (a redelivered
   * event batch enqueues nothing twice). Returns how many were added.
   */
  enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<number>;
  /**
   * Leases up to `limit` due deliveries for `leaseMs`: pending, `nextAttemptAt` ≤ `now`, not
   * leased (or the lease ran out), of an enabled endpoint, and the oldest pending of their
   * endpoint and ordering key (so a key's deliveries go out one at a time, in order). Oldest
   * first. Two claimers never get the same delivery while its lease runs.
   */
  claimDue(now: Date, limit: number, leaseMs: number, leaseToken: string): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Leases one delivery by id for `leaseMs` whatever its due time (a ping attempted at once),
   * when it is pending and not leased; null otherwise.
   */
  claimOne(
    deliveryId: string,
    now: Date,
    leaseMs: number,
    leaseToken: string,
  ): Promise<ClaimedWebhookDelivery | null>;
  /**
   * Logs `attempt` and applies `outcome` (status, counts, next attempt, last status and error),
   * ending the lease — only if `leaseToken` still holds it; returns false (and writes nothing)
   * when another claimer took the delivery over.
   */
  recordAttempt(
    deliveryId: string,
    leaseToken: string,
    attempt: WebhookAttempt,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean>;
  /**
   * Puts a delivery of `endpointId` back to pending, due at `now`, with a new retry window ending
   * at `giveUpAt` and no lease; returns it, or null when there is none.
   */
  requeue(endpointId: string, deliveryId: string, now: Date, giveUpAt: Date): Promise<WebhookDelivery | null>;
  /** A delivery of `endpointId`, or null. */
  find(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null>;
  /** The endpoint's deliveries, newest first (keyset on `seq`). */
  list(endpointId: string, query: WebhookDeliveryQuery): Promise<WebhookDelivery[]>;
  /** A delivery's attempts, oldest first. */
  attempts(deliveryId: string): Promise<WebhookAttempt[]>;
}
