import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, RawRequestDefaultExpression } from 'fastify';
import fp from 'fastify-plugin';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId` option: the caller's `X-Request-Id` when it is a plausible id (at most 128
 * of `A-Za-z0-9._:-`), so a request can be followed across services; otherwise a fresh UUID, so a
 * hostile value never reaches a log line or a response header.
 *
 * @example
 * ```ts
 * Fastify({ requestIdHeader: false, genReqId: requestIdOf });
 * ```
 */
export function requestIdOf(request: RawRequestDefaultExpression): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Echoes the request id (`requestIdOf`) as `X-Request-Id` on every response, errors included.
 * Registered first: its `onRequest` hook runs before any hook that may refuse the request
 * (rate limit, authentication), so even those answers carry the id.
 *
 * @example
 * ```ts
 * await app.register(requestIdPlugin);
 * ```
 */
const requestId: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
};

export const requestIdPlugin = fp(requestId, { name: 'parley-request-id', fastify: '5.x' });
