import { createLiveFeed, type LiveFeed, LOG_START } from '@parley/messaging-core';
import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, type LiveSink, type ServerFrame } from './live-connection.js';
import { RealtimeHub } from './realtime-hub.js';

/** A sink that records frames and reports as many unsent bytes as the test says. */
function recordingSink() {
  const sink = {
    frames: [] as ServerFrame[],
    closedWith: null as number | null,
    unsent: 0,
    transport: 'websocket' as const,
    send(frame: ServerFrame) {
      sink.frames.push(frame);
    },
    close(code: number) {
      sink.closedWith = code;
    },
    pending: () => sink.unsent,
  };
  return sink satisfies LiveSink;
}

describe('RealtimeHub', () => {
  const setup = async (
    settings: ConstructorParameters<typeof RealtimeHub>[1] = {},
    wrapFeed: (feed: LiveFeed) => LiveFeed = (feed) => feed,
  ) => {
    const m = createInMemoryMessaging();
    const store = { type: 'store', id: 'u1', tenantId: 's1' };
    const customer = { type: 'customer', id: 'c1', tenantId: 's1' };
    const at = new Date();
    await m.directory.upsertStore({ id: 's1', name: 'Acme', tier: 'business' }, at);
    await m.directory.upsertPlatformUser(
      { id: 'u1', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 's1', locale: 'en' },
      at,
    );
    await m.directory.upsertCustomer(
      { id: 'c1', storeId: 's1', name: 'Carla', email: 'carla@mail.test', locale: 'en' },
      at,
    );
    const feed = createLiveFeed({
      store: m.store,
      directory: m.directory,
      policy: m.core.policy,
      clock: { now: () => new Date() },
    });
    const hub = new RealtimeHub(
      {
        feed: wrapFeed(feed),
        toFrame: (delivery) => ({ id: delivery.event.id, type: delivery.event.type }),
        startPosition: async () => LOG_START,
        resolveActor: m.core.resolveActor,
        logger: { error: () => {}, warn: () => {} },
      },
      { pollIntervalMs: 3_600_000, ...settings },
    );
    await hub.start();
    return { m, hub, store, customer };
  };

  it('never sends an event twice when the tail read it before a replay ended and delivers it after', async () => {
    // The tail's read of the log is held back after reading, until the test lets it finish.
    let release = () => {};
    let holding = false;
    const { m, hub, store, customer } = await setup({}, (feed) => ({
      ...feed,
      next: async (after, audience, limit) => {
        const batch = await feed.next(after, audience, limit);
        if (holding) await new Promise<void>((resolve) => (release = resolve));
        return batch;
      },
    }));
    const first = recordingSink();
    hub.open(customer, customer, first, { tokenExpiresAt: Date.now() + 60_000 });
    const created = await m.core.createConversation(store, {
      conversationType: 'store_customer',
      subject: 'Race',
      recipient: { type: 'customer', id: 'c1' },
      initialMessage: 'one',
    });
    await hub.drain();
    const since = first.frames.at(-1)?.id as string;
    expect(first.frames.map((f) => f.type)).toEqual(['conversation.created', 'message.sent']);

    holding = true;
    await m.core.sendMessage(store, { conversationId: created.conversation.id, content: 'two' });
    hub.wake(); // the tail reads 'two', then waits
    await new Promise((resolve) => setTimeout(resolve, 20));
    const resumed = recordingSink();
    hub.open(customer, customer, resumed, { tokenExpiresAt: Date.now() + 60_000, since });
    for (let i = 0; i < 100 && resumed.frames.length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(resumed.frames.map((f) => f.type)).toEqual(['message.sent']); // replayed
    holding = false;
    release(); // the tail now delivers what it read: 'two' again, which must not be sent
    await hub.drain();
    const ids = resumed.frames.map((f) => f.id);
    expect(ids).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('runs at most replayConcurrency replays at once, and every waiting connection still gets its replay then its held live frames', async () => {
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const { m, hub, store, customer } = await setup({ replayConcurrency: 2 }, (feed) => ({
      ...feed,
      replay: async (viewer, since, max) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        try {
          return await feed.replay(viewer, since, max);
        } finally {
          running -= 1;
        }
      },
    }));
    const first = recordingSink();
    hub.open(customer, customer, first, { tokenExpiresAt: Date.now() + 60_000 });
    const created = await m.core.createConversation(store, {
      conversationType: 'store_customer',
      subject: 'Crowd',
      recipient: { type: 'customer', id: 'c1' },
      initialMessage: 'one',
    });
    await hub.drain();
    const since = first.frames.at(0)?.id as string; // conversation.created: 'one' is to replay
    await m.core.sendMessage(store, { conversationId: created.conversation.id, content: 'two' });
    await hub.drain();
    const sinks = Array.from({ length: 6 }, () => recordingSink());
    for (const sink of sinks)
      hub.open(customer, customer, sink, { tokenExpiresAt: Date.now() + 60_000, since });
    const closedEarly = recordingSink();
    const gone = hub.open(customer, customer, closedEarly, { tokenExpiresAt: Date.now() + 60_000, since });
    hub.close(gone, CLOSE_CODES.goingAway, 'bye'); // waiting in line: its replay never runs
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(running).toBe(2);
    // Live while they wait: held, delivered after each one's replay.
    await m.core.sendMessage(store, { conversationId: created.conversation.id, content: 'three' });
    await hub.drain();
    for (let round = 0; round < 50 && sinks.some((s) => s.frames.length < 3); round += 1) {
      for (const gate of gates.splice(0)) gate();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(most).toBe(2);
    for (const sink of sinks)
      expect(sink.frames.map((f) => f.type)).toEqual(['message.sent', 'message.sent', 'message.sent']);
    expect(closedEarly.frames).toEqual([]);
    await hub.stop();
  });

  it('closes a connection that reads too slowly (1013) instead of buffering without bound', async () => {
    const { m, hub, store, customer } = await setup({ maxPendingBytes: 1_000 });
    const sink = recordingSink();
    const connection = hub.open(customer, customer, sink, { tokenExpiresAt: Date.now() + 60_000 });
    await m.core.createConversation(store, {
      conversationType: 'store_customer',
      subject: 'Slow reader',
      recipient: { type: 'customer', id: 'c1' },
      initialMessage: 'one',
    });
    await hub.drain();
    expect(sink.frames.map((f) => f.type)).toContain('conversation.created');
    expect(sink.closedWith).toBeNull();
    sink.unsent = 5_000;
    await m.core.createConversation(store, {
      conversationType: 'store_customer',
      subject: 'Slower',
      recipient: { type: 'customer', id: 'c1' },
      initialMessage: 'two',
    });
    await hub.drain();
    expect(sink.closedWith).toBe(CLOSE_CODES.tryAgainLater);
    expect(connection.closed).toBe(true);
    expect(hub.size).toBe(0);
    await hub.stop();
  });

  it('refuses connections past maxConnections and closes at once a connection whose token already expired', async () => {
    const { hub, customer } = await setup({ maxConnections: 1 });
    const expired = recordingSink();
    hub.open(customer, customer, expired, { tokenExpiresAt: Date.now() - 1 });
    expect(expired.closedWith).toBe(CLOSE_CODES.unauthenticated);
    expect(hub.hasRoom()).toBe(true);
    hub.open(customer, customer, recordingSink(), { tokenExpiresAt: Date.now() + 60_000 });
    expect(hub.hasRoom()).toBe(false);
    await hub.stop();
    expect(hub.size).toBe(0);
  });
});
