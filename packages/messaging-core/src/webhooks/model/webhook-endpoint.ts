import { DOMAIN_EVENT_TYPES } from '../../conversations/model/domain-event.js';

/**
 * Who registered an endpoint: the host platform (its services) or one tenant's admins. A
 * tenant's endpoints only ever receive that tenant's events; the platform's receive every
 * tenant's, or those its `tenantIds` filter names.
 */
export type WebhookOwner =
  | { readonly kind: 'platform' }
  | { readonly kind: 'tenant'; readonly tenantId: string };

/** `*` in `eventTypes`: every event type, including those added later. */
export const ALL_WEBHOOK_EVENTS = '*';

/** Why an endpoint stopped receiving deliveries; null while enabled. */
export type WebhookDisabledReason = 'manual' | 'failing';

/**
 * A URL the host platform (or a tenant) registered to receive Parley's events, signed per the
 * Standard Webhooks specification with the endpoint's secrets.
 */
export interface WebhookEndpoint {
  readonly id: string;
  readonly owner: WebhookOwner;
  /** An http(s) URL; its host is checked against the outbound guard at registration and before every attempt. */
  readonly url: string;
  /** Known event types (`DOMAIN_EVENT_TYPES`), or `['*']` for all. */
  readonly eventTypes: readonly string[];
  /**
   * Platform endpoints: the tenants whose events it receives, or null for all (platform-wide
   * events, with no tenant, included). Tenant endpoints: always `[owner.tenantId]`.
   */
  readonly tenantIds: readonly string[] | null;
  readonly description: string;
  readonly enabled: boolean;
  /** `failing`: disabled by Parley after a delivery kept failing for the whole retry window. */
  readonly disabledReason: WebhookDisabledReason | null;
  readonly disabledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * One signing secret of an endpoint, sealed at rest (`SecretCipher`). An endpoint signs with every
 * secret not yet expired: after a rotation the previous one keeps signing for the overlap, so a
 * receiver may switch at any moment within it.
 */
export interface WebhookSecret {
  readonly id: string;
  readonly endpointId: string;
  /** The `whsec_…` secret sealed with the `SecretCipher` (context `webhookSecretContext(endpointId)`). */
  readonly sealed: string;
  readonly createdAt: Date;
  /** Null: the current secret; else when it stops signing. */
  readonly expiresAt: Date | null;
}

/** How long a rotated-out secret keeps signing. */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 3_600_000;

/** The AEAD context an endpoint's secrets are sealed with: a token only opens for its endpoint. */
export function webhookSecretContext(endpointId: string): string {
  return `webhook_secrets:${endpointId}`;
}

const DOMAIN_EVENT_SET: ReadonlySet<string> = new Set(DOMAIN_EVENT_TYPES);

/** Whether `endpoint` receives an event of this type and tenant. */
export function endpointReceives(
  endpoint: Pick<WebhookEndpoint, 'owner' | 'eventTypes' | 'tenantIds' | 'enabled'>,
  type: string,
  tenantId: string | null,
): boolean {
  if (!endpoint.enabled) return false;
  // `*` means every conversation event; the kernel's own (`directory.changed`, `settings.changed`)
  // only tell Parley's processes to drop caches of what the host itself wrote.
  if (!DOMAIN_EVENT_SET.has(type)) return false;
  if (!endpoint.eventTypes.includes(ALL_WEBHOOK_EVENTS) && !endpoint.eventTypes.includes(type)) return false;
  if (endpoint.owner.kind === 'tenant') return tenantId === endpoint.owner.tenantId;
  return endpoint.tenantIds === null || (tenantId !== null && endpoint.tenantIds.includes(tenantId));
}
