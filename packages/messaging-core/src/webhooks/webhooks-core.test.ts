import { describe, expect, it } from 'vitest';
import { createAdminNotificationsCore } from '../alerts/admin-notifications-core.js';
import { InMemoryAdminNotificationRepository } from '../alerts/testing/in-memory-admin-notification-repository.js';
import { communityPolicy } from '../conversations/policy/community-policy.js';
import { InMemoryOutboundAddressGuard } from '../email/testing/in-memory-outbound-address-guard.js';
import { ReversibleSecretCipher } from '../email/testing/reversible-secret-cipher.js';
import { createEventDispatcher } from '../kernel/events/event-dispatcher.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { createInMemoryMessaging } from '../testing/in-memory-messaging.js';
import { WEBHOOK_RETRY_WINDOW_MS, webhookRetryDelayMs } from './model/webhook-delivery.js';
import type { WebhookOwner } from './model/webhook-endpoint.js';
import { InMemoryWebhookStore } from './testing/in-memory-webhook-store.js';
import { InMemoryWebhookTransport, sequentialWebhookSecrets } from './testing/in-memory-webhook-transport.js';
import { createWebhooksCore } from './webhooks-core.js';

const PLATFORM: WebhookOwner = { kind: 'platform' };

async function setup() {
  const clock = new FixedClock(new Date('2026-03-01T10:00:00.000Z'));
  const messaging = createInMemoryMessaging({ clock });
  const { directory, core } = messaging;
  const now = clock.now();
  for (const store of ['acme', 'globex']) {
    await directory.upsertStore({ id: store, name: store, tier: 'business' }, now);
    await directory.upsertPlatformUser(
      {
        id: `${store}-sam`,
        name: 'Sam',
        email: `sam@${store}.test`,
        role: 'store',
        storeId: store,
        locale: 'en',
      },
      now,
    );
    await directory.upsertCustomer(
      { id: `${store}-ana`, storeId: store, name: 'Ana', email: `ana@${store}.test`, locale: 'en' },
      now,
    );
  }
  const store = new InMemoryWebhookStore(messaging.store);
  const transport = new InMemoryWebhookTransport();
  const guard = new InMemoryOutboundAddressGuard({
    records: { 'hooks.example': ['93.184.215.14'], 'internal.example': ['10.1.2.3'] },
  });
  const alerts = new InMemoryAdminNotificationRepository();
  const adminNotifications = createAdminNotificationsCore({ notifications: alerts, clock });
  const webhooks = createWebhooksCore({
    store,
    cipher: new ReversibleSecretCipher(),
    outboundGuard: guard,
    transport,
    newSecret: sequentialWebhookSecrets(),
    raiseAdminNotification: adminNotifications.raiseAdminNotification,
    clock,
    ids: new SequentialIds(),
  });
  const dispatcher = createEventDispatcher({ store, subscribers: [webhooks.subscriber()] });
  const sam = (tenant: string) => ({ type: 'store', id: `${tenant}-sam`, tenantId: tenant });
  const start = async (tenant: string, text: string) =>
    core.createConversation(sam(tenant), {
      conversationType: 'store_customer',
      subject: `Order ${text}`,
      recipient: { type: 'customer', id: `${tenant}-ana` },
      initialMessage: text,
    });
  /** Dispatches, then runs the worker until a run attempts nothing; returns the runs' sums. */
  const run = async () => {
    await dispatcher.drain();
    const total = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    for (let i = 0; i < 20; i += 1) {
      const result = await webhooks.processDeliveries({ workerId: 'w' });
      if (result.attempted === 0) break;
      total.attempted += result.attempted;
      total.delivered += result.delivered;
      total.retrying += result.retrying;
      total.failed += result.failed;
    }
    return total;
  };
  return { clock, core, webhooks, store, transport, guard, adminNotifications, dispatcher, sam, start, run };
}

const bodyOf = (body: string) => JSON.parse(body) as { type: string; data: Record<string, unknown> };

