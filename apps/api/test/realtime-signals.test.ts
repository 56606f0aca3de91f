import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { composeForTest } from './support/composed-api.js';
import { type Frame, listen, startStoreConversation, TestSocket } from './support/realtime-clients.js';

// Typing, presence and delivery acks over real WebSockets, on the real feed and store.
const databases: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres' as const] : []),
];

describe.each(databases)('typing, presence and acks (%s)', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let base: string;
  let call: Call;
  let t: Tokens;
  let conversationId: string;
  const open: TestSocket[] = [];
  const connect = async (token: string) => {
    const socket = await TestSocket.connect(base, { token });
    open.push(socket);
    return socket;
  };
  const isTyping = (state: string) => (f: Frame) =>
    f.type === 'typing' && f.conversation_id === conversationId && f.state === state;
  const presenceOf = (id: string, status?: string) => (f: Frame) =>
    f.type === 'presence' && f.participant.id === id && (status === undefined || f.status === status);

  beforeAll(async () => {
    ({ api, close } = await composeForTest({
      database,
      env: {
        PARLEY_SEED_DEMO: 'false',
        PARLEY_EVENT_POLL_INTERVAL: '100ms',
        PARLEY_REALTIME_HEARTBEAT: '150ms',
      },
      realtime: { typingThrottleMs: 400, typingExpireMs: 600, typingTickMs: 50, ackFlushMs: 20 },
    }));
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
    base = await listen(api);
    conversationId = await startStoreConversation(call, t.store1, 'Order #9', 'Hello Carla');
  });
  afterAll(async () => {
    for (const socket of open) await socket.close();
    await close();
  });

  it('relays typing to the other members, throttled, and stops it when not refreshed', async () => {
    const customer = await connect(t.customer1);
    const store = await connect(t.store1);
    store.send({ type: 'typing', conversation_id: conversationId, state: 'start' });
    const start = await customer.next(isTyping('start'));
    expect(start).toEqual({
      type: 'typing',
      conversation_id: conversationId,
      participant: { type: 'store', id: 'u1' },
      state: 'start',
    });
    expect(start.id).toBeUndefined();
    store.send({ type: 'typing', conversation_id: conversationId, state: 'start' });
    // Throttled: the refresh moves the expiry but is not relayed again at once.
    expect(await customer.none(isTyping('start'), 200)).toBe(true);
    // Not refreshed: a stop for everyone.
    expect(await customer.next(isTyping('stop'), 2_000)).toMatchObject({
      participant: { type: 'store', id: 'u1' },
    });
    expect(await store.none(isTyping('start'), 50)).toBe(true);
  });

  it('stops typing when the typing connection closes', async () => {
    const customer = await connect(t.customer1);
    const store = await connect(t.store1);
    store.send({ type: 'typing', conversation_id: conversationId, state: 'start' });
    await customer.next(isTyping('start'));
    await store.close();
    expect(await customer.next(isTyping('stop'), 500)).toMatchObject({ participant: { id: 'u1' } });
  });

  it('refuses typing where the sender may not send: an error frame, nothing relayed', async () => {
    const outsider = await connect(t.customer2);
    const customer = await connect(t.customer1);
    outsider.send({ type: 'typing', conversation_id: conversationId, state: 'start' });
    expect(await outsider.next((f) => f.type === 'error')).toMatchObject({ code: 'not_allowed' });
    expect(await customer.none((f) => f.type === 'typing' && f.participant?.id === 'c2', 200)).toBe(true);
  });

  it('shows presence online, away and offline to those who share a conversation, and GET /presence answers for them only', async () => {
    for (const socket of open.splice(0)) await socket.close();
    const customer = await connect(t.customer1);
    const outsider = await connect(t.customer3);
    const store = await connect(t.store1);
    expect(await customer.next(presenceOf('u1', 'online'))).toMatchObject({
      participant: { type: 'store', id: 'u1' },
      status: 'online',
    });
    const seen = await customer.next(presenceOf('u1'), 100).catch(() => null);
    expect(seen === null || seen.status === 'online').toBe(true);
    store.send({ type: 'presence', status: 'away' });
    const away = await customer.next(presenceOf('u1', 'away'));
    expect(typeof away.last_active_at).toBe('string');

    const answer = await call('GET', '/api/v1/presence?participants=store:u1,customer:c3,store:u2', {
      token: t.customer1,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.presence).toEqual([
      { participant: { type: 'store', id: 'u1' }, status: 'away', last_active_at: expect.any(String) },
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `customer:x${i}`).join(',');
    expect(
      (await call('GET', `/api/v1/presence?participants=${tooMany}`, { token: t.customer1 })).status,
    ).toBe(400);
    expect((await call('GET', '/api/v1/presence?participants=nope', { token: t.customer1 })).status).toBe(
      400,
    );

    store.send({ type: 'presence', status: 'online' });
    await customer.next(presenceOf('u1', 'online'));
    await store.close();
    expect(await customer.next(presenceOf('u1', 'offline'))).toMatchObject({ status: 'offline' });
    expect(await outsider.none(presenceOf('u1'), 100)).toBe(true);
    const after = await call('GET', '/api/v1/presence?participants=store:u1', { token: t.customer1 });
    expect(after.body.presence[0]).toMatchObject({ status: 'offline' });
  });

  it('ends a socket that stops answering pings and shows its person offline', async () => {
    for (const socket of open.splice(0)) await socket.close();
    const customer = await connect(t.customer1);
    const store = await connect(t.store1);
    await customer.next(presenceOf('u1', 'online'));
    // The store's client goes silent (a dead network): it no longer reads, so it never pongs.
    (store.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    expect(await customer.next(presenceOf('u1', 'offline'), 2_000)).toMatchObject({ status: 'offline' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.realtime.hub.connectionsOf('store:u1')).toHaveLength(0);
  });

  it('an ack of a message.sent frame records delivery (delivered_to)', async () => {
    const customer = await connect(t.customer1);
    const sent = await call('POST', `/api/v1/store/messages/${conversationId}/messages`, {
      token: t.store1,
      body: { content: 'Did you get this?' },
    });
    expect(sent.status).toBe(201);
    const frame = await customer.next(
      (f) => f.type === 'message.sent' && f.conversation_id === conversationId,
    );
    customer.send({ type: 'ack', event_id: frame.id });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await api.realtime.hub.flushAcks();
    const detail = await call('GET', `/api/v1/store/messages/${conversationId}`, { token: t.store1 });
    const message = detail.body.messages.find((m: { id: string }) => m.id === sent.body.id);
    expect(message.delivered_count).toBe(1);
    expect(message.delivered_to[0]).toMatchObject({ type: 'customer', id: 'c1' });
  });
});
