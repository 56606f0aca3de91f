import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KyselyRateLimitCounters } from '@parley/adapters-kysely';
import { connectRedisRateLimitClient } from '@parley/adapters-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { composeForTest } from './support/composed-api.js';
import { dropSchema } from './support/drop-schema.js';

// Issue 15, "A proven multi-instance deployment": two API instances on one database spend one
// request budget per caller — counted in PostgreSQL, or in Redis when PARLEY_REDIS_URL is set —
// and a budget comes back once its window has ended.
const url = process.env.DATABASE_URL;
// db index 7 of the local Redis (or REDIS_URL's server); only this test's own keys are removed.
const redisBase = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUrl = `${redisBase.replace(/\/\d*$/, '')}/7`;
const redisUp = await connectRedisRateLimitClient({ url: redisUrl })
  .then(async (client) => {
    await client.quit();
    return true;
  })
  .catch(() => false);
if (!url) console.info('[parley] shared rate-limit test across instances skipped: it needs DATABASE_URL');
if (!redisUp) console.info(`[parley] shared rate-limit test on Redis skipped: ${redisUrl} unreachable`);

const MAX = 5;
const WINDOW_MS = 4_000;

/** An unauthenticated request: it spends its IP's budget (127.0.0.1 under `inject`) and ends in 401. */
const hit = (api: ComposedApi, remoteAddress = '127.0.0.1') =>
  api.app.inject({ method: 'GET', url: '/api/v1/conversations', remoteAddress });

const backends = [...(url ? ['postgres'] : []), ...(url && redisUp ? ['redis'] : [])];

describe.each(backends)('two API instances share one rate-limit budget (%s counters)', (backend) => {
  const schema = `t_rl_${backend}_${Math.random().toString(36).slice(2, 10)}`;
  let dir: string;
  let one: ComposedApi;
  let two: ComposedApi;

  const start = () =>
    compose(
      parseConfig(
        {
          PARLEY_DATABASE_URL: url ?? '',
          PARLEY_DATABASE_SCHEMA: schema,
          PARLEY_DATABASE_POOL_SIZE: '3',
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
          PARLEY_RATE_LIMIT_MAX: String(MAX),
          PARLEY_RATE_LIMIT_WINDOW: `${WINDOW_MS}ms`,
          ...(backend === 'redis' ? { PARLEY_REDIS_URL: redisUrl } : {}),
        },
        dir,
      ),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-rl-'));
    one = await start();
    two = await start();
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    if (backend === 'redis') {
      const redis = await connectRedisRateLimitClient({ url: redisUrl });
      const keys = await redis.keys(`parley:rate-limit_${schema}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    await dropSchema(schema);
    await rm(dir, { recursive: true, force: true });
  });

  it('counts hits on either instance against one budget, and gives it back when the window ends', async () => {
    const answers = [];
    // Alternating between the instances, as a load balancer would.
    // Warm both instances from another address (a first request is slow: it must not outlast the window).
    for (const api of [one, two]) await hit(api, '10.9.9.9');
    for (let i = 0; i < MAX + 2; i++) answers.push(await hit(i % 2 === 0 ? one : two));
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(answers.map((a) => a.headers['x-ratelimit-remaining'])).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
      '0',
      '0',
    ]);
    const refused = answers[MAX];
    expect(refused?.json()).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = Number(refused?.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    // The window ends (counters expire): a fresh budget on both instances.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await hit(two)).statusCode).toBe(401);
    expect((await hit(one)).headers['x-ratelimit-remaining']).toBe(String(MAX - 2));
  });

  it.runIf(backend === 'postgres')(
    'keeps the counters in rate_limit_counters and sweeps ended windows',
    async () => {
      const rows = await one.database.db.selectFrom('rate_limit_counters').selectAll().execute();
      expect(rows.map((row) => row.key).sort()).toEqual(['ip:10.9.9.9', 'ip:127.0.0.1']);
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS + 100));
      expect(await new KyselyRateLimitCounters({ db: one.database.db }).sweep()).toBe(2);
    },
  );
});

describe('one API on PGlite counts in the database too', () => {
  let harness: Awaited<ReturnType<typeof composeForTest>>;
  beforeAll(async () => {
    harness = await composeForTest({ database: 'pglite', env: { PARLEY_RATE_LIMIT_MAX: '2' } });
  });
  afterAll(() => harness.close());

  it('refuses the third request and keeps the count in rate_limit_counters', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hit(harness.api)).statusCode);
    expect(statuses).toEqual([401, 401, 429]);
    const rows = await harness.api.database.db.selectFrom('rate_limit_counters').selectAll().execute();
    expect(rows).toMatchObject([{ key: 'ip:127.0.0.1', hits: 3 }]);
  });
});
