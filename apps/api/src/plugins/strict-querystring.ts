import type { FastifyPluginAsync, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';

/**
 * Routes whose query strings stay open: callers we do not control (providers signing webhooks
 * may append parameters), and what is not the JSON API (docs, the OpenAPI document, the inbox
 * page, metrics, probes). Listed in docs/api.md.
 */
const OPEN_QUERY_ROUTES =
  /^\/(?:api\/v1\/webhooks\/|docs(?:\/|$)|openapi\.json$|inbox(?:\/|$)|metrics$|healthz$|readyz$)/;

/**
 * `onRoute` hook: makes a route's querystring schema strict, so an unknown parameter is a 400
 * naming it, like an unknown body field. A route without a querystring schema gets an empty
 * strict one. Leaves alone `OPEN_QUERY_ROUTES`, routes hidden from the OpenAPI document, wildcard routes (CORS preflight, whose URL
 * carries the real request's query) and OPTIONS.
 */
export function strictQuerystring(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.includes('OPTIONS') || route.url.includes('*') || OPEN_QUERY_ROUTES.test(route.url)) return;
  const schema = route.schema ?? {};
  // Hidden routes are not the documented JSON API; one of them stands in for an absent route and
  // must answer exactly like one (404), whatever the query.
  if (schema.hide === true) return;
  const query = schema.querystring as Record<string, unknown> | undefined;
  if (query?.additionalProperties === false) return;
  // A copy keeping TypeBox's non-enumerable markers (a spread would drop them, and with them the
  // conversion of query strings to numbers and booleans); the schema may be shared by routes.
  const strict =
    query === undefined
      ? Type.Object({}, { additionalProperties: false })
      : Object.create(Object.getPrototypeOf(query), {
          ...Object.getOwnPropertyDescriptors(query),
          additionalProperties: { value: false, enumerable: true, writable: true, configurable: true },
        });
  route.schema = { ...schema, querystring: strict };
}

/**
 * Unknown query parameters are a 400 naming the parameter on every JSON route
 * (`strictQuerystring` as an `onRoute` hook). Registered before any route: an `onRoute` hook
 * only sees the routes added after it.
 *
 * @example
 * ```ts
 * await app.register(strictQuerystringPlugin);
 * ```
 */
const strictQuerystringHook: FastifyPluginAsync = async (app) => {
  app.addHook('onRoute', strictQuerystring);
};

export const strictQuerystringPlugin = fp(strictQuerystringHook, {
  name: 'parley-strict-querystring',
  fastify: '5.x',
});
