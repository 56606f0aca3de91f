import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposedApi } from '../src/composition-root.js';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { composeForTest } from './support/composed-api.js';
import { listen, startStoreConversation, TestEventStream, TestSocket } from './support/realtime-clients.js';

// The SSE fallback with a real streaming HTTP client, on the real feed and store.
const databases: ('pglite' | 'postgres')[] = [
  'pglite',
  ...(process.env.DATABASE_URL ? ['postgres' as const] : []),
];

describe.each(databases)('SSE real-time delivery (%s)', (database) => {
  let api: ComposedApi;
  let close: () => Promise<void>;
  let base: string;
  let call: Call;
  let t: Tokens;
  let conversationId: string;
  const streams: TestEventStream[] = [];
  const openStream = async (options: Parameters<typeof TestEventStream.open>[1]) => {
    const stream = await TestEventStream.open(base, options);
    streams.push(stream);
    return stream;
  };
  const send = async (content: string) => {
    const sent = await call('POST', `/api/v1/store/messages/${conversationId}/messages`, {
      token: t.store1,
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
        PARLEY_EVENT_POLL_INTERVAL: '100ms',
        PARLEY_REALTIME_HEARTBEAT: '100ms',
      },
      realtime: { ackFlushMs: 20 },
    }));
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
    base = await listen(api);
    conversationId = await startStoreConversation(call, t.store1, 'SSE', 'Hi');
  });
  afterAll(async () => {
    for (const stream of streams) await stream.close();
    await close();
  });

  it('streams durable frames with id lines, ephemeral ones without, and comment heartbeats', async () => {
    const stream = await openStream({ token: t.customer1 });
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    await send('First over SSE');
    const frame = await stream.next((f) => f.type === 'message.sent' && f.conversation_id === conversationId);
    expect(stream.ids[stream.frames.indexOf(frame)]).toBe(frame.id);
    const typist = await TestSocket.connect(base, { token: t.store1 });
    typist.send({ type: 'typing', conversation_id: conversationId, state: 'start' });
    const typing = await stream.next((f) => f.type === 'typing');
    expect(typing).toMatchObject({ conversation_id: conversationId, state: 'start' });
    expect(stream.ids[stream.frames.indexOf(typing)]).toBeUndefined();
    await typist.close();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(stream.comments.length).toBeGreaterThan(0);
  });

  it('resumes from Last-Event-ID without gap or duplicate, and says resync_required for an unknown one', async () => {
    const first = await openStream({ token: t.customer1 });
    await send('before the drop');
    const last = await first.next(
      (f) => f.type === 'message.sent' && f.data?.message?.content === 'before the drop',
    );
    await first.close();
    for (const content of ['missed 1', 'missed 2']) await send(content);
    const resumed = await openStream({ token: t.customer1, headers: { 'last-event-id': last.id } });
    await send('live again');
    const contents: string[] = [];
    for (let i = 0; i < 3; i += 1)
      contents.push(
        (await resumed.next((f) => f.type === 'message.sent' && f.conversation_id === conversationId)).data
          .message.content,
      );
    expect(contents).toEqual(['missed 1', 'missed 2', 'live again']);
    expect(await resumed.none((f) => f.type === 'message.sent', 200)).toBe(true);
    const lost = await openStream({ token: t.customer1, query: '?since=88888888888' });
    expect(await lost.next()).toEqual({ type: 'resync_required' });
  });

  it('authenticates by ticket; refuses a token in the URL and a missing one', async () => {
    const { ticket } = (await call('POST', '/api/v1/realtime/ticket', { token: t.customer1 })).body;
    const stream = await openStream({ query: `?ticket=${ticket}` });
    await send('for the ticket holder');
    expect(await stream.next((f) => f.type === 'message.sent')).toBeDefined();
    await expect(TestEventStream.open(base, { query: `?ticket=${ticket}` })).rejects.toMatchObject({
      status: 401,
    });
    await expect(TestEventStream.open(base, { query: `?token=${t.customer1}` })).rejects.toMatchObject({
      status: 400,
    });
    await expect(TestEventStream.open(base)).rejects.toMatchObject({ status: 401 });
  });

  it('ends the stream with a close frame (4401) when the token expires', async () => {
    const shortLived = await issueToken(secretKey(api.jwtSecret.secret), {
      sub: 'c1',
      role: 'customer',
      storeId: 's1',
      expiresInSeconds: 1,
    });
    const stream = await openStream({ token: shortLived });
    expect(await stream.next((f) => f.type === 'close', 3_000)).toMatchObject({ code: 4401 });
  });

  it('takes client frames by POST for an open stream: ping, ack (delivered), bad frames', async () => {
    const noStream = await call('POST', '/api/v1/realtime/frames', {
      token: t.customer2,
      body: { type: 'ping' },
    });
    expect(noStream.status).toBe(409);
    const stream = await openStream({ token: t.customer1 });
    const pong = await call('POST', '/api/v1/realtime/frames', {
      token: t.customer1,
      body: { type: 'ping' },
    });
    expect(pong.status).toBe(200);
    expect(pong.body).toEqual({ type: 'pong' });
    const bad = await call('POST', '/api/v1/realtime/frames', {
      token: t.customer1,
      body: { type: 'dance' },
    });
    expect(bad.status).toBe(400);
    const sent = await send('ack me');
    const frame = await stream.next(
      (f) => f.type === 'message.sent' && f.data?.message?.content === 'ack me',
    );
    const unknown = await call('POST', '/api/v1/realtime/frames', {
      token: t.customer1,
      body: { type: 'ack', event_id: '1' },
    });
    expect(unknown.status).toBe(400);
    const ack = await call('POST', '/api/v1/realtime/frames', {
      token: t.customer1,
      body: { type: 'ack', event_id: frame.id },
    });
    expect(ack.status).toBe(204);
    await api.realtime.hub.flushAcks();
    const detail = await call('GET', `/api/v1/store/messages/${conversationId}`, { token: t.store1 });
    const message = detail.body.messages.find((m: { id: string }) => m.id === sent.id);
    expect(message.delivered_to).toEqual([expect.objectContaining({ type: 'customer', id: 'c1' })]);
  });
});
