import {
  createParleyClient,
  createRealtimeClient,
  type DurableFrame,
  type ParleyClient,
  type RealtimeClient,
  type RealtimeClientOptions,
  type RealtimeError,
  type RealtimeEvents,
  type TypingFrame,
} from '@parley/client';
import { participantKey } from '@parley/messaging-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';
import { eventually, listen } from './support/realtime-clients.js';

const CUSTOMER = { type: 'customer', id: 'demo-customer-1' } as const;
const CUSTOMER_KEY = participantKey(CUSTOMER);
const STORE_KEY = participantKey({ type: 'store', id: 'demo-store-user' });

/** Everything a real-time client emitted, in order, per event name. */
class Recorder {
  readonly events: DurableFrame[] = [];
  readonly typing: TypingFrame[] = [];
  readonly statuses: string[] = [];
  readonly errors: RealtimeError[] = [];
  readonly resyncs: RealtimeEvents['resync'][] = [];
  readonly presence: RealtimeEvents['presence'][] = [];

  constructor(readonly client: RealtimeClient) {
    // The client starts connecting as it is created, before this recorder listens.
    this.statuses.push(client.status);
    client.on('event', (frame) => this.events.push(frame));
    client.on('typing', (frame) => this.typing.push(frame));
    client.on('status', (status) => this.statuses.push(status));
    client.on('error', (error) => this.errors.push(error));
    client.on('resync', (notice) => this.resyncs.push(notice));
    client.on('presence', (frame) => this.presence.push(frame));
  }

  /** The contents of the `message.sent` frames received for `conversationId`, in order. */
  contents(conversationId: string): string[] {
    return this.events
      .filter((f) => f.type === 'message.sent' && f.conversation_id === conversationId)
      .map((f) => (f.type === 'message.sent' ? f.data.message.content : ''));
  }

  async open(): Promise<void> {
    await eventually(() => this.client.status === 'open', 10_000);
  }
}

