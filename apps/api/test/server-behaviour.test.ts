import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, secretKey } from '../src/plugins/authentication.js';
import { buildServer, type ParleyApp, type ServerOptions } from '../src/server.js';
import { inMemoryServices } from './support/in-memory-services.js';

// What `buildServer` answers, pinned so that reorganising how the server is put together (one
// plugin per concern) cannot change it: the OpenAPI operations and their ids, and the status,
// headers and bodies of requests that cross every concern (security headers, CORS, rate limit,
// content types, strict query strings, problem handling, authentication, docs). Volatile values
// (dates, generated ids, seconds left in a window) are replaced before comparing.

const SECRET = 'server-behaviour-secret-0123456789abcdef';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const ORIGIN = 'https://shop.example.com';
const REQUEST_ID = 'behaviour-request-1';
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

async function build(options: ServerOptions): Promise<ParleyApp> {
  const app = await buildServer(
    {
      ...inMemoryServices(),
      jwtSecret: SECRET,
      databaseKind: 'memory',
      checkDatabase: async () => {},
    },
    { logLevel: 'silent', ...options },
  );
  await app.ready();
  return app;
}

/** Status, headers (volatile ones masked) and body of a response, for a snapshot. */
function shape(response: LightMyRequestResponse, options: { body?: boolean } = {}) {
  const headers: Record<string, unknown> = {};
  for (const name of Object.keys(response.headers).sort()) {
    const value = response.headers[name];
    if (name === 'date') continue;
    if (name === 'x-ratelimit-reset' || name === 'retry-after') headers[name] = '<seconds>';
    else if (name === 'x-request-id' && value !== REQUEST_ID) headers[name] = '<generated>';
    else if (name === 'content-length' && options.body === false) headers[name] = '<length>';
    else headers[name] = value;
  }
  const body =
    options.body === false
      ? undefined
      : response.body === ''
        ? ''
        : /json/.test(String(response.headers['content-type']))
          ? JSON.parse(response.body, (_key, value) =>
              typeof value !== 'string'
                ? value
                : ISO_TIME.test(value)
                  ? '<time>'
                  : value.replace(/retry in \d+ seconds/, 'retry in <n> seconds'),
            )
          : response.body;
  return { status: response.statusCode, headers, ...(body === undefined ? {} : { body }) };
}

