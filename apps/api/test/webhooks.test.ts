import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookRetryDelayMs } from '@parley/messaging-core';
import { FixedClock } from '@parley/messaging-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { expectProblem } from './support/api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';
import {
  type ReceivedWebhook,
  signedWith,
  startWebhookReceiver,
  verifyWebhook,
  type WebhookReceiver,
} from './support/webhook-receiver.js';

const url = process.env.DATABASE_URL;
const usePostgres = url !== undefined && process.env.PARLEY_TEST_DB !== 'pglite';
const schema = `t_webhooks_${Math.random().toString(36).slice(2, 10)}`;
const databaseEnv: Record<string, string> = usePostgres
  ? { PARLEY_DATABASE_URL: url, PARLEY_DATABASE_SCHEMA: schema, PARLEY_DATABASE_POOL_SIZE: '4' }
  : {};

// Webhooks end to end through the API as `pnpm start` composes it (PostgreSQL with DATABASE_URL,
// else PGlite), delivering to a real HTTP receiver on loopback (allow-listed as an operator would
// with PARLEY_OUTBOUND_ALLOWED_CIDRS) that verifies signatures with the standardwebhooks package.
// The worker is driven by hand on a fake clock (started at the wall clock's now).
describe(`webhooks to the host platform (${usePostgres ? 'postgres' : 'pglite'})`, () => {
  let dir: string;
  let api: ComposedApi | undefined;
  let call: Call;
  let t: Tokens;
  let receiver: WebhookReceiver;
  const clock = new FixedClock(new Date());

  const composeApi = (env: Record<string, string>, options: { clock?: FixedClock } = {}) =>
    compose(
      parseConfig(
        {
          ...databaseEnv,
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          ...env,
        },
        dir,
      ),
      options.clock ? { clock: options.clock } : {},
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-webhooks-'));
    receiver = await startWebhookReceiver();
    api = await composeApi({ PARLEY_OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8' }, { clock });
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  });

  afterAll(async () => {
    await api?.close();
    if (usePostgres) await dropSchema(schema);
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const register = async (token: string, body: Record<string, unknown>) => {
    const response = await call(
      'POST',
      token === t.service ? '/api/v1/platform/webhooks' : '/api/v1/store/webhooks',
      {
        token,
        body,
      },
    );
    expect(response.status, response.text).toBe(201);
    return response.body as { webhook: { id: string; url: string }; secret: string };
  };
  const startConversation = async (token: string, recipient: string, text: string) => {
    const response = await call('POST', '/api/v1/store/messages', {
      token,
      body: {
        conversation_type: 'store_customer',
        subject: text,
        recipient_type: 'customer',
        recipient_id: recipient,
        initial_message: text,
      },
    });
    expect(response.status, response.text).toBe(201);
    return response.body as { id: string };
  };
  const run = () => (api as ComposedApi).webhooks.worker.runOnce();
  const to = (path: string) => receiver.received.filter((r) => r.path === path);

  it('refuses targets that are or resolve to non-public addresses, naming url; allows the allow-listed loopback', async () => {
    for (const target of [
      'http://10.0.0.1/hook',
      'http://192.168.1.20/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://224.0.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://localhost/',
      'ftp://127.0.0.1/',
    ]) {
      const refused = await call('POST', '/api/v1/platform/webhooks', {
        token: t.service,
        body: { url: target, event_types: ['*'] },
      });
      expectProblem(refused, 400, 'VALIDATION', 'url');
    }
    const unknownType = await call('POST', '/api/v1/platform/webhooks', {
      token: t.service,
      body: { url: `${receiver.url}/x`, event_types: ['message.exploded'] },
    });
    expectProblem(unknownType, 400, 'VALIDATION', 'event_types');
    const created = await register(t.service, { url: `${receiver.url}/allowed`, event_types: ['*'] });
    expect(created.secret).toMatch(/^whsec_/);
    const shown = await call('GET', `/api/v1/platform/webhooks/${created.webhook.id}`, { token: t.service });
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(created.secret);
    expect(
      (await call('DELETE', `/api/v1/platform/webhooks/${created.webhook.id}`, { token: t.service })).status,
    ).toBe(204);
  });

  it("keeps a store's webhooks to its store: others answer 404, customers 403, services use the platform routes", async () => {
    const mine = await register(t.store1, {
      url: `${receiver.url}/s1`,
      event_types: ['conversation.created'],
    });
    expect(
      (await call('GET', `/api/v1/store/webhooks/${mine.webhook.id}`, { token: t.store1 })).body,
    ).toMatchObject({
      owner_tenant_id: 's1',
      tenant_ids: ['s1'],
    });
    const foreign = await call('GET', `/api/v1/store/webhooks/${mine.webhook.id}`, { token: t.store2 });
    const missing = await call('GET', '/api/v1/store/webhooks/nope', { token: t.store2 });
    expectProblem(foreign, 404, 'NOT_FOUND');
    expect(foreign.body.detail).toBe(`webhook ${mine.webhook.id} not found`);
    expect(missing.body.detail).toBe('webhook nope not found');
    expectProblem(await call('GET', '/api/v1/store/webhooks', { token: t.customer1 }), 403, 'FORBIDDEN');
    expectProblem(await call('GET', '/api/v1/platform/webhooks', { token: t.admin }), 403, 'FORBIDDEN');
    const filter = await call('POST', '/api/v1/store/webhooks', {
      token: t.store1,
      body: { url: `${receiver.url}/s1b`, event_types: ['*'], tenant_ids: ['s2'] },
    });
    expectProblem(filter, 400, 'VALIDATION', 'tenant_ids');
    // The store's endpoint sees only s1's events.
    await startConversation(t.store2, 'c3', 'other store');
    await startConversation(t.store1, 'c1', 'own store');
    await run();
    expect(to('/s1').map((r) => [r.json.type, r.json.data.tenant_id])).toEqual([
      ['conversation.created', 's1'],
    ]);
    expect(
      (await call('DELETE', `/api/v1/store/webhooks/${mine.webhook.id}`, { token: t.store2 })).status,
    ).toBe(404);
    expect(
      (await call('DELETE', `/api/v1/store/webhooks/${mine.webhook.id}`, { token: t.store1 })).status,
    ).toBe(204);
  });

  it('delivers events from the event log in order per conversation, signed per Standard Webhooks, the event id as webhook-id', async () => {
    const { secret, webhook } = await register(t.service, {
      url: `${receiver.url}/ordered`,
      event_types: ['conversation.created', 'message.sent'],
      tenant_ids: ['s1'],
    });
    const conversation = await startConversation(t.store1, 'c2', 'ordered');
    for (const text of ['two', 'three'])
      expect(
        (
          await call('POST', `/api/v1/store/messages/${conversation.id}/messages`, {
            token: t.store1,
            body: { content: text },
          })
        ).status,
      ).toBeLessThan(300);
    await startConversation(t.store2, 'c3', 'filtered out');
    for (let i = 0; i < 5; i += 1) await run();
    const got = to('/ordered');
    expect(got.map((r) => r.json.type)).toEqual([
      'conversation.created',
      'message.sent',
      'message.sent',
      'message.sent',
    ]);
    expect(new Set(got.map((r) => r.json.data.conversation_id))).toEqual(new Set([conversation.id]));
    const ids = got.map((r) => Number(r.json.data.event_id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const request of got) {
      expect(verifyWebhook(secret, request)).toEqual(request.json);
      expect(request.headers['webhook-id']).toBe(request.json.data.event_id);
      expect(request.headers['content-type']).toBe('application/json');
    }
    const deliveries = await call('GET', `/api/v1/platform/webhooks/${webhook.id}/deliveries?limit=3`, {
      token: t.service,
    });
    expect(deliveries.body.deliveries.map((d: { status: string }) => d.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
    ]);
    expect(deliveries.body.next_cursor).toEqual(expect.any(String));
    const next = await call(
      'GET',
      `/api/v1/platform/webhooks/${webhook.id}/deliveries?limit=3&cursor=${deliveries.body.next_cursor}`,
      { token: t.service },
    );
    expect(next.body.deliveries.map((d: { event_type: string }) => d.event_type)).toEqual([
      'conversation.created',
    ]);
    expect(next.body.next_cursor).toBeNull();
    const detail = await call(
      'GET',
      `/api/v1/platform/webhooks/${webhook.id}/deliveries/${next.body.deliveries[0].id}`,
      {
        token: t.service,
      },
    );
    expect(detail.body.attempts).toEqual([
      expect.objectContaining({
        status_code: 200,
        response_snippet: 'ok',
        error: null,
        duration_ms: expect.any(Number),
      }),
    ]);

    // Redelivery: the same webhook-id again, on request.
    const first = got[0] as ReceivedWebhook;
    const retried = await call(
      'POST',
      `/api/v1/platform/webhooks/${webhook.id}/deliveries/${next.body.deliveries[0].id}/retry`,
      { token: t.service },
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: 'pending', message_id: first.json.data.event_id });
    await run();
    expect(to('/ordered').at(-1)?.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(
      (
        await call('PATCH', `/api/v1/platform/webhooks/${webhook.id}`, {
          token: t.service,
          body: { enabled: false },
        })
      ).body,
    ).toMatchObject({
      enabled: false,
      disabled_reason: 'manual',
    });
  });

  it('pings on request and rotates secrets: both sign for 24 hours, then only the new one', async () => {
    const { secret: old, webhook } = await register(t.service, {
      url: `${receiver.url}/rotating`,
      event_types: ['*'],
    });
    const ping = await call('POST', `/api/v1/platform/webhooks/${webhook.id}/test`, { token: t.service });
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({
      delivery: { status: 'delivered', event_type: 'webhook.ping', attempt_count: 1 },
      attempts: [{ status_code: 200 }],
    });
    expect(verifyWebhook(old, to('/rotating').at(-1) as ReceivedWebhook)).toMatchObject({
      type: 'webhook.ping',
    });
    const rotated = await call('POST', `/api/v1/platform/webhooks/${webhook.id}/rotate-secret`, {
      token: t.service,
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).not.toBe(old);
    expect(Date.parse(rotated.body.previous_secret_expires_at) - clock.now().getTime()).toBe(86_400_000);
    await call('POST', `/api/v1/platform/webhooks/${webhook.id}/test`, { token: t.service });
    const during = to('/rotating').at(-1) as ReceivedWebhook;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(fresh, during)).toBeTruthy();
    expect(verifyWebhook(old, during)).toBeTruthy();
    clock.advance(86_400_000);
    await call('POST', `/api/v1/platform/webhooks/${webhook.id}/test`, { token: t.service });
    const after = to('/rotating').at(-1) as ReceivedWebhook;
    expect(signedWith(fresh, after)).toBe(true);
    expect(signedWith(old, after)).toBe(false);
    await call('DELETE', `/api/v1/platform/webhooks/${webhook.id}`, { token: t.service });
  });

  it('retries a failing endpoint with exponential backoff for 24 hours, then disables it and notifies the admins', async () => {
    const { webhook } = await register(t.service, {
      url: `${receiver.url}/failing`,
      event_types: ['conversation.created'],
    });
    receiver.respond = (request) =>
      request.path === '/failing'
        ? { status: 503, body: 'down for maintenance '.repeat(200) }
        : { status: 200, body: 'ok' };
    await startConversation(t.store1, 'c1', 'doomed');
    const startedAt = clock.now().getTime();
    const attemptTimes: number[] = [];
    for (let i = 0; i < 80; i += 1) {
      const result = await run();
      if (result && result.attempted > 0) attemptTimes.push(clock.now().getTime() - startedAt);
      if (result && result.disabledEndpoints.length > 0) break;
      const [pending] = (
        await call('GET', `/api/v1/platform/webhooks/${webhook.id}/deliveries?status=pending`, {
          token: t.service,
        })
      ).body.deliveries;
      clock.set(new Date(pending.next_attempt_at));
    }
    const gaps = attemptTimes.slice(1).map((time, i) => time - (attemptTimes[i] as number));
    expect(gaps).toEqual(gaps.map((_, i) => webhookRetryDelayMs(i + 1)));
    expect(attemptTimes.at(-1)).toBeLessThanOrEqual(86_400_000);
    expect(attemptTimes.at(-1)).toBeGreaterThan(86_400_000 - 3_600_000);
    const endpoint = await call('GET', `/api/v1/platform/webhooks/${webhook.id}`, { token: t.service });
    expect(endpoint.body).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    const [failed] = (
      await call('GET', `/api/v1/platform/webhooks/${webhook.id}/deliveries`, { token: t.service })
    ).body.deliveries;
    expect(failed).toMatchObject({
      status: 'failed',
      last_status_code: 503,
      attempt_count: attemptTimes.length,
    });
    const detail = await call('GET', `/api/v1/platform/webhooks/${webhook.id}/deliveries/${failed.id}`, {
      token: t.service,
    });
    expect(detail.body.attempts[0].response_snippet.length).toBeLessThanOrEqual(1024);
    const notes = await call('GET', '/api/v1/admin/notifications', { token: t.admin });
    expect(
      notes.body.notifications.filter((n: { title: string }) => n.title === 'Webhook endpoint disabled'),
    ).toEqual([
      expect.objectContaining({
        priority: 'high',
        action_required: true,
        metadata: expect.objectContaining({ endpoint_id: webhook.id }),
      }),
    ]);
    // Fixed, re-enabled and redelivered.
    receiver.respond = () => ({ status: 200, body: 'ok' });
    await call('PATCH', `/api/v1/platform/webhooks/${webhook.id}`, {
      token: t.service,
      body: { enabled: true },
    });
    await call('POST', `/api/v1/platform/webhooks/${webhook.id}/deliveries/${failed.id}/retry`, {
      token: t.service,
    });
    expect(await run()).toMatchObject({ delivered: 1 });
  });

  it('re-checks the target at delivery time: without the allow-list, loopback is refused and logged, the worker running as with pnpm start', async () => {
    const { webhook } = await register(t.service, {
      url: `${receiver.url}/rechecked`,
      event_types: ['conversation.created'],
    });
    await (api as ComposedApi).close();
    api = undefined;
    // Same database, no allow-list, the workers' timers on as `pnpm start` runs them.
    api = await composeApi({ PARLEY_NOTIFICATIONS_WORKER: 'on', PARLEY_WEBHOOK_POLL_INTERVAL: '100ms' });
    call = client(api);
    await startConversation(t.store1, 'c1', 'rebound');
    const deadline = Date.now() + 15_000;
    let deliveries: { status: string; attempt_count: number; last_error: string | null }[] = [];
    while (Date.now() < deadline) {
      deliveries = (
        await call('GET', `/api/v1/platform/webhooks/${webhook.id}/deliveries`, { token: t.service })
      ).body.deliveries;
      if (deliveries[0] && deliveries[0].attempt_count > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(deliveries[0]).toMatchObject({ status: 'pending', attempt_count: 1 });
    expect(deliveries[0]?.last_error).toMatch(/^refused: 127\.0\.0\.1 is not a public address/);
    expect(to('/rechecked')).toEqual([]);
  });
});
