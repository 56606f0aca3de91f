import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHarness } from './support/build-harness.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import type { ApiHarness } from './support/harness.js';
import { inMemoryServices } from './support/in-memory-services.js';
import { operationsOf, validValue } from './support/openapi-fuzz.js';

/** Open by design (docs/api.md): providers may append parameters to webhook URLs. */
const OPEN = /^\/(?:api\/v1\/webhooks\/|healthz$|readyz$)/;

function tokenFor(path: string, tokens: Tokens): string {
  if (path.startsWith('/api/v1/admin/')) return tokens.admin;
  if (path.startsWith('/api/v1/storefront/')) return tokens.customer1;
  if (path.startsWith('/api/v1/store/')) return tokens.store1;
  // Any participant token: a store user's.
  if (path.startsWith('/api/v1/conversations')) return tokens.store1;
  return tokens.service;
}

describe('unknown query parameters', () => {
  let harness: ApiHarness;
  let document: OpenAPIV3_1.Document;
  let tokens: Tokens;
  let call: Call;

  beforeAll(async () => {
    const { core, directory, ...services } = inMemoryServices();
    harness = await buildHarness(core, directory, { kind: 'memory', check: async () => {} }, services);
    tokens = await tokensFor(harness.jwtSecret);
    call = client(harness);
    await seedFixture(call, tokens.service);
    document = (await harness.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(() => harness.close());

  it('every JSON API operation answers 400 naming the parameter', async () => {
    const operations = operationsOf(document).filter((op) => !OPEN.test(op.path));
    expect(operations.length).toBeGreaterThan(60);
    const wrong: string[] = [];
    for (const op of operations) {
      let path = op.path;
      for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
        const value = validValue(parameter.schema as never, parameter.name);
        path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
      }
      const query = new URLSearchParams();
      for (const parameter of op.parameters.filter((p) => p.in === 'query' && p.required)) {
        query.set(parameter.name, String(validValue(parameter.schema as never, parameter.name)));
      }
      query.set('zz_unknown', '1');
      const response = await call(op.method as 'GET', `${path}?${query}`, {
        token: tokenFor(op.path, tokens),
        ...(op.body ? { body: validValue(op.body) } : {}),
        headers: { 'idempotency-key': 'strict-query-0001' },
      });
      const ok =
        response.status === 400 &&
        response.body?.code === 'VALIDATION' &&
        response.body?.field === 'zz_unknown' &&
        response.body?.detail === 'zz_unknown is not a known parameter' &&
        String(response.headers['content-type']).startsWith('application/problem+json');
      if (!ok) wrong.push(`${op.method} ${op.path}: ${response.status} ${response.text.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('known parameters still work on routes with a query schema', async () => {
    const list = await call('GET', '/api/v1/admin/messages?limit=5', { token: tokens.admin });
    expect(list.status).toBe(200);
    const log = await call('GET', '/api/v1/store/email-logs?limit=5', { token: tokens.store1 });
    expect(log.status).toBe(200);
    const notifications = await call('GET', '/api/v1/admin/notifications?limit=5', { token: tokens.admin });
    expect(notifications.status).toBe(200);
  });

  it('an unknown parameter next to known ones is still refused, and named', async () => {
    const response = await call('GET', '/api/v1/admin/messages?limit=5&sort=desc', { token: tokens.admin });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION',
      field: 'sort',
      detail: 'sort is not a known parameter',
      type: 'urn:parley:problem:validation',
    });
  });

  it('routes without a query schema refuse parameters too', async () => {
    const response = await call('GET', '/api/v1/admin/settings?verbose=1', { token: tokens.admin });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION', field: 'verbose' });
  });

  it('the documented exceptions keep their query strings open', async () => {
    expect((await call('GET', '/healthz?probe=1')).status).toBe(200);
    expect((await call('GET', '/openapi.json?v=2')).status).toBe(200);
    const docs = await harness.app.inject({ method: 'GET', url: '/docs/?x=1' });
    expect(docs.statusCode).toBe(200);
    const absent = await call('GET', '/api/v1/storefront/messages/recipients?zz_unknown=1', {
      token: tokens.customer1,
    });
    expect(absent.status).toBe(404);
    expect(absent.body.code).toBe('ROUTE_NOT_FOUND');
    const inbox = await harness.app.inject({ method: 'GET', url: '/inbox?utm_source=mail' });
    expect(inbox.statusCode).toBe(200);
  });
});
