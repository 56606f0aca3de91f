import type { DeliveryEvent } from '../model/delivery-event.js';
import type { EmailLog, EmailStatus } from '../model/email-log.js';

/** How one send attempt ended, as `EmailLogRepository.recordSendOutcome` writes it. */
export type EmailSendOutcome =
  | {
      readonly status: 'sent';
      readonly provider: string;
      readonly providerMessageId: string;
      readonly sentAt: Date;
      readonly updatedAt: Date;
    }
  | {
      readonly status: 'failed';
      readonly provider: string;
      readonly errorMessage: string;
      /** Failed attempts so far, this one included. */
      readonly retryCount: number;
      readonly updatedAt: Date;
    };

/** Position after the last log of a page: logs are listed newest first by (createdAt, id). */
export interface EmailLogCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Filters of `EmailLogRepository.list`; every given filter must hold. */
export interface EmailLogQuery {
  readonly status?: EmailStatus;
  readonly storeId?: string;
  /** Exact address, compared case-insensitively. */
  readonly recipient?: string;
  /** `createdAt >= from`. */
  readonly from?: Date;
  /** `createdAt < to`. */
  readonly to?: Date;
  readonly after?: EmailLogCursor;
  readonly limit: number;
}

/**
 * What `applyEvent` does with a matched log: returns the log as the event leaves it, or null when
 * the event may not apply to it (e.g. it names another provider), which counts as unmatched.
 */
export type DeliveryEventReducer = (log: EmailLog, event: DeliveryEvent) => EmailLog | null;

export type ApplyEventResult =
  | { readonly outcome: 'applied'; readonly log: EmailLog }
  | { readonly outcome: 'duplicate'; readonly emailLogId: string }
  | { readonly outcome: 'unmatched' };

/**
 * The email log: one row per email Parley tried to send, updated by the send outcome and then by
 * the provider's tracking events.
 *
 * @example
 * ```ts
 * await logs.create(log);
 * await logs.recordSendOutcome(log.id, { status: 'sent', provider: 'sendgrid', providerMessageId: 'x1', sentAt: now, updatedAt: now });
 * const result = await logs.applyEvent(event, reduceDeliveryEvent, now);
 * ```
 */
export interface EmailLogRepository {
  /** Inserts a new log (its id is fresh). */
  create(log: EmailLog): Promise<void>;

  /**
   * Records how a send attempt ended and returns the updated log; `NOT_FOUND` for an unknown id.
   *
   * @example
   * ```ts
   * await logs.recordSendOutcome(id, { status: 'failed', provider: 'smtp', errorMessage: '535 auth', retryCount: 1, updatedAt: now });
   * ```
   */
  recordSendOutcome(id: string, outcome: EmailSendOutcome): Promise<EmailLog>;

  /** @example `await logs.findById('0190…')` */
  findById(id: string): Promise<EmailLog | null>;

  /**
   * The log a provider's message id belongs to.
   *
   * @example `await logs.findByProviderMessageId('mailgun', '2025….1@mg.acme.com')`
   */
  findByProviderMessageId(provider: string, providerMessageId: string): Promise<EmailLog | null>;

  /**
   * Logs matching every filter, newest first (createdAt desc, id desc), at most `limit`, after
   * the cursor when given.
   *
   * @example
   * ```ts
   * await logs.list({ storeId: 'acme', status: 'failed', limit: 50 });
   * ```
   */
  list(query: EmailLogQuery): Promise<EmailLog[]>;

  /**
   * Applies one tracking event atomically: finds the log by `event.emailId`, else by
   * `(event.provider, event.providerMessageId)`; if none (or `reduce` returns null) →
   * `unmatched` and nothing is recorded. If `(event.provider, event.eventId)` was already
   * processed → `duplicate` and nothing changes. Otherwise records the event id (processed at
   * `at`), writes `reduce(log, event)` and returns it. Two concurrent calls for the
   * same log never lose an update; the same event twice applies once.
   *
   * @example
   * ```ts
   * const result = await logs.applyEvent(event, reduceDeliveryEvent, clock.now());
   * if (result.outcome === 'applied') console.log(result.log.status);
   * ```
   */
  applyEvent(event: DeliveryEvent, reduce: DeliveryEventReducer, at: Date): Promise<ApplyEventResult>;
}
