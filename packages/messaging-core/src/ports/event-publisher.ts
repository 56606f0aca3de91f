import type { DomainEvent } from '../model/domain-event.js';

/**
 * Where the core announces what happened, after the change has committed. Email notifications,
 * realtime streams and webhooks subscribe downstream.
 *
 * @example
 * ```ts
 * const publisher: EventPublisher = { publish: async (events) => { for (const e of events) bus.emit(e.type, e); } };
 * ```
 */
export interface EventPublisher {
  /** Events of one use case call, in order. Must not throw for a subscriber's failure. */
  publish(events: readonly DomainEvent[]): Promise<void>;
}

/** Drops every event. */
export const noopEventPublisher: EventPublisher = { publish: async () => {} };
