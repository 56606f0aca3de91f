import { Redis } from 'ioredis';

export interface RedisRateLimitClientOptions {
  /** `redis://host:6379[/db]` or `rediss://` for TLS. */
  readonly url: string;
  /** Shown by `CLIENT LIST` (e.g. the instance id). */
  readonly connectionName?: string;
  /** Connection errors (ioredis reconnects by itself); absent: ignored. */
  readonly onError?: (error: Error) => void;
}

/**
 * The ioredis connection `@fastify/rate-limit` counts request budgets on (its `redis` option: one
 * `INCR` + `PEXPIRE` script per hit, so every API instance on the same Redis spends one budget per
 * caller). Commands fail at once while Redis is unreachable (no offline queue, one retry) instead
 * of holding requests; the API lets such requests through (`skipOnError`). Resolves once connected;
 * rejects when Redis cannot be reached. `quit()` it on shutdown.
 *
 * @example
 * ```ts
 * const redis = await connectRedisRateLimitClient({ url: 'redis://127.0.0.1:6379/0' });
 * await app.register(rateLimit, { redis, nameSpace: 'parley:rate-limit:' });
 * ```
 */
export async function connectRedisRateLimitClient(options: RedisRateLimitClientOptions): Promise<Redis> {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  });
  client.on('error', (error: Error) => options.onError?.(error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}
