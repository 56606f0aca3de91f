import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { composeForTest } from './support/composed-api.js';
import { eventually, listen, TestSocket } from './support/realtime-clients.js';

const databases: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres' as const] : []),
];

describe.each(databases)('WebSocket real-time delivery (%s)', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let base: string;
  let call: Call;
  let t: Tokens;
  const open: TestSocket[] = [];
  const connect = async (options: Parameters<typeof TestSocket.connect>[1]) => {
    const socket = await TestSocket.connect(base, options);
    open.push(socket);
    return socket;
  };
  const startConversation = async (content = 'Your order shipped.', customer = 'c1') => {
    const created = await call('POST', '/api/v1/store/messages', {
      token: t.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Order #7',
        recipient_type: 'customer',
        recipient_id: customer,
        initial_message: content,
      },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const send = async (conversationId: string, content: string, token = t.store1, path = 'store') => {
    const sent = await call('POST', `/api/v1/${path}/messages/${conversationId}/messages`, {
      token,
      body: { content },
    });
    expect(sent.status).toBe(201);
    return sent.body;
  };

  beforeAll(async () => {
    ({ api, close } = await composeForTest({
      database,
      env: {
        PARLEY_SEED_DEMO: 'false',
        PARLEY_REALTIME_FRAMES_PER_SECOND: '5',
        PARLEY_EVENT_POLL_INTERVAL: '100ms',
      },
      realtime: { recheckIntervalMs: 3_600_000, ackFlushMs: 20 },
    }));
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
    base = await listen(api);
  });
  afterAll(async () => {
    for (const socket of open) await socket.close();
    await close();
  });

  it('delivers a message to the conversation’s members only — never another tenant', async () => {
    const customer = await connect({ token: t.customer1 });
    const otherCustomer = await connect({ token: t.customer2 });
    const otherTenant = await connect({ token: t.store2 });
    const store = await connect({ token: t.store1 });
    const id = await startConversation();
    const created = await customer.next((f) => f.type === 'conversation.created' && f.conversation_id === id);
    expect(created.id).toMatch(/^\d+$/);
    const sent = await send(id, 'It left the warehouse.');
    const frame = await customer.next((f) => f.type === 'message.sent' && f.conversation_id === id);
    expect(frame).toMatchObject({ type: 'message.sent', conversation_id: id });
    expect(typeof frame.occurred_at).toBe('string');
    expect(sent.id).toBeDefined();
    expect(await otherCustomer.none((f) => f.conversation_id === id)).toBe(true);
    expect(await otherTenant.none((f) => f.conversation_id === id, 50)).toBe(true);
    expect(store.frames.length).toBeGreaterThanOrEqual(0);
  });

  it('shapes each frame for its viewer: their own unread count', async () => {
    const id = await startConversation('Shaped');
    const customer = await connect({ token: t.customer1 });
    const store = await connect({ token: t.store1 });
    await send(id, 'Count me');
    // The conversation's first message may reach a socket that connected before the tail read it.
    const countMe = (f: Frame) =>
      f.type === 'message.sent' && f.conversation_id === id && f.data?.message?.content === 'Count me';
    const mine = await customer.next(countMe);
    const theirs = await store.next(countMe);
    expect(mine.id).toBe(theirs.id);
    expect(mine.data.message.content).toBe('Count me');
    expect(mine.data.read_state.unread_count).toBe(2);
    expect(theirs.data.read_state.unread_count).toBe(0);
  });

  it('answers ping with pong; bad frames get error frames and the socket stays up', async () => {
    const socket = await connect({ token: t.customer2 });
    socket.send({ type: 'ping' });
    expect(await socket.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    socket.send('not json');
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_json' });
    socket.send({ type: 'dance' });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown_type' });
    socket.send({ type: 'typing', conversation_id: 'x' });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame' });
    socket.send({ type: 'ack', event_id: '999999' });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'unknown_event' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    socket.send({ type: 'ping' });
    expect(await socket.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    expect(socket.closeCode).toBeNull();
  });

  it('limits frames per second: rate_limited errors, then 1008 for a client that keeps at it', async () => {
    const socket = await connect({ token: t.customer2 });
    for (let i = 0; i < 12; i += 1) socket.send({ type: 'ping' });
    expect(await socket.next((f) => f.type === 'error' && f.code === 'rate_limited')).toBeDefined();
    expect(socket.closeCode).toBeNull();
    for (let i = 0; i < 40; i += 1) socket.send({ type: 'ping' });
    expect(await socket.closed).toBe(1008);
  });

  it('closes a socket whose message is larger than the frame limit (1009)', async () => {
    const socket = await connect({ token: t.customer2 });
    socket.send({ type: 'ping', padding: 'x'.repeat(10_000) });
    expect(await socket.closed).toBe(1009);
  });

  it('refuses before the upgrade: no token 401, a token in the URL 400, a service token 403, a foreign origin 403', async () => {
    await expect(TestSocket.connect(base)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.connect(base, { query: `?token=${t.customer1}` })).rejects.toMatchObject({
      status: 400,
    });
    await expect(TestSocket.connect(base, { query: `?access_token=${t.customer1}` })).rejects.toMatchObject({
      status: 400,
    });
    await expect(TestSocket.connect(base, { token: t.service })).rejects.toMatchObject({ status: 403 });
    const refused = TestSocket.connect(base, {
      token: t.customer1,
      headers: { origin: 'https://evil.example' },
    });
    await expect(refused).rejects.toMatchObject({ status: 403 });
    const problem = JSON.parse(((await refused.catch((e: { body: string }) => e)) as { body: string }).body);
    expect(problem.code).toBe('FORBIDDEN');
    const sameOrigin = await connect({ token: t.customer1, headers: { origin: base } });
    sameOrigin.send({ type: 'ping' });
    expect(await sameOrigin.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
  });

  it('tickets: single use, bound to the person, refused when expired or forged', async () => {
    const issued = await call('POST', '/api/v1/realtime/ticket', { token: t.customer1 });
    expect(issued.status).toBe(200);
    expect(Date.parse(issued.body.expires_at) - Date.now()).toBeLessThanOrEqual(60_000);
    const ticket = issued.body.ticket as string;
    expect(ticket.split('.')).toHaveLength(2);
    const socket = await connect({ query: `?ticket=${encodeURIComponent(ticket)}` });
    const id = await startConversation('Ticketed');
    expect(
      await socket.next((f) => f.type === 'conversation.created' && f.conversation_id === id),
    ).toBeDefined();
    await expect(TestSocket.connect(base, { query: `?ticket=${ticket}` })).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      TestSocket.connect(base, { query: `?ticket=${ticket.slice(0, -2)}xx` }),
    ).rejects.toMatchObject({
      status: 401,
    });
    // A ticket is not a bearer token.
    const asBearer = await call('GET', '/api/v1/conversations', { token: ticket });
    expect(asBearer.status).toBe(401);
    expect((await call('POST', '/api/v1/realtime/ticket', { token: t.service })).status).toBe(403);
    expect((await call('POST', '/api/v1/realtime/ticket')).status).toBe(401);
  });

  it('closes with 4401 when the token expires', async () => {
    const key = secretKey(api.jwtSecret.secret);
    const shortLived = await issueToken(key, {
      sub: 'c2',
      role: 'customer',
      storeId: 's1',
      expiresInSeconds: 1,
    });
    const socket = await connect({ token: shortLived });
    expect(await socket.closed).toBe(4401);
  });

  it('closes with 4401 when the person leaves the directory', async () => {
    const socket = await connect({ token: t.customer2 });
    // The customer moves to another store: their token (store s1) no longer names them.
    const moved = await call('PUT', '/api/v1/platform/customers/c2', {
      token: t.service,
      body: { store_id: 's2', name: 'Chris', email: 'chris@mail.test' },
    });
    expect(moved.status).toBe(200);
    try {
      await api.realtime.hub.recheckNow();
      expect(await socket.closed).toBe(4401);
      await expect(TestSocket.connect(base, { token: t.customer2 })).rejects.toMatchObject({ status: 403 });
    } finally {
      await call('PUT', '/api/v1/platform/customers/c2', {
        token: t.service,
        body: { store_id: 's1', name: 'Chris', email: 'chris@mail.test' },
      });
    }
  });

  it('resumes with since: every missed event in order, then live, no gap and no duplicate', async () => {
    const id = await startConversation('Resume me');
    const first = await connect({ token: t.customer1 });
    await send(id, 'one');
    const one = await first.next((f) => f.type === 'message.sent' && f.data.message.content === 'one');
    await first.close();
    const missed: string[] = [];
    for (const content of ['two', 'three', 'four']) missed.push((await send(id, content)).id);
    const resumed = await connect({ token: t.customer1, query: `?since=${one.id}` });
    await send(id, 'five');
    const seen: Frame[] = [];
    for (let i = 0; i < 4; i += 1)
      seen.push(await resumed.next((f) => f.type === 'message.sent' && f.conversation_id === id));
    const ids = seen.map((f) => f.id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(ids);
    expect(await resumed.none((f) => f.type === 'message.sent' && f.conversation_id === id, 300)).toBe(true);
    expect(Number(ids[0])).toBeGreaterThan(Number(one.id));
  });

  it('sends one resync_required frame for an unknown since, then live', async () => {
    const socket = await connect({ token: t.customer1, query: '?since=99999999999' });
    expect(await socket.next((f) => f.type === 'resync_required')).toEqual({ type: 'resync_required' });
    const id = await startConversation('After resync');
    expect(
      await socket.next((f) => f.type === 'conversation.created' && f.conversation_id === id),
    ).toBeDefined();
  });

  it('counts connections and frames in the metrics', async () => {
    await eventually(() => api.realtime.connections() > 0);
    const text = await api.metrics.registry.metrics();
    expect(text).toMatch(/parley_realtime_connections\{transport="websocket"\} [1-9]/);
    expect(text).toMatch(/parley_realtime_frames_sent_total\{kind="durable"\} [1-9]/);
  });
});

type Frame = Awaited<ReturnType<TestSocket['next']>>;
