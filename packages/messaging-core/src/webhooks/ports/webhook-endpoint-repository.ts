import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { WebhookEndpoint, WebhookOwner, WebhookSecret } from '../model/webhook-endpoint.js';

/** Position after the last endpoint of a page (oldest first by creation, then id). */
export interface WebhookEndpointCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Fields a change may set; absent fields stay as they are. */
export interface WebhookEndpointChanges {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly tenantIds?: readonly string[] | null;
  readonly description?: string;
  /** true clears `disabledReason` and `disabledAt`; false sets them (with `disabledReason`). */
  readonly enabled?: boolean;
  readonly disabledReason?: WebhookEndpoint['disabledReason'];
  readonly at: Date;
}

/**
 * Webhook endpoints and their signing secrets (sealed). Every method is one statement or one
 * transaction of its own unless called through a store's `transaction`.
 */
export interface WebhookEndpointRepository {
  /** Inserts the endpoint and its first secret together. */
  create(endpoint: WebhookEndpoint, secret: WebhookSecret, audit?: AuditEntry): Promise<void>;
  /** The endpoint when it exists and belongs to `owner` (a platform owner sees every endpoint); else null. */
  find(id: string, owner: WebhookOwner): Promise<WebhookEndpoint | null>;
  /** `owner`'s endpoints (a platform owner: its own, not tenants'), oldest first, after `after`. */
  list(
    owner: WebhookOwner,
    page: { readonly limit: number; readonly after?: WebhookEndpointCursor },
  ): Promise<WebhookEndpoint[]>;
  /**
   * Enabled endpoints that may receive events of these tenants: every enabled platform endpoint
   * and the enabled endpoints of the named tenants (the caller filters by type and tenant).
   */
  listEnabledFor(tenantIds: readonly (string | null)[]): Promise<WebhookEndpoint[]>;
  /**
   * Applies `changes` to an endpoint of `owner`; returns it, or null when there is none. Every
   * write here takes an optional `audit` entry, appended in the write's transaction when it changed
   * something.
   */
  update(
    id: string,
    owner: WebhookOwner,
    changes: WebhookEndpointChanges,
    audit?: AuditEntry,
  ): Promise<WebhookEndpoint | null>;
  /** Deletes an endpoint of `owner` with its secrets, deliveries and attempts; false when there was none. */
  delete(id: string, owner: WebhookOwner, audit?: AuditEntry): Promise<boolean>;
  /**
   * Rotation: every secret of the endpoint still current, or expiring after `expireOthersAt`, now
   * expires at `expireOthersAt`; then `secret` is added as the current one.
   */
  rotateSecret(secret: WebhookSecret, expireOthersAt: Date, audit?: AuditEntry): Promise<void>;
  /** The endpoint's secrets that still sign at `at` (expiry null or after it), newest first. */
  activeSecrets(endpointId: string, at: Date): Promise<WebhookSecret[]>;
}
