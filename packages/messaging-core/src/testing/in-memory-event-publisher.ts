import type { DomainEvent, DomainEventType } from '../model/domain-event.js';
import type { EventPublisher } from '../ports/event-publisher.js';

/**
 * Records published events, in order.
 *
 * @example
 * ```ts
 * const events = new InMemoryEventPublisher();
 * await core.sendMessage(actor, input);
 * events.ofType('message.sent').length; // 1
 * ```
 */
export class InMemoryEventPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }

  ofType<T extends DomainEventType>(type: T): Extract<DomainEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<DomainEvent, { type: T }> => e.type === type);
  }

  clear(): void {
    this.events.length = 0;
  }
}
