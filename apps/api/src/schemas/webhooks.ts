import { DOMAIN_EVENT_TYPES, WEBHOOK_DELIVERY_STATUSES } from '@parley/messaging-core';
import { Type } from 'typebox';
import { Cursor, DateTime, Id, Nullable } from './common.js';

const EVENT_TYPE_LIST = `"*" (every type, also those added later) or known event types: ${DOMAIN_EVENT_TYPES.join(', ')}.`;

export const WebhookEventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 100,
  description: `What the endpoint receives: ${EVENT_TYPE_LIST}`,
});

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'An absolute http(s) URL without credentials. Its host must resolve to public addresses only (checked now and before every attempt), unless PARLEY_OUTBOUND_ALLOWED_CIDRS covers them.',
  examples: ['https://platform.example/parley/events'],
});

const TenantIds = Nullable(
  Type.Array(Id, {
    minItems: 1,
    maxItems: 1000,
    description: 'Platform webhooks only: the tenants whose events it receives; null or absent for all.',
  }),
);

export const WebhookEndpointWire = Type.Object({
  id: Type.String(),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  tenant_ids: Nullable(Type.Array(Type.String(), { description: "A tenant's webhook: its own tenant." })),
  owner_tenant_id: Nullable(
    Type.String({ description: "The tenant that registered it; null for the platform's." }),
  ),
  description: Type.String(),
  enabled: Type.Boolean(),
  disabled_reason: Nullable(
    Type.Union([Type.Literal('manual'), Type.Literal('failing')], {
      description: '`failing`: Parley disabled it after a delivery kept failing for 24 hours.',
    }),
  ),
  disabled_at: Nullable(DateTime),
  created_at: DateTime,
  updated_at: DateTime,
});

export const CreatedWebhookEndpointWire = Type.Object({
  webhook: WebhookEndpointWire,
  secret: Type.String({
    description: 'The signing secret (`whsec_…`), shown only in this answer: keep it to verify signatures.',
  }),
});

export const RotatedWebhookSecretWire = Type.Object({
  secret: Type.String({ description: 'The new signing secret, shown only in this answer.' }),
  previous_secret_expires_at: Type.String({
    format: 'date-time',
    description: 'Until then deliveries carry a signature with the previous secret too.',
  }),
});

export const WebhookEndpointListWire = Type.Object({
  webhooks: Type.Array(WebhookEndpointWire, { description: 'Oldest first.' }),
  next_cursor: Nullable(Cursor),
});

export const CreateWebhookBody = Type.Object(
  {
    url: WebhookUrl,
    event_types: WebhookEventTypes,
    tenant_ids: Type.Optional(TenantIds),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    event_types: Type.Optional(WebhookEventTypes),
    tenant_ids: Type.Optional(TenantIds),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    enabled: Type.Optional(
      Type.Boolean({
        description: 'true re-enables an endpoint disabled after failures: its pending deliveries resume.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const WebhookParams = Type.Object({ webhook_id: Id });
export const WebhookDeliveryParams = Type.Object({ webhook_id: Id, delivery_id: Id });

const [PENDING, DELIVERED, FAILED] = WEBHOOK_DELIVERY_STATUSES;
export const WebhookDeliveryStatus = Type.Union(
  [Type.Literal(PENDING), Type.Literal(DELIVERED), Type.Literal(FAILED)],
  { description: 'pending (waiting for its first or next attempt), delivered (2xx), failed (gave up).' },
);

export const WebhookDeliveryQuery = Type.Object(
  {
    status: Type.Optional(WebhookDeliveryStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const WebhookListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

export const WebhookAttemptWire = Type.Object({
  id: Type.String(),
  attempted_at: DateTime,
  status_code: Nullable(
    Type.Integer({ description: 'null: no answer (refused target, network error, timeout).' }),
  ),
  duration_ms: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
  response_snippet: Nullable(
    Type.String({ description: 'The start of the answer, at most 1024 characters.' }),
  ),
});

export const WebhookDeliveryWire = Type.Object({
  id: Type.String(),
  webhook_id: Type.String(),
  event_id: Nullable(Type.String({ description: 'The event log id; null for a ping.' })),
  message_id: Type.String({
    description: 'The `webhook-id` header: the same on every attempt and redelivery.',
  }),
  event_type: Type.String(),
  status: WebhookDeliveryStatus,
  attempt_count: Type.Integer({ minimum: 0 }),
  next_attempt_at: Nullable(DateTime),
  give_up_at: DateTime,
  last_attempt_at: Nullable(DateTime),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  delivered_at: Nullable(DateTime),
  created_at: DateTime,
  payload: Type.Unknown({ description: 'The JSON body sent (`type`, `timestamp`, `data`).' }),
});

export const WebhookDeliveryDetailWire = Type.Object({
  delivery: WebhookDeliveryWire,
  attempts: Type.Array(WebhookAttemptWire, { description: 'Oldest first.' }),
});

export const WebhookDeliveryListWire = Type.Object({
  deliveries: Type.Array(WebhookDeliveryWire, { description: 'Newest first.' }),
  next_cursor: Nullable(Cursor),
});
