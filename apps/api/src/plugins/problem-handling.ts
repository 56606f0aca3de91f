import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem, rawClientErrorResponse, toProblem } from '../http-errors.js';

/** Answers `error` as problem+json on `reply`; 5xx are logged with their cause. */
function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, problem, serverError } = toProblem(error);
  if (serverError) request.log.error({ err: error, code: problem.code }, 'request failed');
  else request.log.info({ code: problem.code, status, field: problem.field }, problem.detail);
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ ...problem, request_id: request.id });
}

/**
 * Fastify's `frameworkErrors` option: what the router refuses before any route or hook runs — a
 * malformed percent-encoding (400 `MALFORMED_REQUEST`), a path parameter over `maxParamLength`
 * (414 `URI_TOO_LONG`) — answered as problem+json like every other error.
 *
 * @example
 * ```ts
 * Fastify({ frameworkErrors: answerFrameworkError });
 * ```
 */
export function answerFrameworkError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  sendProblem(error, request, reply);
}

/**
 * Fastify's `clientErrorHandler` option: Node's HTTP parser refused the bytes before there was a
 * request (headers too large: 431, invalid bytes in a header: 400, too slow: 408). Writes a raw
 * HTTP/1.1 problem+json response when the socket still takes it, then closes the connection.
 *
 * @example
 * ```ts
 * Fastify({ clientErrorHandler: answerClientError });
 * ```
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.end(rawClientErrorResponse(error, randomUUID()));
  else socket.destroy();
}

/**
 * Every error as RFC 9457 `application/problem+json`: the core's errors by their code, Fastify's
 * validation, parsing, size and 404 errors, rate limiting and authentication. 5xx are logged with
 * their cause; the client only sees a generic detail. Registered before every plugin whose hooks
 * may throw (metrics, the text input guard, authentication, rate limiting) and before the routes.
 *
 * @example
 * ```ts
 * await app.register(problemHandlingPlugin);
 * ```
 */
const problemHandling: FastifyPluginAsync = async (app) => {
  app.setErrorHandler(async (error, request, reply) => sendProblem(error, request, reply));
};

export const problemHandlingPlugin = fp(problemHandling, { name: 'parley-problem-handling', fastify: '5.x' });

/** The 404 for a method and path no route serves (a problem, like every other error). */
export function routeNotFound(method: string, url: string): HttpProblem {
  const path = url.split('?')[0] ?? url;
  return new HttpProblem('ROUTE_NOT_FOUND', `no route serves ${method} ${path}`);
}

/**
 * A method and path no route serves answer 404 `ROUTE_NOT_FOUND` as problem+json. Registered
 * after the hooks every request runs (security headers, CORS, authentication, rate limit): the
 * 404 handler runs the hooks registered before it, so a miss is counted and carries the same
 * headers as any other answer.
 *
 * @example
 * ```ts
 * await app.register(routeNotFoundPlugin);
 * ```
 */
const notFound: FastifyPluginAsync = async (app) => {
  app.setNotFoundHandler(async (request) => {
    throw routeNotFound(request.method, request.url);
  });
};

export const routeNotFoundPlugin = fp(notFound, { name: 'parley-route-not-found', fastify: '5.x' });
