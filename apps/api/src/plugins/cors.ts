import cors from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface CorsOptions {
  /** Allowed origins, or `*` for any; empty: no CORS headers at all (same-origin callers only). */
  readonly origins: readonly string[] | '*';
}

/**
 * CORS for browser callers on other origins: preflights answered with the methods and headers
 * the API takes (`Authorization`, `Idempotency-Key` …), and the headers a client needs to read
 * exposed (`Retry-After`, `Idempotent-Replayed`, `X-Request-Id`, the rate-limit headers).
 * Registered before authentication and rate limiting, so a refused request still carries the
 * CORS headers a browser needs to show the refusal to the page.
 *
 * @example
 * ```ts
 * await app.register(corsPlugin, { origins: ['https://shop.example.com'] });
 * ```
 */
const corsPolicy: FastifyPluginAsync<CorsOptions> = async (app, { origins }) => {
  if (origins !== '*' && origins.length === 0) return;
  await app.register(cors, {
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: [
      'Retry-After',
      'Idempotent-Replayed',
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
    ],
    maxAge: 600,
  });
};

export const corsPlugin = fp(corsPolicy, { name: 'parley-cors', fastify: '5.x' });
