import type { RaiseAdminNotificationInput } from '../alerts/admin-notifications-core.js';
import type { AdminNotification } from '../alerts/model/admin-notification.js';
import type { LoggedEvent } from '../conversations/model/domain-event.js';
import type { AccessPolicy } from '../conversations/policy/access-policy.js';
import { marketplacePolicy } from '../conversations/policy/marketplace-policy.js';
import type { OutboundAddressGuard } from '../email/ports/outbound-address-guard.js';
import type { SecretCipher } from '../email/ports/secret-cipher.js';
import {
  type AuditAuthor,
  type AuditEntry,
  type AuditJson,
  auditEntryBy,
  diffOf,
} from '../kernel/audit/audit-entry.js';
import { MessagingError } from '../kernel/errors.js';
import type { EventSubscriberOf } from '../kernel/events/event-dispatcher.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { parseLimit } from '../kernel/paging/parse-limit.js';
import { type Clock, systemClock } from '../kernel/ports/clock.js';
import { type IdGenerator, uuidV7Ids } from '../kernel/ports/id-generator.js';
import {
  RESPONSE_SNIPPET_MAX,
  snippet,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_PING_TYPE,
  WEBHOOK_RETRY_WINDOW_MS,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  webhookRetryDelayMs,
} from './model/webhook-delivery.js';
import {
  WEBHOOK_SECRET_OVERLAP_MS,
  type WebhookEndpoint,
  type WebhookOwner,
  webhookSecretContext,
} from './model/webhook-endpoint.js';
import { pingWebhookBody } from './model/webhook-payload.js';
import type { ClaimedWebhookDelivery, WebhookAttemptOutcome } from './ports/webhook-delivery-repository.js';
import type { WebhookRepositories, WebhookStore } from './ports/webhook-store.js';
import type { WebhookSecretGenerator, WebhookTransport } from './ports/webhook-transport.js';
import {
  decodeWebhookDeliveryCursor,
  decodeWebhookEndpointCursor,
  encodeWebhookDeliveryCursor,
  encodeWebhookEndpointCursor,
} from './use-cases/webhook-cursors.js';
import { webhookEventSubscriber } from './use-cases/webhook-event-subscriber.js';
import {
  hostOf,
  parseDescription,
  parseEventTypes,
  parseTenantIds,
  parseWebhookUrl,
  requireAllowedHost,
} from './use-cases/webhook-input.js';

export interface CreateWebhookEndpointInput {
  readonly url: string;
  readonly eventTypes: readonly string[];
  /** Platform endpoints only (a tenant's receive its own tenant's events): null or absent for all tenants. */
  readonly tenantIds?: readonly string[] | null;
  readonly description?: string;
  /** Default true. */
  readonly enabled?: boolean;
}

export interface UpdateWebhookEndpointInput {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly tenantIds?: readonly string[] | null;
  readonly description?: string;
  /** true re-enables an endpoint Parley disabled after failures (its pending deliveries resume). */
  readonly enabled?: boolean;
}

/** A new endpoint and its secret: the only time the secret is shown. */
export interface CreatedWebhookEndpoint {
  readonly endpoint: WebhookEndpoint;
  readonly secret: string;
}

export interface RotatedWebhookSecret {
  readonly secret: string;
  /** Until when the previous secret(s) keep signing alongside the new one. */
  readonly previousSecretExpiresAt: Date;
}

export interface WebhookEndpointPage {
  readonly items: WebhookEndpoint[];
  readonly nextCursor: string | null;
}

export interface WebhookDeliveryPage {
  readonly items: WebhookDelivery[];
  readonly nextCursor: string | null;
}

export interface WebhookDeliveryDetail {
  readonly delivery: WebhookDelivery;
  readonly attempts: WebhookAttempt[];
}

/** What one delivery run did. */
export interface ProcessWebhooksResult {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
  /** Endpoints disabled in this run (their delivery ran out of retries). */
  readonly disabledEndpoints: readonly string[];
  /**
   * Deliveries whose handling failed unexpectedly (`<delivery id>: <message>`, e.g. the database
   * went away): their lease runs out and a later run takes them again.
   */
  readonly errors: readonly string[];
}

