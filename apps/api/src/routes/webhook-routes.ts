import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {
  AuditAuthor,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookEndpoint,
  WebhookOwner,
  WebhooksCore,
} from '@parley/messaging-core';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { actorOfRequest, principalOf, requestOrigin } from '../plugins/authentication.js';
import { problemResponses } from '../schemas/common.js';
import {
  CreatedWebhookEndpointWire,
  CreateWebhookBody,
  RotatedWebhookSecretWire,
  UpdateWebhookBody,
  type WebhookAttemptWire,
  WebhookDeliveryDetailWire,
  WebhookDeliveryListWire,
  WebhookDeliveryParams,
  WebhookDeliveryQuery,
  WebhookDeliveryWire,
  WebhookEndpointListWire,
  WebhookEndpointWire,
  WebhookListQuery,
  WebhookParams,
} from '../schemas/webhooks.js';
import { pathSegment } from './request-inputs.js';

export interface WebhookRoutesOptions {
  readonly webhooks: WebhooksCore;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** Endpoint → wire (never a secret). */
export function toWebhookEndpointWire(endpoint: WebhookEndpoint): Static<typeof WebhookEndpointWire> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    event_types: [...endpoint.eventTypes],
    tenant_ids: endpoint.tenantIds === null ? null : [...endpoint.tenantIds],
    owner_tenant_id: endpoint.owner.kind === 'tenant' ? endpoint.owner.tenantId : null,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    disabled_at: iso(endpoint.disabledAt),
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

export function toWebhookDeliveryWire(delivery: WebhookDelivery): Static<typeof WebhookDeliveryWire> {
  return {
    id: delivery.id,
    webhook_id: delivery.endpointId,
    event_id: delivery.eventId,
    message_id: delivery.messageId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    next_attempt_at: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    give_up_at: delivery.giveUpAt.toISOString(),
    last_attempt_at: iso(delivery.lastAttemptAt),
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    delivered_at: iso(delivery.deliveredAt),
    created_at: delivery.createdAt.toISOString(),
    payload: JSON.parse(delivery.body) as unknown,
  };
}

function toAttemptWire(attempt: WebhookAttempt): Static<typeof WebhookAttemptWire> {
  return {
    id: attempt.id,
    attempted_at: attempt.attemptedAt.toISOString(),
    status_code: attempt.statusCode,
    duration_ms: attempt.durationMs,
    error: attempt.error,
    response_snippet: attempt.responseSnippet,
  };
}

function toDetailWire(detail: WebhookDeliveryDetail): Static<typeof WebhookDeliveryDetailWire> {
  return { delivery: toWebhookDeliveryWire(detail.delivery), attempts: detail.attempts.map(toAttemptWire) };
}

/** The same routes for the platform and for a tenant's admins; only the owner and the names differ. */
interface Surface {
  readonly webhooks: WebhooksCore;
  /** Where the routes are mounted, for `location` headers (not `prefix`: Fastify would mount them there again). */
  readonly mountedAt: string;
  readonly operation: 'platform' | 'store';
  readonly tag: string;
  readonly ownerOf: (request: FastifyRequest) => WebhookOwner;
  /** Who writes, with their request, for the audit log. */
  readonly authorOf: (request: FastifyRequest) => AuditAuthor;
}

const webhookRoutes: FastifyPluginAsyncTypebox<Surface> = async (app, surface) => {
  const { webhooks, ownerOf, authorOf, operation } = surface;
  const base = { tags: [surface.tag], security: [{ bearerAuth: [] }] };
  const op = (name: string) => `${operation}${name}`;

  app.post(
    '/webhooks',
    {
      schema: {
        ...base,
        operationId: op('CreateWebhook'),
        summary: 'Register a webhook endpoint',
        description:
          "Checks the URL (a target resolving to a loopback, private, link-local, CGNAT, multicast or unspecified address is a 400 on `url`) and the event types against the known list. Answers the endpoint and its signing secret, which is never shown again. A tenant's webhook receives its own tenant's events only.",
        body: CreateWebhookBody,
        response: { 201: CreatedWebhookEndpointWire, ...problemResponses() },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await webhooks.createEndpoint(
        ownerOf(request),
        {
          url: b.url,
          eventTypes: b.event_types,
          ...(b.tenant_ids === undefined ? {} : { tenantIds: b.tenant_ids }),
          ...(b.description === undefined ? {} : { description: b.description }),
          ...(b.enabled === undefined ? {} : { enabled: b.enabled }),
        },
        authorOf(request),
      );
      reply.code(201).header('location', `${surface.mountedAt}/webhooks/${pathSegment(created.endpoint.id)}`);
      return { webhook: toWebhookEndpointWire(created.endpoint), secret: created.secret };
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        ...base,
        operationId: op('ListWebhooks'),
        summary: 'Webhook endpoints',
        description: 'Oldest first, in cursor pages.',
        querystring: WebhookListQuery,
        response: { 200: WebhookEndpointListWire, ...problemResponses() },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await webhooks.listEndpoints(ownerOf(request), {
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { webhooks: page.items.map(toWebhookEndpointWire), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/webhooks/:webhook_id',
    {
      schema: {
        ...base,
        operationId: op('GetWebhook'),
        summary: 'One webhook endpoint',
        params: WebhookParams,
        response: { 200: WebhookEndpointWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toWebhookEndpointWire(await webhooks.getEndpoint(ownerOf(request), request.params.webhook_id)),
  );

  app.patch(
    '/webhooks/:webhook_id',
    {
      schema: {
        ...base,
        operationId: op('UpdateWebhook'),
        summary: 'Change a webhook endpoint',
        description:
          'Only the fields sent change, checked as on registration. `enabled: true` re-enables an endpoint Parley disabled after failures; its pending deliveries resume in order.',
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookEndpointWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const b = request.body;
      const updated = await webhooks.updateEndpoint(
        ownerOf(request),
        request.params.webhook_id,
        {
          ...(b.url === undefined ? {} : { url: b.url }),
          ...(b.event_types === undefined ? {} : { eventTypes: b.event_types }),
          ...(b.tenant_ids === undefined ? {} : { tenantIds: b.tenant_ids }),
          ...(b.description === undefined ? {} : { description: b.description }),
          ...(b.enabled === undefined ? {} : { enabled: b.enabled }),
        },
        authorOf(request),
      );
      return toWebhookEndpointWire(updated);
    },
  );

  app.delete(
    '/webhooks/:webhook_id',
    {
      schema: {
        ...base,
        operationId: op('DeleteWebhook'),
        summary: 'Delete a webhook endpoint',
        description: 'With its secrets, deliveries and their attempts.',
        params: WebhookParams,
        response: { 204: { type: 'null', description: 'Deleted.' }, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await webhooks.deleteEndpoint(ownerOf(request), request.params.webhook_id, authorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/webhooks/:webhook_id/rotate-secret',
    {
      schema: {
        ...base,
        operationId: op('RotateWebhookSecret'),
        summary: 'Rotate the signing secret',
        description:
          'A new secret, shown only in this answer. For 24 hours every delivery carries a signature with the previous secret too (`webhook-signature` holds one per secret), so the receiver can switch at any moment.',
        params: WebhookParams,
        response: { 200: RotatedWebhookSecretWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const rotated = await webhooks.rotateSecret(
        ownerOf(request),
        request.params.webhook_id,
        authorOf(request),
      );
      return {
        secret: rotated.secret,
        previous_secret_expires_at: rotated.previousSecretExpiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/webhooks/:webhook_id/test',
    {
      schema: {
        ...base,
        operationId: op('TestWebhook'),
        summary: 'Send a ping',
        description:
          'Sends a signed `webhook.ping` now and answers the delivery with its attempt. A failed ping is not retried and never disables the endpoint (a disabled endpoint is pinged too).',
        params: WebhookParams,
        response: { 200: WebhookDeliveryDetailWire, ...problemResponses(404) },
      },
    },
    async (request) => toDetailWire(await webhooks.sendTest(ownerOf(request), request.params.webhook_id)),
  );

  app.get(
    '/webhooks/:webhook_id/deliveries',
    {
      schema: {
        ...base,
        operationId: op('ListWebhookDeliveries'),
        summary: 'Deliveries of a webhook endpoint',
        description: 'Newest first, in cursor pages; filter by status.',
        params: WebhookParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryListWire, ...problemResponses(404) },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const page = await webhooks.listDeliveries(ownerOf(request), request.params.webhook_id, {
        ...(status === undefined ? {} : { status }),
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { deliveries: page.items.map(toWebhookDeliveryWire), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/webhooks/:webhook_id/deliveries/:delivery_id',
    {
      schema: {
        ...base,
        operationId: op('GetWebhookDelivery'),
        summary: 'One delivery and its attempts',
        params: WebhookDeliveryParams,
        response: { 200: WebhookDeliveryDetailWire, ...problemResponses(404) },
      },
    },
    async (request) =>
      toDetailWire(
        await webhooks.getDelivery(ownerOf(request), request.params.webhook_id, request.params.delivery_id),
      ),
  );

  app.post(
    '/webhooks/:webhook_id/deliveries/:delivery_id/retry',
    {
      schema: {
        ...base,
        operationId: op('RetryWebhookDelivery'),
        summary: 'Redeliver',
        description:
          'Puts the delivery (whatever its status) back in line, due now, with a fresh 24-hour retry window; it is sent with the same `webhook-id`. Answers 202 with the delivery.',
        params: WebhookDeliveryParams,
        response: { 202: WebhookDeliveryWire, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const delivery = await webhooks.retryDelivery(
        ownerOf(request),
        request.params.webhook_id,
        request.params.delivery_id,
      );
      reply.code(202);
      return toWebhookDeliveryWire(delivery);
    },
  );
};

/**
 * `/api/v1/platform/webhooks…` for the host platform's services (`service` tokens): every
 * tenant's events, or those of its `tenant_ids`, and platform-wide ones.
 *
 * @example
 * ```ts
 * await app.register(platformWebhookRoutes, { prefix: '/api/v1/platform', webhooks });
 * ```
 */
export const platformWebhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (
  app,
  options,
) => {
  app.addHook('onRequest', app.authenticate('service'));
  await app.register(webhookRoutes, {
    webhooks: options.webhooks,
    mountedAt: '/api/v1/platform',
    operation: 'platform',
    tag: 'Platform webhooks',
    ownerOf: () => ({ kind: 'platform' }),
    authorOf: (request) => ({
      type: 'service',
      id: principalOf(request).subject,
      origin: requestOrigin(request, 'service'),
    }),
  });
};

/**
 * `/api/v1/store/webhooks…` for whoever the policy lets manage its own tenant's webhooks
 * (`manage_tenant_webhooks`: store users in the marketplace, community admins; nobody in the
 * care-team preset, which has no tenants). Another tenant's endpoint answers 404.
 *
 * @example
 * ```ts
 * await app.register(storeWebhookRoutes, { prefix: '/api/v1/store', webhooks });
 * ```
 */
export const storeWebhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, options) => {
  app.addHook('onRequest', app.authorize('manage_tenant_webhooks'));
  await app.register(webhookRoutes, {
    webhooks: options.webhooks,
    mountedAt: '/api/v1/store',
    operation: 'store',
    tag: 'Store webhooks',
    ownerOf: (request) => options.webhooks.tenantOwnerOf(actorOfRequest(request)),
    authorOf: (request) => actorOfRequest(request),
  });
};