describe('webhooks core', () => {
  it('registers an endpoint with a secret shown once, stored sealed, and delivers matching events signed with it', async () => {
    const t = await setup();
    const { endpoint, secret } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/parley',
      eventTypes: ['message.sent'],
      description: ' orders ',
    });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({
      url: 'https://hooks.example/parley',
      description: 'orders',
      tenantIds: null,
    });
    expect(t.store.state.secrets[0]?.sealed).not.toContain(secret);
    const { conversation } = await t.start('acme', 'hello');
    const result = await t.run();
    expect(result).toMatchObject({ attempted: 1, delivered: 1 });
    expect(t.transport.requests.length).toBe(1);
    const [request] = t.transport.requests;
    expect(request?.secrets).toEqual([secret]);
    expect(request?.address).toBe('93.184.215.14');
    const body = bodyOf(request?.body ?? '{}');
    expect(body.type).toBe('message.sent');
    expect(body.data).toMatchObject({ tenant_id: 'acme', conversation_id: conversation.id });
    expect(request?.messageId).toBe(body.data.event_id);
  });

  it('validates the URL, event types against the known list and the tenant filter, naming the field', async () => {
    const { webhooks } = await setup();
    const bad = async (
      input: Parameters<typeof webhooks.createEndpoint>[1],
      owner: WebhookOwner = PLATFORM,
    ) =>
      webhooks.createEndpoint(owner, input).then(
        () => null,
        (error: { code: string; field?: string }) => [error.code, error.field],
      );
    expect(await bad({ url: 'ftp://hooks.example/', eventTypes: ['*'] })).toEqual(['VALIDATION', 'url']);
    expect(await bad({ url: 'https://u:p@hooks.example/', eventTypes: ['*'] })).toEqual([
      'VALIDATION',
      'url',
    ]);
    expect(await bad({ url: 'https://hooks.example/', eventTypes: [] })).toEqual([
      'VALIDATION',
      'event_types',
    ]);
    expect(await bad({ url: 'https://hooks.example/', eventTypes: ['message.exploded'] })).toEqual([
      'VALIDATION',
      'event_types',
    ]);
    expect(await bad({ url: 'https://hooks.example/', eventTypes: ['*'], tenantIds: [] })).toEqual([
      'VALIDATION',
      'tenant_ids',
    ]);
    expect(
      await bad(
        { url: 'https://hooks.example/', eventTypes: ['*'], tenantIds: ['acme'] },
        { kind: 'tenant', tenantId: 'acme' },
      ),
    ).toEqual(['VALIDATION', 'tenant_ids']);
  });

  it('refuses targets resolving to non-public addresses at registration (SSRF)', async () => {
    const { webhooks } = await setup();
    for (const url of [
      'http://127.0.0.1/',
      'http://localhost:8080/',
      'http://[::1]/',
      'http://169.254.169.254/latest',
      'http://10.0.0.8/',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://0.0.0.0/',
      'https://internal.example/',
    ]) {
      await expect(webhooks.createEndpoint(PLATFORM, { url, eventTypes: ['*'] }), url).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'url',
      });
    }
  });

  it('re-resolves at delivery time: a host that turned private is refused, logged and retried', async () => {
    const t = await setup();
    await t.webhooks.createEndpoint(PLATFORM, { url: 'https://hooks.example/', eventTypes: ['*'] });
    t.guard.setRecords('hooks.example', ['192.168.1.10']);
    await t.start('acme', 'rebinding');
    const result = await t.run();
    // conversation.created is refused and retried later; message.sent waits behind it.
    expect(result).toMatchObject({ retrying: 1, delivered: 0 });
    expect(t.transport.requests).toEqual([]);
    const endpoint = (await t.webhooks.listEndpoints(PLATFORM)).items[0];
    const page = await t.webhooks.listDeliveries(PLATFORM, endpoint?.id ?? '');
    const detail = await t.webhooks.getDelivery(PLATFORM, endpoint?.id ?? '', page.items.at(-1)?.id ?? '');
    expect(detail.attempts[0]?.error).toMatch(/192\.168\.1\.10 is not a public address/);
  });

  it('keeps tenants apart: a tenant endpoint gets its events only, a platform filter its tenants only', async () => {
    const t = await setup();
    const acme = t.webhooks.tenantOwnerOf(t.sam('acme'));
    const mine = await t.webhooks.createEndpoint(acme, {
      url: 'https://hooks.example/acme',
      eventTypes: ['*'],
    });
    const filtered = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/globex',
      eventTypes: ['conversation.created'],
      tenantIds: ['globex'],
    });
    await t.start('acme', 'a');
    await t.start('globex', 'g');
    await t.run();
    const to = (url: string) =>
      t.transport.requests
        .filter((r) => r.url === url)
        .map((r) => `${bodyOf(r.body).type}@${bodyOf(r.body).data.tenant_id}`);
    expect(to(mine.endpoint.url)).toEqual(['conversation.created@acme', 'message.sent@acme']);
    expect(to(filtered.endpoint.url)).toEqual(['conversation.created@globex']);
    // Another tenant's endpoint answers like a missing one.
    const globex = t.webhooks.tenantOwnerOf(t.sam('globex'));
    await expect(t.webhooks.getEndpoint(globex, mine.endpoint.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `webhook ${mine.endpoint.id} not found`,
    });
    await expect(t.webhooks.getEndpoint(globex, 'nope')).rejects.toMatchObject({
      message: 'webhook nope not found',
    });
    expect(() => t.webhooks.tenantOwnerOf({ type: 'customer', id: 'acme-ana', tenantId: 'acme' })).toThrow(
      /store users/,
    );
  });

  it('lets community admins manage their community webhooks, and nobody else', async () => {
    const t = await setup();
    const core = createWebhooksCore({
      store: t.store,
      cipher: new ReversibleSecretCipher(),
      outboundGuard: t.guard,
      transport: t.transport,
      newSecret: sequentialWebhookSecrets(),
      policy: communityPolicy,
    });
    expect(core.tenantOwnerOf({ type: 'admin', id: 'a', tenantId: 'north' })).toEqual({
      kind: 'tenant',
      tenantId: 'north',
    });
    expect(() => core.tenantOwnerOf({ type: 'mentor', id: 'm', tenantId: 'north' })).toThrow();
  });

  it('delivers in order per conversation: a failing head holds its conversation back, not the others', async () => {
    const t = await setup();
    await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['message.sent'],
    });
    const first = await t.start('acme', 'one');
    const second = await t.start('globex', 'two');
    await t.core.sendMessage(t.sam('acme'), { conversationId: first.conversation.id, content: 'one-b' });
    let failFirst = true;
    t.transport.respond = (request) => {
      const conversation = bodyOf(request.body).data.conversation_id;
      if (conversation === first.conversation.id && failFirst)
        return { kind: 'response', statusCode: 503, bodySnippet: 'busy', durationMs: 3 };
      return { kind: 'response', statusCode: 204, bodySnippet: '', durationMs: 2 };
    };
    await t.dispatcher.drain();
    const round1 = await t.webhooks.processDeliveries({ workerId: 'w' });
    expect(round1).toMatchObject({ delivered: 1, retrying: 1 });
    // The second message of the first conversation waits behind the first, even once due.
    t.clock.advance(1_000);
    expect(await t.webhooks.processDeliveries({ workerId: 'w' })).toMatchObject({ attempted: 0 });
    failFirst = false;
    t.clock.advance(webhookRetryDelayMs(1));
    expect(await t.webhooks.processDeliveries({ workerId: 'w' })).toMatchObject({ delivered: 1 });
    expect(await t.webhooks.processDeliveries({ workerId: 'w' })).toMatchObject({ delivered: 1 });
    const order = t.transport.requests
      .filter((r) => bodyOf(r.body).data.conversation_id === first.conversation.id)
      .map((r) => r.messageId);
    expect(order.length).toBe(3);
    expect(order[0]).toBe(order[1]);
    expect(Number(order[2])).toBeGreaterThan(Number(order[1]));
    expect(second.conversation.id).not.toBe(first.conversation.id);
  });

  it('retries with exponential backoff for 24 h, then fails, disables the endpoint and notifies the admins once', async () => {
    const t = await setup();
    const { endpoint } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['conversation.created'],
    });
    t.transport.respond = () => ({
      kind: 'response',
      statusCode: 500,
      bodySnippet: 'x'.repeat(5000),
      durationMs: 4,
    });
    await t.start('acme', 'doomed');
    await t.dispatcher.drain();
    const times: number[] = [];
    const startedAt = t.clock.now().getTime();
    for (let i = 0; i < 200; i += 1) {
      // Not due a moment before its time.
      t.clock.advance(-1);
      expect((await t.webhooks.processDeliveries({ workerId: 'w' })).attempted).toBe(0);
      t.clock.advance(1);
      const result = await t.webhooks.processDeliveries({ workerId: 'w' });
      expect(result.attempted).toBe(1);
      times.push(t.clock.now().getTime() - startedAt);
      if (result.disabledEndpoints.length > 0) break;
      const [pending] = (await t.webhooks.listDeliveries(PLATFORM, endpoint.id)).items;
      t.clock.set(pending?.nextAttemptAt ?? new Date(0));
    }
    const gaps = times.slice(1).map((time, i) => time - (times[i] as number));
    // 5 s, 10 s, 20 s … doubling, capped at an hour.
    expect(gaps).toEqual(gaps.map((_, i) => webhookRetryDelayMs(i + 1)));
    expect(gaps.slice(0, 4)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(gaps.at(-1)).toBe(3_600_000);
    expect(times.at(-1)).toBeLessThanOrEqual(WEBHOOK_RETRY_WINDOW_MS);
    expect(times.at(-1)).toBeGreaterThan(WEBHOOK_RETRY_WINDOW_MS - 3_600_000);
    const disabled = await t.webhooks.getEndpoint(PLATFORM, endpoint.id);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const [delivery] = (await t.webhooks.listDeliveries(PLATFORM, endpoint.id)).items;
    expect(delivery?.status).toBe('failed');
    const detail = await t.webhooks.getDelivery(PLATFORM, endpoint.id, delivery?.id ?? '');
    expect(detail.attempts.length).toBe(times.length);
    expect(detail.attempts[0]?.responseSnippet?.length).toBe(1024);
    const admin = { type: 'admin', id: 'root', tenantId: null };
    const notes = await t.adminNotifications.list(admin);
    expect(notes.items.map((n) => [n.title, n.priority, n.metadata.endpoint_id])).toEqual([
      ['Webhook endpoint disabled', 'high', endpoint.id],
    ]);
    // Disabled: new events are not enqueued; re-enabled, a retried delivery goes out again.
    await t.start('acme', 'while disabled');
    await t.dispatcher.drain();
    expect((await t.webhooks.listDeliveries(PLATFORM, endpoint.id)).items.length).toBe(1);
    t.transport.respond = () => ({ kind: 'response', statusCode: 200, bodySnippet: 'ok', durationMs: 1 });
    await t.webhooks.updateEndpoint(PLATFORM, endpoint.id, { enabled: true });
    const retried = await t.webhooks.retryDelivery(PLATFORM, endpoint.id, delivery?.id ?? '');
    expect(retried.status).toBe('pending');
    expect(await t.webhooks.processDeliveries({ workerId: 'w' })).toMatchObject({ delivered: 1 });
    expect(t.transport.requests.at(-1)?.messageId).toBe(delivery?.messageId);
  });

  it('rotates secrets: both sign for 24 h, then only the new one', async () => {
    const t = await setup();
    const { endpoint, secret: old } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
    });
    const rotated = await t.webhooks.rotateSecret(PLATFORM, endpoint.id);
    expect(rotated.previousSecretExpiresAt).toEqual(new Date(t.clock.now().getTime() + 86_400_000));
    const ping = await t.webhooks.sendTest(PLATFORM, endpoint.id);
    expect(ping.delivery.status).toBe('delivered');
    expect(t.transport.requests.at(-1)?.secrets).toEqual([rotated.secret, old]);
    t.clock.advance(86_400_000);
    await t.webhooks.sendTest(PLATFORM, endpoint.id);
    expect(t.transport.requests.at(-1)?.secrets).toEqual([rotated.secret]);
  });

  it('pings now and logs the attempt; a failed ping is not retried and never disables the endpoint', async () => {
    const t = await setup();
    const { endpoint } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
    });
    t.transport.respond = () => ({ kind: 'error', error: 'connect ECONNREFUSED', durationMs: 2 });
    const ping = await t.webhooks.sendTest(PLATFORM, endpoint.id);
    expect(ping.delivery).toMatchObject({ status: 'failed', eventType: 'webhook.ping', attemptCount: 1 });
    expect(ping.attempts.map((a) => [a.statusCode, a.error])).toEqual([[null, 'connect ECONNREFUSED']]);
    expect(bodyOf(t.transport.requests[0]?.body ?? '{}').type).toBe('webhook.ping');
    t.clock.advance(3_600_000);
    expect(await t.webhooks.processDeliveries({ workerId: 'w' })).toMatchObject({ attempted: 0 });
    expect((await t.webhooks.getEndpoint(PLATFORM, endpoint.id)).enabled).toBe(true);
  });

  it('pages deliveries newest first with a cursor and refuses a foreign cursor', async () => {
    const t = await setup();
    const { endpoint } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
    });
    for (const n of [1, 2, 3]) await t.start('acme', `n${n}`);
    await t.dispatcher.drain();
    const first = await t.webhooks.listDeliveries(PLATFORM, endpoint.id, { limit: 4 });
    expect(first.items.length).toBe(4);
    const rest = await t.webhooks.listDeliveries(PLATFORM, endpoint.id, {
      limit: 4,
      cursor: first.nextCursor ?? '',
    });
    expect(rest.items.length).toBe(2);
    expect(rest.nextCursor).toBeNull();
    expect([...first.items, ...rest.items].map((d) => d.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    const endpoints = await t.webhooks.listEndpoints(PLATFORM, { limit: 1 });
    await expect(
      t.webhooks.listDeliveries(PLATFORM, endpoint.id, { cursor: endpoints.nextCursor ?? 'x' }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'cursor' });
  });

  it('never sends unsigned: a secret the key ring cannot open fails the attempt, which is logged and retried', async () => {
    const t = await setup();
    const { endpoint } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
    });
    const lostKeys = createWebhooksCore({
      store: t.store,
      cipher: {
        encrypt: (plaintext) => plaintext,
        decrypt: () => {
          throw new Error('unknown key id k0');
        },
        needsRotation: () => false,
      },
      outboundGuard: t.guard,
      transport: t.transport,
      newSecret: sequentialWebhookSecrets(),
      clock: t.clock,
    });
    await t.start('acme', 'sealed');
    await t.dispatcher.drain();
    expect(await lostKeys.processDeliveries({ workerId: 'w' })).toMatchObject({ retrying: 1, errors: [] });
    expect(t.transport.requests).toEqual([]);
    const [delivery] = (await t.webhooks.listDeliveries(PLATFORM, endpoint.id)).items.slice(-1);
    expect(delivery?.lastError).toMatch(/signing secret could not be opened \(unknown key id k0\)/);
  });

  it('deletes an endpoint: it answers 404 afterwards and receives nothing more', async () => {
    const t = await setup();
    const { endpoint } = await t.webhooks.createEndpoint(PLATFORM, {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
    });
    await t.webhooks.deleteEndpoint(PLATFORM, endpoint.id);
    await expect(t.webhooks.getEndpoint(PLATFORM, endpoint.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await t.start('acme', 'after');
    expect(await t.run()).toMatchObject({ attempted: 0 });
  });
});
