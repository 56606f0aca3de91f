import { createInMemoryMessaging } from '@parley/messaging-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, type ParleyApp } from './server.js';

const SECRET = 'server-test-secret-server-test-secret';

describe('buildServer options', () => {
  let app: ParleyApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function build(options: Parameters<typeof buildServer>[1]) {
    const { core, directory } = createInMemoryMessaging();
    app = await buildServer(
      { core, directory, jwtSecret: SECRET, databaseKind: 'memory', checkDatabase: async () => {} },
      { logLevel: 'silent', ...options },
    );
    return app;
  }

  it('answers CORS preflights for configured origins only', async () => {
    const server = await build({ corsOrigins: ['https://shop.example.com'] });
    const preflight = (origin: string) =>
      server.inject({
        method: 'OPTIONS',
        url: '/api/v1/store/messages',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
    const allowed = await preflight('https://shop.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'idempotency-key',
    );
    // PATCH, for the generic API's preferences.
    expect(String(allowed.headers['access-control-allow-methods']).split(/,\s*/)).toContain('PATCH');
    const denied = await preflight('https://evil.example.com');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(simple.headers['access-control-expose-headers']).toContain('Retry-After');
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const server = await build({});
    const response = await server.inject({
      method: 'GET',
      url: '/healthz',
      headers: { origin: 'https://shop.example.com' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('applies the body limit and HSTS only behind an https public URL', async () => {
    const server = await build({ bodyLimit: 2048, publicUrl: 'https://chat.example.com' });
    const response = await server.inject({
      method: 'PUT',
      url: '/api/v1/platform/stores/s1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(3000) }),
    });
    // Authentication runs first (onRequest), so an anonymous oversized body is a 401, not parsed at all.
    expect(response.statusCode).toBe(401);
    expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
    expect(response.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    const document = (await server.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.servers).toEqual([{ url: 'https://chat.example.com' }]);
  });

  it('closing stops accepting and finishes in-flight requests', async () => {
    let release: () => void = () => {};
    const { core, directory } = createInMemoryMessaging();
    const slowCheck = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const server = await buildServer(
      { core, directory, jwtSecret: SECRET, databaseKind: 'memory', checkDatabase: slowCheck },
      { logLevel: 'silent' },
    );
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/readyz`);
    await new Promise((r) => setTimeout(r, 100));
    const closing = server.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', database: 'memory' });
    await closing;
  });

  it('keeps plain-http local runs free of https upgrades', async () => {
    const server = await build({});
    const response = await server.inject({ method: 'GET', url: '/docs/static/index.html' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });
});
