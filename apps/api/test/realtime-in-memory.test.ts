import { createLiveFeed, participantKey } from '@parley/messaging-core';
import { createInMemoryMessaging, InMemoryLiveSignalBus } from '@parley/messaging-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentBaseFor, toLiveFrame } from '../src/realtime/live-frames.js';
import { LiveSignals } from '../src/realtime/live-signals.js';
import { createRealtime, logEnd, type Realtime } from '../src/realtime/realtime-service.js';
import { buildServer, type ParleyApp } from '../src/server.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { TEST_SECRET } from './support/harness.js';
import { listen, TestSocket } from './support/realtime-clients.js';

// The server built over in-memory storage (no database) with real-time delivery composed by hand:
// the pieces compose without the composition root.
describe('real-time delivery over in-memory storage', () => {
  let app: ParleyApp;
  let realtime: Realtime;
  let bus: InMemoryLiveSignalBus;
  let base: string;
  let call: Call;
  let t: Tokens;

  beforeAll(async () => {
    const { core, store, directory } = createInMemoryMessaging();
    const feed = createLiveFeed({ store, directory, policy: core.policy, clock: { now: () => new Date() } });
    bus = new InMemoryLiveSignalBus();
    await bus.start();
    realtime = createRealtime(
      {
        feed,
        toFrame: (delivery) =>
          toLiveFrame(delivery, attachmentBaseFor(core.policy.definition, delivery.viewer.type)),
        startPosition: () => logEnd(store.events),
        resolveActor: core.resolveActor,
        markDelivered: (entries) => core.markDelivered(entries),
        jwtSecret: TEST_SECRET,
        logger: { error: () => {}, warn: () => {} },
        signals: (hub) =>
          new LiveSignals({
            hub,
            bus,
            instanceId: 'memory-1',
            clock: { now: () => new Date() },
            policy: core.policy,
            feed,
            typingAudience: core.typingAudience,
            logger: { warn: () => {} },
          }),
      },
      { heartbeatMs: 10_000, maxFrameBytes: 4096, pollIntervalMs: 20 },
    );
    await realtime.start();
    app = await buildServer(
      {
        core,
        directory,
        jwtSecret: TEST_SECRET,
        databaseKind: 'memory',
        checkDatabase: async () => {},
        realtime,
      },
      { logLevel: 'silent', rateLimit: { max: 100_000, windowMs: 60_000 } },
    );
    call = client({ app });
    t = await tokensFor(TEST_SECRET);
    await seedFixture(call, t.service);
    base = await listen({ app });
  });
  afterAll(async () => {
    await app.close();
    await bus.close();
  });

  it('delivers a conversation and its messages to the recipient, typing both ways, and closes with 1001 on shutdown', async () => {
    const customer = await TestSocket.connect(base, { token: t.customer1 });
    const store = await TestSocket.connect(base, { token: t.store1 });
    const created = await call('POST', '/api/v1/store/messages', {
      token: t.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'In memory',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'Hello from memory',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const conversation = await customer.next((f) => f.type === 'conversation.created');
    expect(conversation.conversation_id).toBe(id);
    customer.send({ type: 'typing', conversation_id: id, state: 'start' });
    expect(await store.next((f) => f.type === 'typing')).toMatchObject({
      participant: { type: 'customer', id: 'c1' },
      state: 'start',
    });
    expect(realtime.hub.connectionsOf(participantKey({ type: 'customer', id: 'c1' }))).toHaveLength(1);
    await realtime.stop();
    expect(await customer.closed).toBe(1001);
    expect(await store.closed).toBe(1001);
  });
});
