import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem, toProblem } from '../http-errors.js';

/**
 * Every error as RFC 9457 `application/problem+json`: the core's errors by their code, Fastify's
 * validation, parsing, size and 404 errors, rate limiting and authentication. 5xx are logged with
 * their cause; the client only sees a generic detail.
 *
 * @example
 * ```ts
 * await app.register(problemHandlingPlugin);
 * ```
 */
const problemHandling: FastifyPluginAsync = async (app) => {
  app.setErrorHandler(async (error, request, reply) => {
    const { status, problem, serverError } = toProblem(error);
    if (serverError) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status, field: problem.field }, problem.detail);
    return reply
      .code(status)
      .type('application/problem+json')
      .send({ ...problem, request_id: request.id });
  });
};

export const problemHandlingPlugin = fp(problemHandling, { name: 'parley-problem-handling', fastify: '5.x' });

/** The 404 for a method and path no route serves (a problem, like every other error). */
export function routeNotFound(method: string, url: string): HttpProblem {
  const path = url.split('?')[0] ?? url;
  return new HttpProblem('ROUTE_NOT_FOUND', `no route serves ${method} ${path}`);
}
