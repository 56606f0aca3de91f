import type { LoggedEvent } from '../../conversations/model/domain-event.js';
import type { AuditEntry } from '../../kernel/audit/audit-entry.js';
import type { AuditLog } from '../../kernel/audit/audit-log.js';
import type { EventLogUnit, EventStore } from '../../kernel/events/event-dispatcher.js';
import type { EventLogOf } from '../../kernel/ports/event-log.js';
import type { WebhookAttempt, WebhookDelivery } from '../model/webhook-delivery.js';
import type { WebhookEndpoint, WebhookOwner, WebhookSecret } from '../model/webhook-endpoint.js';
import type {
  ClaimedWebhookDelivery,
  NewWebhookDelivery,
  WebhookAttemptOutcome,
  WebhookDeliveryQuery,
  WebhookDeliveryRepository,
} from '../ports/webhook-delivery-repository.js';
import type {
  WebhookEndpointChanges,
  WebhookEndpointCursor,
  WebhookEndpointRepository,
} from '../ports/webhook-endpoint-repository.js';
import type { WebhookRepositories, WebhookStore } from '../ports/webhook-store.js';

interface LeasedDelivery {
  readonly delivery: WebhookDelivery;
  readonly leaseToken: string | null;
  readonly leaseUntil: Date | null;
}

/** The webhook tables in memory. Records are replaced on change, so a copy of the arrays is a snapshot. */
export interface WebhookState {
  endpoints: WebhookEndpoint[];
  secrets: WebhookSecret[];
  deliveries: LeasedDelivery[];
  attempts: WebhookAttempt[];
  seq: number;
}

function copyState(state: WebhookState): WebhookState {
  return {
    endpoints: [...state.endpoints],
    secrets: [...state.secrets],
    deliveries: [...state.deliveries],
    attempts: [...state.attempts],
    seq: state.seq,
  };
}

const owns = (owner: WebhookOwner, endpoint: WebhookEndpoint): boolean =>
  owner.kind === 'platform' ||
  (endpoint.owner.kind === 'tenant' && endpoint.owner.tenantId === owner.tenantId);

const sameOwner = (a: WebhookOwner, b: WebhookOwner): boolean =>
  a.kind === b.kind && (a.kind === 'platform' || (b.kind === 'tenant' && a.tenantId === b.tenantId));

const time = (date: Date) => date.getTime();

/** `WebhookEndpointRepository` over a state holder. Every method's body is synchronous: atomic here. */
export class InMemoryWebhookEndpointRepository implements WebhookEndpointRepository {
  readonly #state: () => WebhookState;
  readonly #audit: AuditLog | undefined;

  /** @param audit where the writes' audit rows go (absent: they are dropped). */
  constructor(state: () => WebhookState, audit?: AuditLog) {
    this.#state = state;
    this.#audit = audit;
  }

