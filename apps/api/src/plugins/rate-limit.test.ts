import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type ParleyApp } from '../server.js';
import type { SharedRateLimitCounters } from './rate-limit.js';

const SECRET = 'rate-limit-plugin-secret-0123456789abcdef';

/** Counters in a Map, recording every key they were asked about (the Kysely ones are tested on real databases). */
function mapCounters(options: { fail?: boolean } = {}) {
  const hits = new Map<string, number>();
  const asked: string[] = [];
  let sweeps = 0;
  const counters: SharedRateLimitCounters = {
    hit: async (key) => {
      asked.push(key);
      if (options.fail) throw new Error('counter store down');
      const count = (hits.get(key) ?? 0) + 1;
      hits.set(key, count);
      return { hits: count, ttlMs: 30_000 };
    },
    read: async (key) => ({ hits: hits.get(key) ?? 0, ttlMs: 30_000 }),
    sweep: async () => {
      sweeps++;
      return 0;
    },
  };
  return { counters, asked, sweeps: () => sweeps };
}

describe('the rate-limit plugin over shared counters', () => {
  let app: ParleyApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const build = async (counters: SharedRateLimitCounters, sweepIntervalMs?: number) => {
    const { core, directory } = createInMemoryMessaging();
    app = await buildServer(
      { core, directory, checkDatabase: async () => {}, databaseKind: 'memory', jwtSecret: SECRET },
      {
        logLevel: 'silent',
        rateLimit: { max: 2, windowMs: 60_000 },
        rateLimitCounters: {
          kind: 'database',
          counters,
          ...(sweepIntervalMs === undefined ? {} : { sweepIntervalMs }),
        },
      },
    );
    return app;
  };
  const hit = (server: ParleyApp) => server.inject({ method: 'GET', url: '/api/v1/conversations' });

  it('counts every request through the counters and answers 429 past the budget', async () => {
    const { counters, asked } = mapCounters();
    const server = await build(counters);
    const answers = [await hit(server), await hit(server), await hit(server)];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 429]);
    expect(answers[2]?.headers['retry-after']).toBe('30');
    expect(asked).toEqual(['ip:127.0.0.1', 'ip:127.0.0.1', 'ip:127.0.0.1']);
  });

  it('lets requests through when the counters fail, rather than failing them', async () => {
    const { counters, asked } = mapCounters({ fail: true });
    const server = await build(counters);
    const answers = [await hit(server), await hit(server), await hit(server)];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401]);
    expect(asked).toHaveLength(3);
  });

  it('sweeps ended windows on a timer, and stops when the app closes', async () => {
    const { counters, sweeps } = mapCounters();
    const server = await build(counters, 20);
    await server.ready();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sweeps()).toBeGreaterThanOrEqual(2);
    await server.close();
    app = undefined;
    const after = sweeps();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sweeps()).toBe(after);
  });
});
