import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from '../http-errors.js';

export interface RateLimitOptions {
  /** Requests per window per caller. */
  readonly max: number;
  readonly windowMs: number;
}

/**
 * The global request budget, per token subject when the token verifies (refreshing a token
 * keeps the budget), else per IP; past it 429 `RATE_LIMITED` with `Retry-After`, and every
 * counted answer carries `X-RateLimit-*`. Also makes `app.rateLimit(...)` available to routes
 * with a budget of their own (template previews). Needs the authentication plugin (its
 * `app.credentials` keys the budget); registered after it and before the 404 handler, OpenAPI
 * and the routes, whose requests it counts.
 *
 * @example
 * ```ts
 * await app.register(rateLimitPlugin, { max: 600, windowMs: 60_000 });
 * ```
 */
const rateLimitPolicy: FastifyPluginAsync<RateLimitOptions> = async (app, options) => {
  await app.register(rateLimit, {
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