export interface WebhooksDependencies {
  readonly store: WebhookStore;
  /** Seals endpoint secrets at rest (the one stores' mail credentials use). */
  readonly cipher: SecretCipher;
  /** Refuses non-public targets (SSRF) at registration and before every attempt. */
  readonly outboundGuard: OutboundAddressGuard;
  readonly transport: WebhookTransport;
  readonly newSecret: WebhookSecretGenerator;
  /** Raises the admin notification when an endpoint is disabled; absent: none is raised. */
  readonly raiseAdminNotification?: (input: RaiseAdminNotificationInput) => Promise<AdminNotification>;
  /** Who manages a tenant's webhooks (`manage_tenant_webhooks`); defaults to `marketplacePolicy`. */
  readonly policy?: AccessPolicy;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Longest one attempt may take. Default 10 s. */
  readonly timeoutMs?: number;
  /** How long a claim holds a delivery. Default 60 s (keep it well above `timeoutMs`). */
  readonly leaseMs?: number;
}

/**
 * Webhooks to the host platform: endpoints (the platform's and each tenant's), secrets with
 * rotation, deliveries from the event log and their attempts. Failures are `MessagingError`s; an
 * endpoint of another owner answers `NOT_FOUND` exactly like a missing one.
 */
export interface WebhooksCore {
  /** The policy this core asks. */
  readonly policy: AccessPolicy;
  /**
   * The owner a participant acts as: its own tenant, when the policy grants it
   * `manage_tenant_webhooks` (`FORBIDDEN` otherwise). Services act as `{ kind: 'platform' }`.
   */
  tenantOwnerOf(actor: Actor): WebhookOwner;
  /**
   * Registers an endpoint after checking its URL (form, and the outbound guard: a non-public
   * target is a `VALIDATION` on `url`), its event types against the known list and its tenant
   * filter. Writes the endpoint and its first secret (sealed); returns the secret, shown only here.
   * With `by` (who asks, with their request), each write here also appends its audit row in the
   * same transaction (`webhook.create|update|delete|rotate_secret`; the URL without its query,
   * never a secret).
   */
  createEndpoint(
    owner: WebhookOwner,
    input: CreateWebhookEndpointInput,
    by?: AuditAuthor,
  ): Promise<CreatedWebhookEndpoint>;
  listEndpoints(
    owner: WebhookOwner,
    input?: { readonly cursor?: string; readonly limit?: number },
  ): Promise<WebhookEndpointPage>;
  getEndpoint(owner: WebhookOwner, id: string): Promise<WebhookEndpoint>;
  /** Validates as `createEndpoint` does, for the fields given. */
  updateEndpoint(
    owner: WebhookOwner,
    id: string,
    input: UpdateWebhookEndpointInput,
    by?: AuditAuthor,
  ): Promise<WebhookEndpoint>;
  /** Deletes the endpoint, its secrets, deliveries and attempts. */
  deleteEndpoint(owner: WebhookOwner, id: string, by?: AuditAuthor): Promise<void>;
  /**
   * A new current secret; the previous ones keep signing for 24 h (each delivery carries a
   * signature per secret), then stop. Returns the new secret, shown only here.
   */
  rotateSecret(owner: WebhookOwner, id: string, by?: AuditAuthor): Promise<RotatedWebhookSecret>;
  /**
   * Sends a `webhook.ping` now (signed like any delivery), logs it as a delivery with its attempt
   * and returns it. A ping is never retried and never disables its endpoint; a disabled endpoint
   * is pinged too (to check it before re-enabling).
   */
  sendTest(owner: WebhookOwner, id: string): Promise<WebhookDeliveryDetail>;
  listDeliveries(
    owner: WebhookOwner,
    id: string,
    input?: { readonly status?: WebhookDeliveryStatus; readonly cursor?: string; readonly limit?: number },
  ): Promise<WebhookDeliveryPage>;
  getDelivery(owner: WebhookOwner, id: string, deliveryId: string): Promise<WebhookDeliveryDetail>;
  /**
   * Redelivers: the delivery (any status) is pending again, due now, with a fresh 24 h retry
   * window; the workers send it with the same `webhook-id`.
   */
  retryDelivery(owner: WebhookOwner, id: string, deliveryId: string): Promise<WebhookDelivery>;
  /**
   * One worker run: claims up to `limit` due deliveries (the head of each endpoint and
   * conversation), attempts them (guard check on the freshly resolved host, then the signed
   * POST to the checked address) and records each attempt: 2xx delivers; anything else retries
   * with exponential backoff until the delivery's 24 h window ends, then fails it, disables the
   * endpoint and raises an admin notification.
   */
  processDeliveries(input: {
    readonly workerId: string;
    readonly limit?: number;
  }): Promise<ProcessWebhooksResult>;
  /** The event log subscriber enqueuing deliveries (register it on a dispatcher over `store`). */
  subscriber(): EventSubscriberOf<LoggedEvent, WebhookRepositories>;
}

