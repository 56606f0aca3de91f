import type { LoggedEvent } from '../../conversations/model/domain-event.js';
import type { EventSubscriberOf } from '../../kernel/events/event-dispatcher.js';
import type { Clock } from '../../kernel/ports/clock.js';
import type { IdGenerator } from '../../kernel/ports/id-generator.js';
import { WEBHOOK_RETRY_WINDOW_MS } from '../model/webhook-delivery.js';
import { endpointReceives } from '../model/webhook-endpoint.js';
import { eventWebhookBody, orderingKeyOf } from '../model/webhook-payload.js';
import type { NewWebhookDelivery } from '../ports/webhook-delivery-repository.js';
import type { WebhookRepositories } from '../ports/webhook-store.js';

/** The subscriber's cursor name: stable forever. */
export const WEBHOOK_SUBSCRIBER = 'webhooks';

/**
 * The event log's webhook subscriber: for each event, one delivery per enabled endpoint that
 * receives its type and tenant, enqueued through the dispatcher's transaction (so they commit with
 * the cursor, and a redelivered batch enqueues nothing twice: deliveries are unique per endpoint
 * and event). Deliveries keep the log's order; the delivery workers send them.
 *
 * @example
 * ```ts
 * createEventDispatcher({ store: webhookStore, subscribers: [webhookEventSubscriber({ clock, ids })] });
 * ```
 */
export function webhookEventSubscriber(deps: {
  readonly clock: Clock;
  readonly ids: IdGenerator;
}): EventSubscriberOf<LoggedEvent, WebhookRepositories> {
  return {
    name: WEBHOOK_SUBSCRIBER,
    async handle(events, tx) {
      const tenants = [...new Set(events.map((event) => event.tenantId))];
      const endpoints = await tx.webhookEndpoints.listEnabledFor(tenants);
      if (endpoints.length === 0) return;
      const now = deps.clock.now();
      const giveUpAt = new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS);
      const deliveries: NewWebhookDelivery[] = [];
      for (const event of events) {
        const receivers = endpoints.filter((endpoint) =>
          endpointReceives(endpoint, event.type, event.tenantId),
        );
        if (receivers.length === 0) continue;
        const body = eventWebhookBody(event);
        for (const endpoint of receivers) {
          deliveries.push({
            id: deps.ids.next(),
            endpointId: endpoint.id,
            eventId: event.id,
            messageId: event.id,
            eventType: event.type,
            orderingKey: orderingKeyOf(event),
            body,
            status: 'pending',
            attemptCount: 0,
            nextAttemptAt: now,
            giveUpAt,
            lastAttemptAt: null,
            lastStatusCode: null,
            lastError: null,
            deliveredAt: null,
            createdAt: now,
          });
        }
      }
      if (deliveries.length > 0) await tx.webhookDeliveries.enqueue(deliveries);
    },
  };
}