describe('buildServer behaviour (pinned across refactors)', () => {
  let app: ParleyApp;
  let limited: ParleyApp;
  let plain: ParleyApp;
  let service: string;

  beforeAll(async () => {
    app = await build({
      publicUrl: 'https://chat.example.com/parley',
      corsOrigins: [ORIGIN],
      rateLimit: { max: 1000, windowMs: 60_000 },
      version: '9.9.9',
      metricsToken: 'metrics-token-0123456789',
      bodyLimit: 4096,
    });
    limited = await build({ rateLimit: { max: 2, windowMs: 60_000 } });
    plain = await build({});
    service = await issueToken(secretKey(SECRET), {
      sub: 'platform',
      role: 'service',
      issuedAt: new Date(),
    });
  });
  afterAll(async () => {
    await Promise.all([app?.close(), limited?.close(), plain?.close()]);
  });

  const call = (server: ParleyApp, request: InjectOptions) =>
    server.inject({ ...request, headers: { 'x-request-id': REQUEST_ID, ...request.headers } });

  it('documents the same operations, ids, tags and document header', async () => {
    const document = (
      await app.inject({ method: 'GET', url: '/openapi.json' })
    ).json() as OpenAPIV3_1.Document;
    const operations: string[] = [];
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const method of METHODS) {
        const operation = item?.[method];
        if (operation) operations.push(`${method} ${path} ${operation.operationId} [${operation.tags}]`);
      }
    }
    expect(operations.sort()).toMatchSnapshot();
    expect({
      openapi: document.openapi,
      info: document.info,
      servers: document.servers,
      tags: document.tags,
      securitySchemes: document.components?.securitySchemes,
      schemas: Object.keys(document.components?.schemas ?? {}).sort(),
    }).toMatchSnapshot();
  });

  it('answers the same statuses, headers and problems', async () => {
    const withOrigin = { origin: ORIGIN };
    const auth = { authorization: `Bearer ${service}` };
    const requests: Record<string, InjectOptions> = {
      health: { method: 'GET', url: '/healthz', headers: withOrigin },
      ready: { method: 'GET', url: '/readyz' },
      preflight: {
        method: 'OPTIONS',
        url: '/api/v1/store/messages',
        headers: {
          ...withOrigin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      },
      preflightOtherOrigin: {
        method: 'OPTIONS',
        url: '/api/v1/store/messages',
        headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
      },
      noToken: { method: 'GET', url: '/api/v1/store/messages' },
      badToken: { method: 'GET', url: '/api/v1/store/messages', headers: { authorization: 'Bearer x.y.z' } },
      wrongRole: { method: 'GET', url: '/api/v1/store/messages', headers: auth },
      unknownRoute: { method: 'GET', url: '/api/v1/nowhere?x=1' },
      unknownQuery: { method: 'GET', url: '/api/v1/platform/stores/s1?bogus=1', headers: auth },
      missingStore: { method: 'GET', url: '/api/v1/platform/stores/s1', headers: auth },
      textPlain: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s1',
        headers: { ...auth, 'content-type': 'text/plain' },
        payload: 'hello',
      },
      emptyJson: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s1',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '',
      },
      malformedJson: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s1',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"name":',
      },
      nulInBody: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s1',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'a\u0000b' }),
      },
      tooLarge: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s1',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'x'.repeat(5000) }),
      },
      created: {
        method: 'PUT',
        url: '/api/v1/platform/stores/s2',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'Second store' }),
      },
      badPercent: { method: 'GET', url: '/api/v1/platform/stores/%E0%A4%A', headers: auth },
      longParam: { method: 'GET', url: `/api/v1/platform/stores/${'a'.repeat(3000)}`, headers: auth },
      badRequestId: { method: 'GET', url: '/healthz', headers: { 'x-request-id': 'not ok!' } },
      metricsNoToken: { method: 'GET', url: '/metrics' },
      webhookNotConfigured: {
        method: 'POST',
        url: '/api/v1/webhooks/email/sendgrid?extra=1',
        headers: { 'content-type': 'application/json' },
        payload: '[]',
      },
    };
    const answers: Record<string, unknown> = {};
    for (const [name, request] of Object.entries(requests)) answers[name] = shape(await call(app, request));
    expect(answers).toMatchSnapshot();
  });

  it('serves the same docs, document and metrics headers', async () => {
    const answers = {
      document: shape(await call(app, { method: 'GET', url: '/openapi.json' }), { body: false }),
      docs: shape(await call(app, { method: 'GET', url: '/docs' }), { body: false }),
      docsPage: shape(await call(app, { method: 'GET', url: '/docs/static/index.html' }), { body: false }),
      inbox: shape(await call(app, { method: 'GET', url: '/inbox' }), { body: false }),
      metrics: shape(
        await call(app, {
          method: 'GET',
          url: '/metrics',
          headers: { authorization: 'Bearer metrics-token-0123456789' },
        }),
        { body: false },
      ),
      plainHealth: shape(await call(plain, { method: 'GET', url: '/healthz', headers: { origin: ORIGIN } })),
    };
    expect(answers).toMatchSnapshot();
  });

  it('counts the global rate limit before authentication, with the same headers and problem', async () => {
    const request = { method: 'GET' as const, url: '/api/v1/admin/messages' };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(shape(await call(limited, request)));
    answers.push(shape(await call(limited, { method: 'GET', url: '/healthz' })));
    expect(answers).toMatchSnapshot();
  });
});
