import type { LiveSignal } from '@parley/messaging-core';
import { liveSignalBusContract } from '@parley/messaging-core/testing/contracts';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { RedisLiveSignalBus } from './redis-live-signal-bus.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Null when Redis answers PING, else why not. */
async function unreachable(): Promise<string | null> {
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, connectTimeout: 2_000 });
  let failure: Error | null = null;
  probe.on('error', (error: Error) => {
    failure = error;
  });
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (error) {
    return (failure ?? (error as Error)).message;
  } finally {
    probe.disconnect();
  }
}

const reason = await unreachable();
if (reason !== null) {
  // CI promises a Redis: a missing one is a failure there, not a skip.
  if (process.env.CI) throw new Error(`Redis at ${url} is unreachable in CI: ${reason}`);
  console.info(
    `[parley] RedisLiveSignalBus tests skipped: Redis at ${url} is unreachable (${reason}); set REDIS_URL`,
  );
}

describe.runIf(reason === null)('RedisLiveSignalBus', () => {
  liveSignalBusContract({
    name: 'Redis pub/sub',
    create: (channel) =>
      new RedisLiveSignalBus({ url, channel: `parley:test:${channel}`, onError: () => undefined }),
  });

  it('refuses a channel with spaces or control characters', () => {
    expect(() => new RedisLiveSignalBus({ url, channel: 'parley signals' })).toThrow(/invalid channel/);
  });

  it('rejects start when the server cannot be reached', async () => {
    const bus = new RedisLiveSignalBus({ url: 'redis://127.0.0.1:1', onError: () => undefined });
    await expect(bus.start()).rejects.toThrow();
    await bus.close();
  });

  it('subscribes again after its connection was killed', async () => {
    const channel = `parley:test:reconnect:${process.pid}`;
    let reconnected = 0;
    const bus = new RedisLiveSignalBus({
      url,
      channel,
      connectionName: `parley-test-${process.pid}`,
      onError: () => undefined,
      onReconnect: () => {
        reconnected += 1;
      },
    });
    const received: LiveSignal[] = [];
    bus.subscribe((signal) => received.push(signal));
    await bus.start();
    const admin = new Redis(url);
    try {
      // Kill this bus's subscriber only (other processes may share the server).
      const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=parley-test-${process.pid}:sub `))
        .map((line) => /id=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      expect(ids).toHaveLength(1);
      for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
      await vi.waitFor(() => expect(reconnected).toBeGreaterThanOrEqual(1), {
        timeout: 10_000,
        interval: 20,
      });
      await vi.waitFor(
        async () => {
          await bus.publish({ kind: 'presence_sync', origin: 'after' }).catch(() => undefined);
          expect(received).toContainEqual({ kind: 'presence_sync', origin: 'after' });
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      admin.disconnect();
      await bus.close();
    }
  });
});