const PLATFORM: WebhookOwner = { kind: 'platform' };
const PARALLEL_ATTEMPTS = 8;

function requireId(value: string, field: string): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw MessagingError.validation(field, `${field} is required`);
}

/**
 * Builds the webhook use cases.
 *
 * @example
 * ```ts
 * const webhooks = createWebhooksCore({ store, cipher, outboundGuard, transport, newSecret });
 * const { endpoint, secret } = await webhooks.createEndpoint({ kind: 'platform' }, {
 *   url: 'https://platform.example/parley-events', eventTypes: ['message.sent'] });
 * ```
 */
export function createWebhooksCore(deps: WebhooksDependencies): WebhooksCore {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? uuidV7Ids;
  const policy = deps.policy ?? marketplacePolicy;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const leaseMs = deps.leaseMs ?? 60_000;
  const { store, cipher } = deps;

  const endpointOf = async (owner: WebhookOwner, id: string): Promise<WebhookEndpoint> => {
    requireId(id, 'webhook_id');
    const endpoint = await store.webhookEndpoints.find(id, owner);
    if (endpoint === null) throw MessagingError.notFound('webhook', id);
    return endpoint;
  };

  const sealedSecret = (endpointId: string, at: Date) => {
    const secret = deps.newSecret();
    return {
      secret,
      record: {
        id: ids.next(),
        endpointId,
        sealed: cipher.encrypt(secret, webhookSecretContext(endpointId)),
        createdAt: at,
        expiresAt: null,
      },
    };
  };

  const tenantFilter = (owner: WebhookOwner, value: unknown): string[] | null => {
    if (owner.kind === 'tenant') {
      if (value !== undefined && value !== null)
        throw MessagingError.validation(
          'tenant_ids',
          "tenant_ids is for platform webhooks; a tenant's receive its own events",
        );
      return [owner.tenantId];
    }
    return parseTenantIds(value);
  };

  /** One attempt of a claimed delivery; records it (fenced) and says what became of it. */
  const attempt = async (
    claimed: ClaimedWebhookDelivery,
    endpoint: WebhookEndpoint,
  ): Promise<{ outcome: WebhookAttemptOutcome; recorded: boolean; attempt: WebhookAttempt }> => {
    const { delivery, leaseToken } = claimed;
    const at = clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let responseSnippet: string | null = null;
    let durationMs = 0;
    const url = new URL(endpoint.url);
    const verdict = await deps.outboundGuard.check(hostOf(url));
    if (!verdict.allowed) {
      error =
        verdict.reason === 'forbidden_address'
          ? `refused: ${verdict.address ?? url.hostname} is not a public address${verdict.range ? ` (${verdict.range})` : ''}`
          : `refused: ${verdict.reason}`;
    } else {
      const sealed = await store.webhookEndpoints.activeSecrets(endpoint.id, at);
      let secrets: string[] = [];
      try {
        secrets = sealed.map((s) => cipher.decrypt(s.sealed, webhookSecretContext(endpoint.id)));
      } catch (failure) {
        // Never sent unsigned: a secret sealed with a key no longer in the ring fails the attempt.
        error = `the signing secret could not be opened (${(failure as Error).message}); rotate it`;
      }
      const address = verdict.addresses[0] as string;
      const response =
        error !== null
          ? null
          : await deps.transport.deliver({
              url: endpoint.url,
              address,
              messageId: delivery.messageId,
              timestamp: at,
              body: delivery.body,
              secrets,
              timeoutMs,
            });
      if (response !== null) {
        durationMs = response.durationMs;
        if (response.kind === 'response') {
          statusCode = response.statusCode;
          responseSnippet = snippet(response.bodySnippet, RESPONSE_SNIPPET_MAX);
        } else {
          error = snippet(response.error, RESPONSE_SNIPPET_MAX);
        }
      }
    }
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const attemptNumber = delivery.attemptCount + 1;
    const nextAt = new Date(at.getTime() + webhookRetryDelayMs(attemptNumber));
    const outcome: WebhookAttemptOutcome = ok
      ? { kind: 'delivered' }
      : delivery.eventType === WEBHOOK_PING_TYPE || nextAt.getTime() > delivery.giveUpAt.getTime()
        ? { kind: 'failed' }
        : { kind: 'retry', nextAttemptAt: nextAt };
    const record: WebhookAttempt = {
      id: ids.next(),
      deliveryId: delivery.id,
      attemptedAt: at,
      statusCode,
      durationMs,
      error: ok ? null : (error ?? `HTTP ${statusCode}`),
      responseSnippet,
    };
    const recorded = await store.webhookDeliveries.recordAttempt(delivery.id, leaseToken, record, outcome);
    return { outcome, recorded, attempt: record };
  };

  /** A delivery ran out of retries: the endpoint stops receiving, the admins are told. */
  const disableFailing = async (
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    lastError: string | null,
  ) => {
    const at = clock.now();
    await store.webhookEndpoints.update(endpoint.id, PLATFORM, {
      enabled: false,
      disabledReason: 'failing',
      at,
    });
    const tenantId = endpoint.owner.kind === 'tenant' ? endpoint.owner.tenantId : null;
    await deps.raiseAdminNotification?.({
      type: tenantId === null ? 'system_alert' : 'store_issue',
      priority: 'high',
      title: 'Webhook endpoint disabled',
      message: `Deliveries to ${endpoint.url} kept failing for ${WEBHOOK_RETRY_WINDOW_MS / 3_600_000} hours, so the endpoint was disabled. Fix the receiver, send a test, then enable it again: its pending deliveries resume in order.`,
      actionRequired: true,
      metadata: {
        endpoint_id: endpoint.id,
        url: endpoint.url,
        delivery_id: delivery.id,
        event_type: delivery.eventType,
      },
      storeId: tenantId,
      issueKey: `webhook_disabled:${endpoint.id}`,
      lastError,
    });
  };

  return {
    policy,
    tenantOwnerOf(actor) {
      const decision = policy.allows(actor, 'manage_tenant_webhooks', { tenantId: actor.tenantId });
      if (!decision.allowed) throw MessagingError.forbidden(decision.reason);
      if (actor.tenantId === null || actor.tenantId === '' || !policy.isTenantBound(actor.type))
        throw MessagingError.forbidden(
          `a ${actor.type} has no ${policy.definition.tenantLabel} whose webhooks to manage`,
        );
      return { kind: 'tenant', tenantId: actor.tenantId };
    },

    async createEndpoint(owner, input, by) {
      const url = parseWebhookUrl(input.url);
      const eventTypes = parseEventTypes(input.eventTypes);
      const tenantIds = tenantFilter(owner, input.tenantIds);
      const description = parseDescription(input.description);
      if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
        throw MessagingError.validation('enabled', 'enabled must be a boolean');
      await requireAllowedHost(deps.outboundGuard, url);
      const now = clock.now();
      const enabled = input.enabled ?? true;
      const endpoint: WebhookEndpoint = {
        id: ids.next(),
        owner,
        url: url.href,
        eventTypes,
        tenantIds,
        description,
        enabled,
        disabledReason: enabled ? null : 'manual',
        disabledAt: enabled ? null : now,
        createdAt: now,
        updatedAt: now,
      };
      const { secret, record } = sealedSecret(endpoint.id, now);
      await store.webhookEndpoints.create(
        endpoint,
        record,
        by === undefined ? undefined : webhookAudit(by, 'webhook.create', endpoint, null, endpoint, now),
      );
      return { endpoint, secret };
    },

    async listEndpoints(owner, input = {}) {
      const limit = parseLimit(input.limit, 50);
      const rows = await store.webhookEndpoints.list(owner, {
        limit: limit + 1,
        ...(input.cursor === undefined ? {} : { after: decodeWebhookEndpointCursor(input.cursor) }),
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeWebhookEndpointCursor({ createdAt: last.createdAt, id: last.id })
            : null,
      };
    },

    getEndpoint: endpointOf,

    async updateEndpoint(owner, id, input, by) {
      const before = await endpointOf(owner, id);
      const url = input.url === undefined ? undefined : parseWebhookUrl(input.url);
      const eventTypes = input.eventTypes === undefined ? undefined : parseEventTypes(input.eventTypes);
      const tenantIds = input.tenantIds === undefined ? undefined : tenantFilter(owner, input.tenantIds);
      const description = input.description === undefined ? undefined : parseDescription(input.description);
      if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
        throw MessagingError.validation('enabled', 'enabled must be a boolean');
      if (url !== undefined) await requireAllowedHost(deps.outboundGuard, url);
      const at = clock.now();
      const changes = {
        at,
        ...(url === undefined ? {} : { url: url.href }),
        ...(eventTypes === undefined ? {} : { eventTypes }),
        ...(tenantIds === undefined || owner.kind === 'tenant' ? {} : { tenantIds }),
        ...(description === undefined ? {} : { description }),
        ...(input.enabled === undefined
          ? {}
          : { enabled: input.enabled, disabledReason: input.enabled ? null : ('manual' as const) }),
      };
      const after: WebhookEndpoint = {
        ...before,
        ...(changes.url === undefined ? {} : { url: changes.url }),
        ...(changes.eventTypes === undefined ? {} : { eventTypes: changes.eventTypes }),
        ...(changes.tenantIds === undefined ? {} : { tenantIds: changes.tenantIds }),
        ...(changes.description === undefined ? {} : { description: changes.description }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
      };
      const updated = await store.webhookEndpoints.update(
        id,
        owner,
        changes,
        by === undefined ? undefined : webhookAudit(by, 'webhook.update', before, before, after, at),
      );
      if (updated === null) throw MessagingError.notFound('webhook', id);
      return updated;
    },

    async deleteEndpoint(owner, id, by) {
      requireId(id, 'webhook_id');
      const audit =
        by === undefined
          ? undefined
          : auditEntryBy(by, {
              tenantId: owner.kind === 'tenant' ? owner.tenantId : null,
              action: 'webhook.delete',
              target: { type: 'webhook_endpoint', id },
              occurredAt: clock.now(),
              diff: {},
            });
      if (!(await store.webhookEndpoints.delete(id, owner, audit)))
        throw MessagingError.notFound('webhook', id);
    },

    async rotateSecret(owner, id, by) {
      const endpoint = await endpointOf(owner, id);
      const now = clock.now();
      const previousSecretExpiresAt = new Date(now.getTime() + WEBHOOK_SECRET_OVERLAP_MS);
      const { secret, record } = sealedSecret(endpoint.id, now);
      await store.webhookEndpoints.rotateSecret(
        record,
        previousSecretExpiresAt,
        by === undefined
          ? undefined
          : auditEntryBy(by, {
              tenantId: endpoint.owner.kind === 'tenant' ? endpoint.owner.tenantId : null,
              action: 'webhook.rotate_secret',
              target: { type: 'webhook_endpoint', id: endpoint.id },
              occurredAt: now,
              diff: { previous_secret_expires_at: previousSecretExpiresAt.toISOString() },
            }),
      );
      return { secret, previousSecretExpiresAt };
    },

    async sendTest(owner, id) {
      const endpoint = await endpointOf(owner, id);
      const now = clock.now();
      const deliveryId = ids.next();
      const messageId = `ping_${deliveryId}`;
      await store.webhookDeliveries.enqueue([
        {
          id: deliveryId,
          endpointId: endpoint.id,
          eventId: null,
          messageId,
          eventType: WEBHOOK_PING_TYPE,
          orderingKey: messageId,
          body: pingWebhookBody(messageId, endpoint.id, now),
          status: 'pending',
          attemptCount: 0,
          // Not due for the workers: this request attempts it.
          nextAttemptAt: new Date(now.getTime() + leaseMs),
          giveUpAt: now,
          lastAttemptAt: null,
          lastStatusCode: null,
          lastError: null,
          deliveredAt: null,
          createdAt: now,
        },
      ]);
      const claimed = await store.webhookDeliveries.claimOne(deliveryId, now, leaseMs, `test:${deliveryId}`);
      if (claimed !== null) await attempt(claimed, endpoint);
      const delivery = await store.webhookDeliveries.find(endpoint.id, deliveryId);
      if (delivery === null) throw MessagingError.notFound('webhook', id);
      return { delivery, attempts: await store.webhookDeliveries.attempts(deliveryId) };
    },

    async listDeliveries(owner, id, input = {}) {
      const endpoint = await endpointOf(owner, id);
      if (input.status !== undefined && !WEBHOOK_DELIVERY_STATUSES.includes(input.status))
        throw MessagingError.validation(
          'status',
          `status must be one of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}`,
        );
      const limit = parseLimit(input.limit, 50);
      const rows = await store.webhookDeliveries.list(endpoint.id, {
        limit: limit + 1,
        ...(input.status === undefined ? {} : { status: input.status }),
        ...(input.cursor === undefined ? {} : { beforeSeq: decodeWebhookDeliveryCursor(input.cursor) }),
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeWebhookDeliveryCursor(last.seq) : null,
      };
    },

    async getDelivery(owner, id, deliveryId) {
      const endpoint = await endpointOf(owner, id);
      requireId(deliveryId, 'delivery_id');
      const delivery = await store.webhookDeliveries.find(endpoint.id, deliveryId);
      if (delivery === null) throw MessagingError.notFound('delivery', deliveryId);
      return { delivery, attempts: await store.webhookDeliveries.attempts(delivery.id) };
    },

    async retryDelivery(owner, id, deliveryId) {
      const endpoint = await endpointOf(owner, id);
      requireId(deliveryId, 'delivery_id');
      const now = clock.now();
      const delivery = await store.webhookDeliveries.requeue(
        endpoint.id,
        deliveryId,
        now,
        new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS),
      );
      if (delivery === null) throw MessagingError.notFound('delivery', deliveryId);
      return delivery;
    },

    async processDeliveries(input) {
      const limit = input.limit ?? 50;
      const now = clock.now();
      const claimed = await store.webhookDeliveries.claimDue(
        now,
        limit,
        leaseMs,
        `${input.workerId}:${ids.next()}`,
      );
      let delivered = 0;
      let retrying = 0;
      let failed = 0;
      const disabledEndpoints: string[] = [];
      const errors: string[] = [];
      const endpoints = new Map<string, WebhookEndpoint | null>();
      for (let start = 0; start < claimed.length; start += PARALLEL_ATTEMPTS) {
        await Promise.all(
          claimed.slice(start, start + PARALLEL_ATTEMPTS).map(async (one) => {
            try {
              const endpointId = one.delivery.endpointId;
              if (!endpoints.has(endpointId))
                endpoints.set(endpointId, await store.webhookEndpoints.find(endpointId, PLATFORM));
              const endpoint = endpoints.get(endpointId);
              // Deleted or disabled since the claim: the lease runs out; nothing is attempted.
              if (endpoint === null || endpoint === undefined || !endpoint.enabled) return;
              const result = await attempt(one, endpoint);
              if (!result.recorded) return;
              if (result.outcome.kind === 'delivered') delivered += 1;
              else if (result.outcome.kind === 'retry') retrying += 1;
              else {
                failed += 1;
                if (one.delivery.eventType !== WEBHOOK_PING_TYPE && !disabledEndpoints.includes(endpointId)) {
                  disabledEndpoints.push(endpointId);
                  await disableFailing(endpoint, one.delivery, result.attempt.error);
                }
              }
            } catch (failure) {
              errors.push(`${one.delivery.id}: ${(failure as Error).message}`);
            }
          }),
        );
      }
      return {
        attempted: delivered + retrying + failed,
        delivered,
        retrying,
        failed,
        disabledEndpoints,
        errors,
      };
    },

    subscriber: () => webhookEventSubscriber({ clock, ids }),
  };
}

/** What an endpoint's audit diff shows: its URL without query or credentials (they may hold tokens). */
function auditedFields(endpoint: WebhookEndpoint): Record<string, AuditJson> {
  const url = new URL(endpoint.url);
  return {
    url: `${url.origin}${url.pathname}`,
    event_types: [...endpoint.eventTypes],
    tenant_ids: endpoint.tenantIds === null ? null : [...endpoint.tenantIds],
    description: endpoint.description,
    enabled: endpoint.enabled,
  };
}

function webhookAudit(
  by: AuditAuthor,
  action: string,
  endpoint: WebhookEndpoint,
  before: WebhookEndpoint | null,
  after: WebhookEndpoint,
  at: Date,
): AuditEntry {
  return auditEntryBy(by, {
    tenantId: endpoint.owner.kind === 'tenant' ? endpoint.owner.tenantId : null,
    action,
    target: { type: 'webhook_endpoint', id: endpoint.id },
    occurredAt: at,
    diff: diffOf(before === null ? null : auditedFields(before), auditedFields(after)),
  });
}