// The real-time client of @parley/client against the API as `pnpm start` composes it, on a real
// port: WebSocket (Node's `ws`) and SSE (fetch streaming), resumes after server-side drops,
// `resync_required`, typing, and the close codes of docs/realtime.md.
describe('@parley/client real-time client', () => {
  let harness: ComposedHarness;
  let base: string;
  let store: ParleyClient;
  const clients: RealtimeClient[] = [];

  const live = (options: Partial<RealtimeClientOptions> & Pick<RealtimeClientOptions, 'token'>): Recorder => {
    const client = createRealtimeClient({
      baseUrl: base,
      WebSocket,
      backoff: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    clients.push(client);
    return new Recorder(client);
  };

  const conversation = async (subject: string) =>
    (
      await store.startConversation({
        conversation_type: 'store_customer',
        subject,
        participants: [CUSTOMER],
      })
    ).id;

  const serverConnections = (key: string) => harness.api.realtime.hub.connectionsOf(key);

  beforeAll(async () => {
    harness = await composedHarness();
    base = await listen(harness.api);
    store = createParleyClient({ baseUrl: base, token: harness.tokens.store });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    // Node's fetch (undici) keeps a spare connection after an SSE stream is aborted, and opens it
    // again when it is closed, without ever sending a request on it: the server's graceful close
    // would wait for it. Every client is closed by now, so cut whatever is left until it is down.
    const sweep = setInterval(() => harness.api.app.server.closeAllConnections(), 50);
    try {
      await harness.close();
    } finally {
      clearInterval(sweep);
    }
  });

  it('receives over a WebSocket (ticket auth) what another person sends, and acknowledges it', async () => {
    const customer = live({ token: harness.tokens.customer });
    const storeLive = live({ token: harness.tokens.store });
    await customer.open();
    await storeLive.open();
    expect(customer.client.transport).toBe('websocket');
    expect(customer.statuses).toEqual(['connecting', 'open']);

    const id = await conversation('Live delivery');
    await store.sendMessage(id, { content: 'It shipped!' });
    await eventually(() => customer.contents(id).length === 1);
    expect(customer.contents(id)).toEqual(['It shipped!']);
    expect(customer.events.find((f) => f.type === 'conversation.created')?.conversation_id).toBe(id);
    const sent = customer.events.find((f) => f.type === 'message.sent');
    expect(customer.client.lastEventId).toBe(customer.events.at(-1)?.id);
    if (sent?.type !== 'message.sent') throw new Error('no message.sent');
    expect(sent.data.read_state?.unread_count).toBe(1);

    // The automatic ack reaches the sender as a delivery receipt.
    await eventually(() =>
      storeLive.events.some(
        (f) =>
          f.type === 'conversation.delivered' &&
          f.conversation_id === id &&
          f.data.participant.id === CUSTOMER.id,
      ),
    );
    expect(customer.errors).toEqual([]);
  });

  it('reconnects after the server drops the connection and resumes without loss or duplicates', async () => {
    // A reconnect delay long enough to send while disconnected.
    const customer = live({
      token: harness.tokens.customer,
      backoff: { initialMs: 3_000 },
      random: () => 0.9,
    });
    await customer.open();
    const id = await conversation('Resume');
    await store.sendMessage(id, { content: 'one' });
    await eventually(() => customer.contents(id).length === 1);

    const [connection] = serverConnections(CUSTOMER_KEY);
    if (!connection) throw new Error('no server-side connection');
    harness.api.realtime.hub.close(connection, 1011, 'test: the server failed');
    await eventually(() => customer.client.status === 'reconnecting');
    for (const content of ['two', 'three', 'four']) await store.sendMessage(id, { content });
    expect(customer.contents(id)).toEqual(['one']);

    await customer.open();
    await eventually(() => customer.contents(id).length === 4);
    // Let anything late (a duplicate) arrive before judging.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(customer.contents(id)).toEqual(['one', 'two', 'three', 'four']);
    const ids = customer.events.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(customer.statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(customer.errors.map((e) => [e.kind, e.code, e.fatal])).toEqual([['close', 1011, false]]);
    expect(customer.resyncs).toEqual([]);
  });

  it('drops a durable frame it already has (a replay overlapping what it received)', async () => {
    const customer = live({ token: harness.tokens.customer });
    await customer.open();
    const id = await conversation('Overlap');
    await store.sendMessage(id, { content: 'first' });
    await store.sendMessage(id, { content: 'second' });
    await eventually(() => customer.contents(id).length === 2);
    const firstId = customer.events.find((f) => f.type === 'message.sent' && f.conversation_id === id)?.id;
    // Reconnect as if the position were older: the server replays 'second', which the client has.
    const replaying = live({ token: harness.tokens.customer, since: firstId as string, autoConnect: false });
    replaying.client.connect();
    await replaying.open();
    await eventually(() => replaying.contents(id).length === 1);
    expect(replaying.contents(id)).toEqual(['second']);
    // The first client reconnects with its own (newer) position: nothing comes twice.
    customer.client.reconnect();
    await customer.open();
    await store.sendMessage(id, { content: 'third' });
    await eventually(() => customer.contents(id).length === 3);
    expect(customer.contents(id)).toEqual(['first', 'second', 'third']);
  });

  it('surfaces resync_required when the position is not in the log', async () => {
    const customer = live({ token: harness.tokens.customer, since: '999999999999' });
    await customer.open();
    await eventually(() => customer.resyncs.length === 1);
    expect(customer.resyncs).toEqual([{ reason: 'resync_required' }]);
  });

  it('asks the token provider again after a 4401 and reconnects at once', async () => {
    let calls = 0;
    const customer = live({
      token: () => {
        calls += 1;
        return harness.tokens.customer;
      },
      backoff: { initialMs: 60_000 },
    });
    await customer.open();
    const before = calls;
    expect(before).toBeGreaterThanOrEqual(1);
    const [connection] = serverConnections(CUSTOMER_KEY);
    if (!connection) throw new Error('no server-side connection');
    harness.api.realtime.hub.close(connection, 4401, 'the token expired');
    // With a one-minute backoff, only the immediate 4401 retry can reopen it within the wait.
    await eventually(() => customer.statuses.at(-1) === 'open' && customer.statuses.length === 4, 5_000);
    expect(calls).toBeGreaterThan(before);
    expect(customer.errors.map((e) => e.code)).toEqual([4401]);
  });

  it('stops and reports on 1008 (frames past the rate limit)', async () => {
    const customer = live({ token: harness.tokens.customer });
    await customer.open();
    const [connection] = serverConnections(CUSTOMER_KEY);
    if (!connection) throw new Error('no server-side connection');
    harness.api.realtime.hub.close(connection, 1008, 'too many frames');
    await eventually(() => customer.client.status === 'closed');
    expect(customer.errors).toEqual([expect.objectContaining({ kind: 'close', code: 1008, fatal: true })]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(serverConnections(CUSTOMER_KEY)).toHaveLength(0);
  });

  it('throttles typing: a burst of keystrokes is one start (no rate limit hit), then a stop', async () => {
    const customer = live({ token: harness.tokens.customer });
    const storeLive = live({ token: harness.tokens.store });
    await customer.open();
    await storeLive.open();
    const id = await conversation('Typing');
    // 40 keystrokes in about 1.2 s: unthrottled, that is past the 10 frames/s the server allows.
    for (let i = 0; i < 40; i += 1) {
      customer.client.typing(id);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await eventually(() => storeLive.typing.some((f) => f.conversation_id === id && f.state === 'start'));
    customer.client.stopTyping(id);
    await eventually(() => storeLive.typing.some((f) => f.conversation_id === id && f.state === 'stop'));
    expect(storeLive.typing.filter((f) => f.conversation_id === id).map((f) => f.state)).toEqual([
      'start',
      'stop',
    ]);
    expect(storeLive.typing[0]?.participant).toEqual(CUSTOMER);
    expect(customer.errors).toEqual([]);
  });

  it('says presence: away, then online, reaching someone who shares a conversation', async () => {
    await conversation('Presence');
    const storeLive = live({ token: harness.tokens.store });
    await storeLive.open();
    const customer = live({ token: harness.tokens.customer });
    await customer.open();
    customer.client.setPresence('away');
    await eventually(() =>
      storeLive.presence.some((f) => f.participant.id === CUSTOMER.id && f.status === 'away'),
    );
    customer.client.setPresence('online');
    await eventually(() => storeLive.presence.at(-1)?.status === 'online');
    expect((await store.presence([CUSTOMER]))[0]?.status).toBe('online');
  });

  it('works over SSE end to end: receives, sends typing through POST /realtime/frames, resumes', async () => {
    const customer = live({ token: harness.tokens.customer, transport: 'sse' });
    const storeLive = live({ token: harness.tokens.store });
    await customer.open();
    await storeLive.open();
    expect(customer.client.transport).toBe('sse');
    expect(serverConnections(CUSTOMER_KEY).map((c) => c.sink.transport)).toEqual(['sse']);

    const id = await conversation('Over SSE');
    await store.sendMessage(id, { content: 'via SSE' });
    await eventually(() => customer.contents(id).length === 1);

    customer.client.typing(id);
    await eventually(() => storeLive.typing.some((f) => f.conversation_id === id && f.state === 'start'));
    // The ack went through the frames route too: the store sees the delivery.
    await eventually(() =>
      storeLive.events.some((f) => f.type === 'conversation.delivered' && f.conversation_id === id),
    );

    const [connection] = serverConnections(CUSTOMER_KEY);
    if (!connection) throw new Error('no server-side connection');
    harness.api.realtime.hub.close(connection, 1011, 'test');
    await eventually(() => customer.client.status === 'reconnecting');
    await store.sendMessage(id, { content: 'while away' });
    await customer.open();
    await eventually(() => customer.contents(id).length === 2);
    expect(customer.contents(id)).toEqual(['via SSE', 'while away']);
    expect(customer.errors.map((e) => e.code)).toEqual([1011]);
    expect(serverConnections(STORE_KEY).length).toBeGreaterThan(0);
  });

  it('falls back to SSE when WebSockets do not open', async () => {
    class BlockedWebSocket {
      constructor() {
        throw new Error('blocked by a proxy');
      }
    }
    const customer = live({
      token: harness.tokens.customer,
      WebSocket: BlockedWebSocket as unknown as RealtimeClientOptions['WebSocket'] & object,
      webSocketFailuresBeforeSse: 2,
    });
    await customer.open();
    expect(customer.client.transport).toBe('sse');
    expect(customer.errors.filter((e) => e.kind === 'connect')).toHaveLength(2);
    const id = await conversation('Fallback');
    await store.sendMessage(id, { content: 'still here' });
    await eventually(() => customer.contents(id).length === 1);
  });
});