  async #audited(audit: AuditEntry | undefined): Promise<void> {
    if (audit !== undefined) await this.#audit?.append([audit]);
  }

  async create(endpoint: WebhookEndpoint, secret: WebhookSecret, audit?: AuditEntry): Promise<void> {
    const state = this.#state();
    state.endpoints.push(endpoint);
    state.secrets.push(secret);
    await this.#audited(audit);
  }

  async find(id: string, owner: WebhookOwner): Promise<WebhookEndpoint | null> {
    const found = this.#state().endpoints.find((e) => e.id === id);
    return found !== undefined && owns(owner, found) ? found : null;
  }

  async list(
    owner: WebhookOwner,
    page: { readonly limit: number; readonly after?: WebhookEndpointCursor },
  ): Promise<WebhookEndpoint[]> {
    const after = page.after;
    return this.#state()
      .endpoints.filter((e) => sameOwner(owner, e.owner))
      .sort((a, b) => time(a.createdAt) - time(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter(
        (e) =>
          after === undefined ||
          time(e.createdAt) > time(after.createdAt) ||
          (time(e.createdAt) === time(after.createdAt) && e.id > after.id),
      )
      .slice(0, page.limit);
  }

  async listEnabledFor(tenantIds: readonly (string | null)[]): Promise<WebhookEndpoint[]> {
    return this.#state().endpoints.filter(
      (e) => e.enabled && (e.owner.kind === 'platform' || tenantIds.includes(e.owner.tenantId)),
    );
  }

  async update(
    id: string,
    owner: WebhookOwner,
    changes: WebhookEndpointChanges,
    audit?: AuditEntry,
  ): Promise<WebhookEndpoint | null> {
    const state = this.#state();
    const index = state.endpoints.findIndex((e) => e.id === id);
    const current = state.endpoints[index];
    if (current === undefined || !owns(owner, current)) return null;
    const enabled = changes.enabled ?? current.enabled;
    const next: WebhookEndpoint = {
      ...current,
      url: changes.url ?? current.url,
      eventTypes: changes.eventTypes ?? current.eventTypes,
      tenantIds: changes.tenantIds === undefined ? current.tenantIds : changes.tenantIds,
      description: changes.description ?? current.description,
      enabled,
      disabledReason:
        changes.enabled === undefined
          ? current.disabledReason
          : enabled
            ? null
            : (changes.disabledReason ?? 'manual'),
      disabledAt:
        changes.enabled === undefined
          ? current.disabledAt
          : enabled
            ? null
            : current.enabled
              ? changes.at
              : current.disabledAt,
      updatedAt: changes.at,
    };
    state.endpoints[index] = next;
    await this.#audited(audit);
    return next;
  }

  async delete(id: string, owner: WebhookOwner, audit?: AuditEntry): Promise<boolean> {
    const state = this.#state();
    const found = state.endpoints.find((e) => e.id === id);
    if (found === undefined || !owns(owner, found)) return false;
    const gone = new Set(
      state.deliveries.filter((d) => d.delivery.endpointId === id).map((d) => d.delivery.id),
    );
    state.endpoints = state.endpoints.filter((e) => e.id !== id);
    state.secrets = state.secrets.filter((s) => s.endpointId !== id);
    state.deliveries = state.deliveries.filter((d) => d.delivery.endpointId !== id);
    state.attempts = state.attempts.filter((a) => !gone.has(a.deliveryId));
    await this.#audited(audit);
    return true;
  }

  async rotateSecret(secret: WebhookSecret, expireOthersAt: Date, audit?: AuditEntry): Promise<void> {
    const state = this.#state();
    state.secrets = state.secrets.map((s) =>
      s.endpointId === secret.endpointId && (s.expiresAt === null || time(s.expiresAt) > time(expireOthersAt))
        ? { ...s, expiresAt: expireOthersAt }
        : s,
    );
    state.secrets.push(secret);
    await this.#audited(audit);
  }

  async activeSecrets(endpointId: string, at: Date): Promise<WebhookSecret[]> {
    return this.#state()
      .secrets.filter(
        (s) => s.endpointId === endpointId && (s.expiresAt === null || time(s.expiresAt) > time(at)),
      )
      .sort((a, b) => time(b.createdAt) - time(a.createdAt) || (a.id < b.id ? 1 : -1));
  }
}

/** `WebhookDeliveryRepository` over a state holder. Every method's body is synchronous: atomic here. */
export class InMemoryWebhookDeliveryRepository implements WebhookDeliveryRepository {
  readonly #state: () => WebhookState;

  constructor(state: () => WebhookState) {
    this.#state = state;
  }

  async enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<number> {
    const state = this.#state();
    let added = 0;
    for (const delivery of deliveries) {
      const duplicate =
        delivery.eventId !== null &&
        state.deliveries.some(
          (d) => d.delivery.endpointId === delivery.endpointId && d.delivery.eventId === delivery.eventId,
        );
      if (duplicate) continue;
      state.seq += 1;
      state.deliveries.push({
        delivery: { ...delivery, seq: state.seq },
        leaseToken: null,
        leaseUntil: null,
      });
      added += 1;
    }
    return added;
  }

  async claimDue(
    now: Date,
    limit: number,
    leaseMs: number,
    leaseToken: string,
  ): Promise<ClaimedWebhookDelivery[]> {
    const state = this.#state();
    const enabled = new Set(state.endpoints.filter((e) => e.enabled).map((e) => e.id));
    const heads = new Map<string, LeasedDelivery>();
    for (const row of [...state.deliveries].sort((a, b) => a.delivery.seq - b.delivery.seq)) {
      if (row.delivery.status !== 'pending') continue;
      const key = `${row.delivery.endpointId}\u0000${row.delivery.orderingKey}`;
      if (!heads.has(key)) heads.set(key, row);
    }
    const due = [...heads.values()]
      .filter(
        (row) =>
          enabled.has(row.delivery.endpointId) &&
          time(row.delivery.nextAttemptAt) <= time(now) &&
          (row.leaseUntil === null || time(row.leaseUntil) <= time(now)),
      )
      .slice(0, limit);
    const leaseUntil = new Date(time(now) + leaseMs);
    return due.map((row) => this.#lease(row, leaseToken, leaseUntil));
  }

  async claimOne(
    deliveryId: string,
    now: Date,
    leaseMs: number,
    leaseToken: string,
  ): Promise<ClaimedWebhookDelivery | null> {
    const row = this.#state().deliveries.find((d) => d.delivery.id === deliveryId);
    if (row === undefined || row.delivery.status !== 'pending') return null;
    if (row.leaseUntil !== null && time(row.leaseUntil) > time(now)) return null;
    return this.#lease(row, leaseToken, new Date(time(now) + leaseMs));
  }

  #lease(row: LeasedDelivery, leaseToken: string, leaseUntil: Date): ClaimedWebhookDelivery {
    const state = this.#state();
    const index = state.deliveries.findIndex((d) => d.delivery.id === row.delivery.id);
    state.deliveries[index] = { ...row, leaseToken, leaseUntil };
    return { delivery: row.delivery, leaseToken };
  }

