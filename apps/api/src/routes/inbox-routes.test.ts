import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_ASSET_CACHE_CONTROL, INBOX_CONTENT_SECURITY_POLICY, inboxRoutes } from './inbox-routes.js';

const INDEX = `<!doctype html><html><head><script type="module" crossorigin src="/inbox/assets/index-Ab12.js"></script>
<link rel="stylesheet" crossorigin href="/inbox/assets/index-Cd34.css"></head><body><div id="app"></div></body></html>`;

let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'parley-inbox-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-Ab12.js'), 'console.log("inbox")');
  await writeFile(join(dist, 'assets', 'index-Cd34.css'), 'body{margin:0}');
  await writeFile(join(dist, 'assets', 'parley-inbox.js'), 'customElements.define("parley-inbox", class {})');
});

afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

async function app(options: { basePath?: string; distDir?: string } = {}) {
  const server = Fastify();
  await server.register(inboxRoutes, { distDir: options.distDir ?? dist, ...options });
  return server;
}

describe('the inbox routes', () => {
  it('answer the app for every app route, never cached stale, under a strict CSP with no inline code', async () => {
    const server = await app();
    for (const url of [
      '/inbox',
      '/inbox/',
      '/inbox/c/0190f000-0000-7000-8000-000000000001',
      '/inbox/c/x/y',
    ]) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(INBOX_CONTENT_SECURITY_POLICY);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX);
    }
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(INBOX_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('serve hashed assets as immutable for a year, and 404 for an unknown one (not the app)', async () => {
    const server = await app();
    const js = await server.inject({ method: 'GET', url: '/inbox/assets/index-Ab12.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log("inbox")');
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe(INBOX_ASSET_CACHE_CONTROL);
    expect(INBOX_ASSET_CACHE_CONTROL).toBe('public, max-age=31536000, immutable');
    const css = await server.inject({ method: 'GET', url: '/inbox/assets/index-Cd34.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cross-origin-resource-policy']).toBe('cross-origin');
    const element = await server.inject({ method: 'GET', url: '/inbox/assets/parley-inbox.js' });
    expect(element.statusCode).toBe(200);
    expect(element.headers['cache-control']).toBe('no-cache');
    const missing = await server.inject({ method: 'GET', url: '/inbox/assets/index-Zz99.js' });
    expect(missing.statusCode).toBe(404);
    const traversal = await server.inject({ method: 'GET', url: '/inbox/assets/..%2findex.html' });
    expect(traversal.statusCode).not.toBe(200);
  });

  it('point the assets under the public URL path', async () => {
    const server = await app({ basePath: '/parley' });
    const response = await server.inject({ method: 'GET', url: '/inbox/c/1' });
    expect(response.body).toContain('src="/parley/inbox/assets/index-Ab12.js"');
    expect(response.body).toContain('href="/parley/inbox/assets/index-Cd34.css"');
  });

  it('say how to build the inbox when it is not built, and the server still starts', async () => {
    const server = await app({ distDir: join(dist, 'nowhere') });
    const response = await server.inject({ method: 'GET', url: '/inbox' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toBe(INBOX_CONTENT_SECURITY_POLICY);
    expect(response.body).toContain('pnpm --filter @parley/web build');
    expect((await server.inject({ method: 'GET', url: '/inbox/assets/a.js' })).statusCode).toBe(404);
  });
});
