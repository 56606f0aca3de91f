import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http-errors.js';
import { BatchedRateLimitCounters, type CountingRateLimitCounters } from './batched-rate-limit-counters.js';

export interface RateLimitOptions {
  /** Requests per window per caller. */
  readonly max: number;
  readonly windowMs: number;
  /**
   * Where the counters live, so that N instances spend one budget per caller rather than N:
   * the database (`KyselyRateLimitCounters`) or Redis. Absent: this process only (tests, embedders).
   */
  readonly counters?: RateLimitCounterBackend;
}

/** A caller's count in its current window (`KyselyRateLimitCounters` is one). */
export interface SharedRateLimitCounters {
  /** Counts one hit of `key` in its window of `windowMs` (a new window once the last has ended). */
  hit(key: string, windowMs: number): Promise<{ readonly hits: number; readonly ttlMs: number }>;
  /** The open window's count, without a hit. */
  read(key: string): Promise<{ readonly hits: number; readonly ttlMs: number }>;
  /** Deletes the counters whose window has ended; returns how many. */
  sweep(): Promise<number>;
}

/** Shared rate-limit counters: in the database, or in Redis (`PARLEY_REDIS_URL`). */
export type RateLimitCounterBackend =
  | {
      readonly kind: 'database';
      /** Counted in blocks (`BatchedRateLimitCounters`) when they can count several hits at once. */
      readonly counters: SharedRateLimitCounters | CountingRateLimitCounters;
      /** How often ended windows are deleted (default: the window, at least a minute). */
      readonly sweepIntervalMs?: number;
    }
  | {
      readonly kind: 'redis';
      /** A connected ioredis client (`connectRedisRateLimitClient`). */
      readonly client: unknown;
      /** Key prefix, so deployments sharing a Redis keep apart. */
      readonly nameSpace: string;
    };

/**
 * `@fastify/rate-limit`'s store interface over shared counters. A child (a route's or a limiter's
 * own budget) prefixes its keys with its route, as the plugin's Redis store does.
 */
function databaseStore(counters: SharedRateLimitCounters): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    readonly #prefix: string;
    constructor(_options: unknown, prefix = '') {
      this.#prefix = prefix;
    }
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      counters.hit(this.#prefix + key, timeWindow).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void) {
      counters.read(this.#prefix + key).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: Error) => callback(error),
      );
    }
    child(routeOptions: object): FastifyRateLimitStore {
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      const method = Array.isArray(route?.method) ? route.method.join(',') : String(route?.method ?? '');
      return new DatabaseRateLimitStore(undefined, `${this.#prefix}${method}${route?.url ?? ''}-`);
    }
  }
  return DatabaseRateLimitStore;
}

/**
 * The global request budget, per token subject when the token verifies (refreshing a token
 * keeps the budget), else per IP; past it 429 `RATE_LIMITED` with `Retry-After`, and every
 * counted answer carries `X-RateLimit-*`. Also makes `app.rateLimit(...)` available to routes
 * with a budget of their own (template previews). Needs the authentication plugin (its
 * `app.credentials` keys the budget); registered after it and before the 404 handler, OpenAPI
 * and the routes, whose requests it counts. Counted in this process, or — given `counters` — in
 * the database or Redis, shared by every instance (ended windows swept by a timer; a counter store
 * that fails lets requests through, `skipOnError`).
 *
 * @example
 * ```ts
 * await app.register(rateLimitPlugin, { max: 600, windowMs: 60_000 });
 * ```
 */
const rateLimitPolicy: FastifyPluginAsync<RateLimitOptions> = async (app, options) => {
  const backend = options.counters;
  await app.register(rateLimit, {
    ...(backend?.kind === 'database'
      ? { store: databaseStore(new BatchedRateLimitCounters(backend.counters, { max: options.max })) }
      : {}),
    ...(backend?.kind === 'redis' ? { redis: backend.client, nameSpace: backend.nameSpace } : {}),
    // A shared store that cannot answer (Redis down) lets the request through rather than failing
    // it: the budget protects the API, an outage of the counters should not become one of the API.
    skipOnError: backend !== undefined,
    // Not per route: the global budget is counted by the root hook below. Routes with a budget of
    // their own (`config.rateLimit` an object, or hooks from `app.rateLimit(...)`) keep the plugin's.
    global: false,
    max: options.max,
    timeWindow: options.windowMs,
    // Per token subject when the token verifies (refreshing a token keeps the budget), else per IP.
    keyGenerator: async (request) => {
      const credentials = await app.credentials(request);
      if (!credentials.ok) return `ip:${request.ip}`;
      const { role, storeId, subject } = credentials.principal;
      return `${role}:${storeId ?? ''}:${subject}`;
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `rate limit of ${context.max} requests exceeded; retry in ${context.after}`,
    }),
  });

  if (backend?.kind === 'database') {
    // Ended windows are dead rows: any instance may delete them (the sweep is idempotent).
    const every = backend.sweepIntervalMs ?? Math.max(options.windowMs, 60_000);
    const timer = setInterval(() => {
      backend.counters.sweep().catch((error: unknown) => {
        app.log.warn({ err: error }, 'rate-limit counter sweep failed; retried next interval');
      });
    }, every);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  // The global budget, counted here before any route's authentication hook: a request without a
  // valid token spends its IP's budget even though it ends in a 401 (a per-route hook would run
  // after the route's own hooks and never see it). Routes exempt (`rateLimit: false`) or with a
  // budget of their own (an object) are left out. `createRateLimit` only counts, so the routes'
  // extra limiters (template previews) still run after this one.
  const globalLimit = app.createRateLimit();
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.rateLimit !== undefined) return;
    const result = await globalLimit(request);
    if (result.isAllowed) return;
    reply.header('x-ratelimit-limit', result.max);
    reply.header('x-ratelimit-remaining', result.remaining);
    reply.header('x-ratelimit-reset', result.ttlInSeconds);
    if (!result.isExceeded) return;
    reply.header('retry-after', result.ttlInSeconds);
    throw new HttpProblem(
      'RATE_LIMITED',
      `rate limit of ${result.max} requests exceeded; retry in ${result.ttlInSeconds} seconds`,
    );
  });
};

export const rateLimitPlugin = fp(rateLimitPolicy, {
  name: 'parley-rate-limit',
  fastify: '5.x',
  dependencies: ['parley-auth'],
});