  async recordAttempt(
    deliveryId: string,
    leaseToken: string,
    attempt: WebhookAttempt,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean> {
    const state = this.#state();
    const index = state.deliveries.findIndex((d) => d.delivery.id === deliveryId);
    const row = state.deliveries[index];
    if (row === undefined || row.leaseToken !== leaseToken) return false;
    const d = row.delivery;
    state.attempts.push(attempt);
    state.deliveries[index] = {
      leaseToken: null,
      leaseUntil: null,
      delivery: {
        ...d,
        status: outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'failed' ? 'failed' : 'pending',
        attemptCount: d.attemptCount + 1,
        nextAttemptAt: outcome.kind === 'retry' ? outcome.nextAttemptAt : d.nextAttemptAt,
        lastAttemptAt: attempt.attemptedAt,
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        deliveredAt: outcome.kind === 'delivered' ? attempt.attemptedAt : d.deliveredAt,
      },
    };
    return true;
  }

  async requeue(
    endpointId: string,
    deliveryId: string,
    now: Date,
    giveUpAt: Date,
  ): Promise<WebhookDelivery | null> {
    const state = this.#state();
    const index = state.deliveries.findIndex(
      (d) => d.delivery.id === deliveryId && d.delivery.endpointId === endpointId,
    );
    const row = state.deliveries[index];
    if (row === undefined) return null;
    const delivery: WebhookDelivery = { ...row.delivery, status: 'pending', nextAttemptAt: now, giveUpAt };
    state.deliveries[index] = { delivery, leaseToken: null, leaseUntil: null };
    return delivery;
  }

  async find(endpointId: string, deliveryId: string): Promise<WebhookDelivery | null> {
    return (
      this.#state().deliveries.find(
        (d) => d.delivery.id === deliveryId && d.delivery.endpointId === endpointId,
      )?.delivery ?? null
    );
  }

  async list(endpointId: string, query: WebhookDeliveryQuery): Promise<WebhookDelivery[]> {
    return this.#state()
      .deliveries.map((d) => d.delivery)
      .filter(
        (d) =>
          d.endpointId === endpointId &&
          (query.status === undefined || d.status === query.status) &&
          (query.beforeSeq === undefined || d.seq < query.beforeSeq),
      )
      .sort((a, b) => b.seq - a.seq)
      .slice(0, query.limit);
  }

  async attempts(deliveryId: string): Promise<WebhookAttempt[]> {
    return this.#state()
      .attempts.filter((a) => a.deliveryId === deliveryId)
      .sort((a, b) => time(a.attemptedAt) - time(b.attemptedAt));
  }
}

export function emptyWebhookState(): WebhookState {
  return { endpoints: [], secrets: [], deliveries: [], attempts: [], seq: 0 };
}

/**
 * `WebhookStore` in memory, over the event log of an in-memory messaging store (`messaging`): its
 * transaction is the messaging store's (which claims the subscriber's cursor), with the webhook
 * state restored when the work throws. Calls outside a transaction are atomic (synchronous bodies).
 *
 * @example
 * ```ts
 * const messaging = new InMemoryMessagingStore();
 * const webhooks = new InMemoryWebhookStore(messaging);
 * ```
 */
export class InMemoryWebhookStore implements WebhookStore {
  #state: WebhookState = emptyWebhookState();
  readonly #messaging: EventStore<LoggedEvent, EventLogUnit<LoggedEvent>>;
  readonly events: EventLogOf<never, LoggedEvent>;
  readonly webhookEndpoints: WebhookEndpointRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;

  /** @param options.audit where endpoint writes' audit rows go (absent: they are dropped). */
  constructor(
    messaging: EventStore<LoggedEvent, EventLogUnit<LoggedEvent>>,
    options: { readonly audit?: AuditLog } = {},
  ) {
    this.#messaging = messaging;
    this.events = messaging.events;
    this.webhookEndpoints = new InMemoryWebhookEndpointRepository(() => this.#state, options.audit);
    this.webhookDeliveries = new InMemoryWebhookDeliveryRepository(() => this.#state);
  }

  /** The raw state, for contract suites' raw readers. */
  get state(): WebhookState {
    return this.#state;
  }

  async transaction<T>(work: (tx: WebhookRepositories) => Promise<T>): Promise<T> {
    return this.#messaging.transaction(async (tx) => {
      const before = copyState(this.#state);
      try {
        return await work({
          events: tx.events,
          webhookEndpoints: this.webhookEndpoints,
          webhookDeliveries: this.webhookDeliveries,
        });
      } catch (error) {
        this.#state = before;
        throw error;
      }
    });
  }
}
