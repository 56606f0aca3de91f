import type { LoggedEvent } from '../../conversations/model/domain-event.js';
import { WEBHOOK_PING_TYPE } from './webhook-delivery.js';

/**
 * The JSON body of a webhook: the Standard Webhooks shape (`type`, `timestamp`, `data`), `data`
 * being the event's envelope and its stored payload (`EventPayloads`, snake_case). Receivers
 * dedupe on the `webhook-id` header, which is `data.event_id`.
 */
export interface WebhookBody {
  readonly type: string;
  /** When the event occurred (ISO 8601). */
  readonly timestamp: string;
  readonly data: {
    readonly event_id: string;
    readonly tenant_id: string | null;
    readonly conversation_id: string | null;
    readonly actor: { readonly type: string; readonly id: string } | null;
    readonly occurred_at: string;
    readonly payload: unknown;
  };
}

/** The body sent for an event (serialized once, at enqueue: every attempt sends the same bytes). */
export function eventWebhookBody(event: LoggedEvent): string {
  const body: WebhookBody = {
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      event_id: event.id,
      tenant_id: event.tenantId,
      conversation_id: event.conversationId,
      actor: { type: event.actor.type, id: event.actor.id },
      occurred_at: event.occurredAt.toISOString(),
      payload: event.payload,
    },
  };
  return JSON.stringify(body);
}

/** The body of a `…/test` ping. */
export function pingWebhookBody(messageId: string, endpointId: string, at: Date): string {
  const body: WebhookBody = {
    type: WEBHOOK_PING_TYPE,
    timestamp: at.toISOString(),
    data: {
      event_id: messageId,
      tenant_id: null,
      conversation_id: null,
      actor: null,
      occurred_at: at.toISOString(),
      payload: { endpoint_id: endpointId },
    },
  };
  return JSON.stringify(body);
}

/** Deliveries with the same key keep their order: the conversation, else the actor (blocks). */
export function orderingKeyOf(event: Pick<LoggedEvent, 'conversationId' | 'actor'>): string {
  return event.conversationId === null
    ? `actor:${event.actor.type}:${event.actor.id}`
    : `conversation:${event.conversationId}`;
}
