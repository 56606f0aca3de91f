import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookAttempt, WebhookDelivery } from '../../model/webhook-delivery.js';
import type { WebhookEndpoint, WebhookOwner, WebhookSecret } from '../../model/webhook-endpoint.js';
import type { NewWebhookDelivery } from '../../ports/webhook-delivery-repository.js';
import type { WebhookStore } from '../../ports/webhook-store.js';

/** Reads the webhook tables directly (SQL for a database, the arrays in memory). */
export interface WebhookRawReader {
  /** Every secret row of an endpoint, oldest first. */
  secrets(endpointId: string): Promise<WebhookSecret[]>;
  delivery(
    id: string,
  ): Promise<Pick<WebhookDelivery, 'id' | 'status' | 'attemptCount' | 'nextAttemptAt'> | null>;
  /** How many delivery and attempt rows exist for an endpoint. */
  counts(endpointId: string): Promise<{ deliveries: number; attempts: number }>;
}

export interface WebhookStoreContractTarget {
  /** A store over empty webhook tables. */
  readonly store: WebhookStore;
  readonly raw: WebhookRawReader;
  readonly teardown?: () => Promise<void>;
}

export interface WebhookStoreContractOptions {
  readonly name: string;
  readonly setup: () => Promise<WebhookStoreContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);
const PLATFORM: WebhookOwner = { kind: 'platform' };
const ACME: WebhookOwner = { kind: 'tenant', tenantId: 'acme' };
const GLOBEX: WebhookOwner = { kind: 'tenant', tenantId: 'globex' };
const uuid = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

function endpoint(n: number, owner: WebhookOwner, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id: uuid(n),
    owner,
    url: `https://hooks.example/${n}`,
    eventTypes: ['*'],
    tenantIds: owner.kind === 'tenant' ? [owner.tenantId] : null,
    description: `endpoint ${n}`,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    createdAt: at(n),
    updatedAt: at(n),
    ...overrides,
  };
}

function secret(n: number, endpointId: string, createdAt = at(0)): WebhookSecret {
  return { id: uuid(1000 + n), endpointId, sealed: `sealed-${n}`, createdAt, expiresAt: null };
}

function delivery(
  n: number,
  endpointId: string,
  overrides: Partial<NewWebhookDelivery> = {},
): NewWebhookDelivery {
  return {
    id: uuid(2000 + n),
    endpointId,
    eventId: String(n),
    messageId: String(n),
    eventType: 'message.sent',
    orderingKey: 'conversation:c1',
    body: `{"n":${n}}`,
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: at(0),
    giveUpAt: at(86_400),
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
    createdAt: at(0),
    ...overrides,
  };
}

function attempt(n: number, deliveryId: string, statusCode: number | null, seconds: number): WebhookAttempt {
  return {
    id: uuid(3000 + n),
    deliveryId,
    attemptedAt: at(seconds),
    statusCode,
    durationMs: 12,
    error: statusCode === 200 ? null : 'HTTP 500',
    responseSnippet: statusCode === null ? null : 'ok',
  };
}

