import type { LoggedEvent } from '../../conversations/model/domain-event.js';
import type { EventStore } from '../../kernel/events/event-dispatcher.js';
import type { EventLogOf } from '../../kernel/ports/event-log.js';
import type { WebhookDeliveryRepository } from './webhook-delivery-repository.js';
import type { WebhookEndpointRepository } from './webhook-endpoint-repository.js';

/** What one transaction of a `WebhookStore` carries: the event log (read side) and the webhook tables. */
export interface WebhookRepositories {
  readonly events: EventLogOf<never, LoggedEvent>;
  readonly webhookEndpoints: WebhookEndpointRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
}

/**
 * The unit of work of the webhook subscriber: the event log and the webhook tables in one
 * database, so the deliveries an event batch enqueues commit with the subscriber's cursor
 * (at-least-once, nothing enqueued twice). Outside `transaction`, each repository call is atomic
 * on its own.
 */
export interface WebhookStore extends EventStore<LoggedEvent, WebhookRepositories>, WebhookRepositories {}
