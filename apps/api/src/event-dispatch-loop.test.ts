import { createEventDispatcher, type EventSubscriber, type LoggedEvent } from '@parley/messaging-core';
import { FixedClock, InMemoryMessagingStore } from '@parley/messaging-core/testing';
import { describe, expect, it } from 'vitest';
import { startEventDispatchLoop } from './event-dispatch-loop.js';

/** A logger keeping what it was told. */
function memoryLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (_object: unknown, message?: string) => lines.push(`info ${message}`),
    error: (_object: unknown, message?: string) => lines.push(`error ${message}`),
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

function deletedAt(at: Date, messageId: string) {
  return {
    type: 'message.deleted' as const,
    occurredAt: at,
    actor: { type: 'admin', id: 'a1' },
    tenantId: null,
    conversationId: '01900000-0000-7000-8000-000000000001',
    messageId,
  };
}

describe('startEventDispatchLoop', () => {
  it('delivers on a wake after a local commit, without polling', async () => {
    const seen: LoggedEvent[] = [];
    const recorder: EventSubscriber = {
      name: 'recorder',
      handle: async (events) => void seen.push(...events),
    };
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    let wake = () => {};
    const store = new InMemoryMessagingStore({ onEventsCommitted: () => wake() });
    const loop = startEventDispatchLoop(
      createEventDispatcher({ store, subscribers: [recorder] }),
      store.events,
      { pollIntervalMs: null, retentionDays: 7, pruneIntervalMs: null },
      clock,
      memoryLog() as never,
    );
    wake = () => loop.wake();
    await store.transaction((tx) => tx.events.append([deletedAt(clock.now(), 'm1')]));
    await until(() => seen.length === 1);
    await store.transaction((tx) =>
      tx.events.append([deletedAt(clock.now(), 'm2'), deletedAt(clock.now(), 'm3')]),
    );
    await until(() => seen.length === 3);
    expect(seen.map((e) => (e.type === 'message.deleted' ? e.payload.message_id : ''))).toEqual([
      'm1',
      'm2',
      'm3',
    ]);
    await loop.stop();
  });

  it('runs a lone wake-up at once, and gathers the wake-ups of a busy moment into one batch (batchWindowMs)', async () => {
    const batches: number[] = [];
    const recorder: EventSubscriber = {
      name: 'recorder',
      handle: async (events) => void batches.push(events.length),
    };
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    let wake = () => {};
    const store = new InMemoryMessagingStore({ onEventsCommitted: () => wake() });
    const loop = startEventDispatchLoop(
      createEventDispatcher({ store, subscribers: [recorder] }),
      store.events,
      { pollIntervalMs: null, retentionDays: 7, pruneIntervalMs: null, batchWindowMs: 1_000 },
      clock,
      memoryLog() as never,
    );
    wake = () => loop.wake();
    await loop.drain(); // the start-up round, catching up on an empty log
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a quiet spell longer than the window
    // The first commit after the quiet spell is dispatched at once, not a window later.
    const startedAt = performance.now();
    await store.transaction((tx) => tx.events.append([deletedAt(clock.now(), 'm1')]));
    await until(() => batches.length === 1);
    expect(performance.now() - startedAt).toBeLessThan(500);
    // The next four arrive within the window of that round: they wait for its end and go together.
    for (let i = 2; i <= 5; i += 1) {
      await store.transaction((tx) => tx.events.append([deletedAt(clock.now(), `m${i}`)]));
    }
    for (let i = 0; i < 400 && batches.reduce((a, b) => a + b, 0) < 5; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(batches).toEqual([1, 4]);
    await loop.stop();
  });

  it('logs a failing subscriber, retries it on the next poll from its cursor, and keeps the others going', async () => {
    const seen: string[] = [];
    let failures = 1;
    const flaky: EventSubscriber = {
      name: 'flaky',
      handle: async (events) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('downstream is down');
        }
        for (const e of events) seen.push(`flaky:${e.id}`);
      },
    };
    const steady: EventSubscriber = {
      name: 'steady',
      handle: async (events) => void seen.push(...events.map((e) => `steady:${e.id}`)),
    };
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    const store = new InMemoryMessagingStore();
    await store.transaction((tx) => tx.events.append([deletedAt(clock.now(), 'm1')]));
    const log = memoryLog();
    const errors: string[] = [];
    const loop = startEventDispatchLoop(
      createEventDispatcher({ store, subscribers: [flaky, steady], onError: (name) => errors.push(name) }),
      store.events,
      { pollIntervalMs: 15, retentionDays: 7, pruneIntervalMs: null },
      clock,
      log as never,
    );
    await until(() => seen.includes('flaky:1') && seen.includes('steady:1'));
    expect(errors).toEqual(['flaky']);
    expect(seen.filter((s) => s === 'flaky:1')).toHaveLength(1);
    await loop.stop();
  });

  it('prunes events older than the retention, and only those', async () => {
    const clock = new FixedClock(new Date('2026-05-01T00:00:00Z'));
    const store = new InMemoryMessagingStore();
    const day = 86_400_000;
    await store.transaction((tx) =>
      tx.events.append([
        deletedAt(new Date(clock.now().getTime() - 9 * day), 'old'),
        deletedAt(new Date(clock.now().getTime() - 7 * day - 1), 'just-past'),
        deletedAt(new Date(clock.now().getTime() - 6 * day), 'kept'),
      ]),
    );
    const log = memoryLog();
    const loop = startEventDispatchLoop(
      createEventDispatcher({ store, subscribers: [] }),
      store.events,
      { pollIntervalMs: null, retentionDays: 7, pruneIntervalMs: 10 },
      clock,
      log as never,
    );
    await until(() => log.lines.includes('info pruned events past their retention'));
    const left = await store.raw.events();
    expect(left.map((e) => (e.type === 'message.deleted' ? e.payload.message_id : ''))).toEqual(['kept']);
    expect(await loop.prune()).toBe(0);
    await loop.stop();
  });
});