/**
 * The behaviour every `WebhookStore` adapter must show — endpoints and their owners, secret
 * rotation, the delivery outbox (idempotent enqueue, one delivery at a time per endpoint and
 * ordering key, leases and fencing, requeue, keyset pages); writes are checked through the raw
 * reader.
 *
 * @example
 * ```ts
 * webhookStoreContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function webhookStoreContract(options: WebhookStoreContractOptions): void {
  describe(`WebhookStore contract: ${options.name}`, () => {
    let target: WebhookStoreContractTarget;
    beforeEach(async () => {
      target = await options.setup();
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('keeps endpoints to their owner: a tenant sees only its own, the platform finds any but lists its own', async () => {
      const { webhookEndpoints } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookEndpoints.create(endpoint(2, ACME), secret(2, uuid(2)));
      await webhookEndpoints.create(endpoint(3, GLOBEX), secret(3, uuid(3)));
      expect(await webhookEndpoints.find(uuid(2), ACME)).toEqual(endpoint(2, ACME));
      expect(await webhookEndpoints.find(uuid(2), GLOBEX)).toBeNull();
      expect(await webhookEndpoints.find(uuid(1), ACME)).toBeNull();
      expect((await webhookEndpoints.find(uuid(3), PLATFORM))?.owner).toEqual(GLOBEX);
      expect((await webhookEndpoints.list(PLATFORM, { limit: 10 })).map((e) => e.id)).toEqual([uuid(1)]);
      expect((await webhookEndpoints.list(ACME, { limit: 10 })).map((e) => e.id)).toEqual([uuid(2)]);
      expect(await webhookEndpoints.update(uuid(2), GLOBEX, { description: 'x', at: at(9) })).toBeNull();
      expect(await webhookEndpoints.delete(uuid(2), GLOBEX)).toBe(false);
      expect((await webhookEndpoints.listEnabledFor(['acme'])).map((e) => e.id).sort()).toEqual([
        uuid(1),
        uuid(2),
      ]);
      expect((await webhookEndpoints.listEnabledFor([null])).map((e) => e.id)).toEqual([uuid(1)]);
    });

    it('pages endpoints oldest first after a cursor', async () => {
      const { webhookEndpoints } = target.store;
      for (const n of [4, 5, 6]) await webhookEndpoints.create(endpoint(n, PLATFORM), secret(n, uuid(n)));
      const first = await webhookEndpoints.list(PLATFORM, { limit: 2 });
      expect(first.map((e) => e.id)).toEqual([uuid(4), uuid(5)]);
      const last = first[1] as WebhookEndpoint;
      const next = await webhookEndpoints.list(PLATFORM, {
        limit: 2,
        after: { createdAt: last.createdAt, id: last.id },
      });
      expect(next.map((e) => e.id)).toEqual([uuid(6)]);
    });

    it('updates fields, disables with a reason and re-enables', async () => {
      const { webhookEndpoints } = target.store;
      await webhookEndpoints.create(endpoint(1, ACME), secret(1, uuid(1)));
      const disabled = await webhookEndpoints.update(uuid(1), PLATFORM, {
        enabled: false,
        disabledReason: 'failing',
        eventTypes: ['message.sent'],
        at: at(50),
      });
      expect(disabled).toMatchObject({
        enabled: false,
        disabledReason: 'failing',
        eventTypes: ['message.sent'],
      });
      expect(disabled?.disabledAt).toEqual(at(50));
      expect(disabled?.updatedAt).toEqual(at(50));
      expect(await webhookEndpoints.listEnabledFor(['acme'])).toEqual([]);
      const enabled = await webhookEndpoints.update(uuid(1), ACME, {
        enabled: true,
        url: 'https://x.example/',
        at: at(60),
      });
      expect(enabled).toMatchObject({
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        url: 'https://x.example/',
      });
      expect((await webhookEndpoints.find(uuid(1), ACME))?.url).toBe('https://x.example/');
    });

    it('rotates secrets: the previous ones expire at the given time, the new one is current', async () => {
      const { webhookEndpoints } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1), at(0)));
      await webhookEndpoints.rotateSecret(secret(2, uuid(1), at(10)), at(10 + 86_400));
      const raw = await target.raw.secrets(uuid(1));
      expect(raw.map((s) => [s.sealed, s.expiresAt?.toISOString() ?? null])).toEqual([
        ['sealed-1', at(10 + 86_400).toISOString()],
        ['sealed-2', null],
      ]);
      expect((await webhookEndpoints.activeSecrets(uuid(1), at(20))).map((s) => s.sealed)).toEqual([
        'sealed-2',
        'sealed-1',
      ]);
      expect((await webhookEndpoints.activeSecrets(uuid(1), at(10 + 86_400))).map((s) => s.sealed)).toEqual([
        'sealed-2',
      ]);
      // A second rotation within the overlap does not extend the oldest secret's life.
      await webhookEndpoints.rotateSecret(secret(3, uuid(1), at(20)), at(20 + 86_400));
      const after = await target.raw.secrets(uuid(1));
      expect(after.map((s) => s.expiresAt?.toISOString() ?? null)).toEqual([
        at(10 + 86_400).toISOString(),
        at(20 + 86_400).toISOString(),
        null,
      ]);
    });

    it('enqueues each event once per endpoint and deletes an endpoint with its deliveries and attempts', async () => {
      const { webhookEndpoints, webhookDeliveries } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookEndpoints.create(endpoint(2, PLATFORM), secret(2, uuid(2)));
      expect(
        await webhookDeliveries.enqueue([
          delivery(1, uuid(1)),
          delivery(2, uuid(2), { eventId: '1', messageId: '1' }),
        ]),
      ).toBe(2);
      expect(await webhookDeliveries.enqueue([delivery(3, uuid(1), { eventId: '1', messageId: '1' })])).toBe(
        0,
      );
      const claimed = await webhookDeliveries.claimDue(at(0), 10, 60_000, 'w1');
      expect(claimed.map((c) => c.delivery.id).sort()).toEqual([uuid(2001), uuid(2002)]);
      await webhookDeliveries.recordAttempt(uuid(2001), 'w1', attempt(1, uuid(2001), 500, 0), {
        kind: 'retry',
        nextAttemptAt: at(5),
      });
      expect(await target.raw.counts(uuid(1))).toEqual({ deliveries: 1, attempts: 1 });
      expect(await webhookEndpoints.delete(uuid(1), PLATFORM)).toBe(true);
      expect(await target.raw.counts(uuid(1))).toEqual({ deliveries: 0, attempts: 0 });
      expect(await target.raw.secrets(uuid(1))).toEqual([]);
      expect(await target.raw.counts(uuid(2))).toEqual({ deliveries: 1, attempts: 0 });
    });

    it('claims only the head of each endpoint and key, when due, unleased and enabled', async () => {
      const { webhookEndpoints, webhookDeliveries } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookEndpoints.create(
        endpoint(2, PLATFORM, { enabled: false, disabledReason: 'manual', disabledAt: at(2) }),
        secret(2, uuid(2)),
      );
      await webhookDeliveries.enqueue([
        delivery(1, uuid(1)),
        delivery(2, uuid(1)),
        delivery(3, uuid(1), { orderingKey: 'conversation:c2' }),
        delivery(4, uuid(1), { orderingKey: 'conversation:c3', nextAttemptAt: at(30) }),
        delivery(5, uuid(2), { orderingKey: 'conversation:c4' }),
      ]);
      const first = await webhookDeliveries.claimDue(at(0), 10, 60_000, 'w1');
      expect(first.map((c) => c.delivery.eventId)).toEqual(['1', '3']);
      expect(first[0]?.delivery.seq).toBeLessThan(first[1]?.delivery.seq ?? 0);
      // Leased: nobody else gets them until the lease runs out; the next of c1 waits behind its head.
      expect(await webhookDeliveries.claimDue(at(10), 10, 60_000, 'w2')).toEqual([]);
      // The head fails and is retried later: the key stays blocked behind it.
      expect(
        await webhookDeliveries.recordAttempt(uuid(2001), 'w1', attempt(1, uuid(2001), 500, 10), {
          kind: 'retry',
          nextAttemptAt: at(40),
        }),
      ).toBe(true);
      expect(
        (await webhookDeliveries.claimDue(at(35), 10, 60_000, 'w2')).map((c) => c.delivery.eventId),
      ).toEqual(['4']);
      // w1's lease on 3 ran out at 60 s: w3 takes it over, and w1 can no longer record.
      const takeover = await webhookDeliveries.claimDue(at(61), 10, 60_000, 'w3');
      expect(takeover.map((c) => c.delivery.eventId)).toEqual(['1', '3']);
      expect(
        await webhookDeliveries.recordAttempt(uuid(2003), 'w1', attempt(2, uuid(2003), 200, 61), {
          kind: 'delivered',
        }),
      ).toBe(false);
      expect(
        await webhookDeliveries.recordAttempt(uuid(2001), 'w3', attempt(3, uuid(2001), 200, 61), {
          kind: 'delivered',
        }),
      ).toBe(true);
      expect(await target.raw.delivery(uuid(2001))).toMatchObject({ status: 'delivered', attemptCount: 2 });
      expect(
        (await webhookDeliveries.claimDue(at(62), 10, 60_000, 'w4')).map((c) => c.delivery.eventId),
      ).toEqual(['2']);
      expect((await webhookDeliveries.attempts(uuid(2001))).map((a) => a.statusCode)).toEqual([500, 200]);
    });

    it('claims one delivery by id whatever its due time, and requeues any delivery with a fresh window', async () => {
      const { webhookEndpoints, webhookDeliveries } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookDeliveries.enqueue([
        delivery(1, uuid(1), { eventId: null, messageId: 'ping_1', nextAttemptAt: at(600) }),
      ]);
      const one = await webhookDeliveries.claimOne(uuid(2001), at(0), 60_000, 'test');
      expect(one?.delivery.messageId).toBe('ping_1');
      expect(await webhookDeliveries.claimOne(uuid(2001), at(1), 60_000, 'other')).toBeNull();
      await webhookDeliveries.recordAttempt(uuid(2001), 'test', attempt(1, uuid(2001), 503, 1), {
        kind: 'failed',
      });
      expect(await target.raw.delivery(uuid(2001))).toMatchObject({ status: 'failed', attemptCount: 1 });
      expect(await webhookDeliveries.requeue(uuid(2), uuid(2001), at(5), at(100))).toBeNull();
      const requeued = await webhookDeliveries.requeue(uuid(1), uuid(2001), at(5), at(100));
      expect(requeued).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(5),
        giveUpAt: at(100),
        attemptCount: 1,
      });
      expect((await webhookDeliveries.claimDue(at(5), 10, 60_000, 'w')).map((c) => c.delivery.id)).toEqual([
        uuid(2001),
      ]);
    });

    it('pages deliveries newest first by seq, filtered by status', async () => {
      const { webhookEndpoints, webhookDeliveries } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookDeliveries.enqueue(
        [1, 2, 3, 4].map((n) => delivery(n, uuid(1), { orderingKey: `k${n}` })),
      );
      const claimed = await webhookDeliveries.claimDue(at(0), 1, 60_000, 'w');
      await webhookDeliveries.recordAttempt(
        claimed[0]?.delivery.id ?? '',
        'w',
        attempt(1, claimed[0]?.delivery.id ?? '', 200, 0),
        { kind: 'delivered' },
      );
      const page = await webhookDeliveries.list(uuid(1), { limit: 2 });
      expect(page.map((d) => d.eventId)).toEqual(['4', '3']);
      const next = await webhookDeliveries.list(uuid(1), { limit: 2, beforeSeq: page[1]?.seq ?? 0 });
      expect(next.map((d) => d.eventId)).toEqual(['2', '1']);
      expect(
        (await webhookDeliveries.list(uuid(1), { limit: 10, status: 'delivered' })).map((d) => d.eventId),
      ).toEqual(['1']);
      expect(await webhookDeliveries.find(uuid(2), uuid(2001))).toBeNull();
    });

    it('never hands one delivery to two concurrent claimers', async () => {
      const { webhookEndpoints, webhookDeliveries } = target.store;
      await webhookEndpoints.create(endpoint(1, PLATFORM), secret(1, uuid(1)));
      await webhookDeliveries.enqueue(
        Array.from({ length: 20 }, (_, i) => delivery(i + 1, uuid(1), { orderingKey: `k${i}` })),
      );
      const claims = await Promise.all(
        ['a', 'b', 'c', 'd'].map((w) => webhookDeliveries.claimDue(at(0), 8, 60_000, w)),
      );
      const ids = claims.flat().map((c) => c.delivery.id);
      expect(new Set(ids).size).toBe(ids.length);
      // A claimer may skip rows another one was looking at (SKIP LOCKED): those wait for the next
      // poll, never for another claimer's lease. Later claims find exactly the rest.
      for (let round = 0; round < 5 && ids.length < 20; round += 1) {
        for (const claim of await webhookDeliveries.claimDue(at(0), 8, 60_000, 'e'))
          ids.push(claim.delivery.id);
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(20);
    });
  });
}
