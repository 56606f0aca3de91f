import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { INBOX_CONTENT_SECURITY_POLICY, inboxRoutes } from './inbox-routes.js';

async function app(basePath?: string) {
  const server = Fastify();
  await server.register(inboxRoutes, basePath === undefined ? {} : { basePath });
  return server;
}

/** A minimal DOM: just what the page's script touches, so its behaviour can be asserted. */
class FakeNode {
  readonly children: FakeNode[] = [];
  textContent = '';
  className = '';
  href = '';
  constructor(readonly tag: string) {}
  appendChild(child: FakeNode): FakeNode {
    this.children.push(child);
    return child;
  }
  text(): string {
    return [this.textContent, ...this.children.map((c) => c.text())].join(' ');
  }
}

interface Run {
  readonly byId: Map<string, FakeNode>;
  readonly storage: Map<string, string>;
  readonly replaced: string[];
  readonly requests: { url: string; authorization: string | undefined }[];
}

async function runPage(
  script: string,
  page: { pathname: string; hash?: string; stored?: string },
  answer: (url: string) => { status: number; body: unknown },
): Promise<Run> {
  const byId = new Map<string, FakeNode>();
  const storage = new Map<string, string>(page.stored ? [['parley.inbox.token', page.stored]] : []);
  const replaced: string[] = [];
  const requests: Run['requests'] = [];
  const location = { pathname: page.pathname, search: '', hash: page.hash ?? '' };
  const document = {
    title: '',
    currentScript: { src: 'https://parley.test/inbox/assets/inbox.js' },
    getElementById: (id: string) => {
      const node = byId.get(id) ?? new FakeNode(id);
      byId.set(id, node);
      return node;
    },
    createElement: (tag: string) => new FakeNode(tag),
  };
  const sessionStorage = {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
    removeItem: (key: string) => storage.delete(key),
  };
  const history = {
    replaceState: (_state: unknown, _title: string, url: string) => {
      replaced.push(url);
      location.hash = '';
    },
  };
  const fetch = async (url: URL, init: { headers: Record<string, string> }) => {
    requests.push({ url: url.toString(), authorization: init.headers.authorization });
    const { status, body } = answer(url.toString());
    return { ok: status < 400, status, json: async () => body };
  };
  new Function('document', 'location', 'history', 'sessionStorage', 'fetch', script)(
    document,
    location,
    history,
    sessionStorage,
    fetch,
  );
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
  return { byId, storage, replaced, requests };
}

function token(role: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ sub: 'c1', role, exp: 9_999_999_999 })}.signature`;
}

describe('the inbox page', () => {
  it('serves the same HTML for every conversation id, under a strict CSP, with no inline code', async () => {
    const server = await app();
    for (const url of ['/inbox', '/inbox/c/0190f000-0000-7000-8000-000000000001', '/inbox/c/anything']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-security-policy']).toBe(INBOX_CONTENT_SECURITY_POLICY);
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toContain('<script src="/inbox/assets/inbox.js" defer></script>');
      expect(response.body).not.toMatch(/<script>|<style|\son[a-z]+=|style=/);
    }
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(INBOX_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(INBOX_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    const css = await server.inject({ method: 'GET', url: '/inbox/assets/inbox.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('points its assets under the public URL path', async () => {
    const server = await app('/parley');
    const response = await server.inject({ method: 'GET', url: '/inbox' });
    expect(response.body).toContain('<script src="/parley/inbox/assets/inbox.js" defer></script>');
  });

  describe('its script', async () => {
    const server = await app();
    const script = (await server.inject({ method: 'GET', url: '/inbox/assets/inbox.js' })).body;
    const id = '0190f000-0000-7000-8000-00000000000a';

    it('takes the token from the fragment, keeps it for the tab, clears the address bar, shows the messages', async () => {
      const jwt = token('customer');
      const run = await runPage(script, { pathname: `/inbox/c/${id}`, hash: `#token=${jwt}` }, () => ({
        status: 200,
        body: {
          subject: 'Order #42',
          messages: [
            {
              sender_name: 'Sam <Acme>',
              created_at: '2026-05-01T08:00:00Z',
              content: '<img src=x onerror=alert(1)> shipped',
              is_deleted: false,
              attachments: [{ original_filename: 'invoice.pdf' }],
            },
            {
              sender_name: 'Ana',
              created_at: '2026-05-01T08:01:00Z',
              content: '',
              is_deleted: true,
              attachments: [],
            },
          ],
        },
      }));
      expect(run.storage.get('parley.inbox.token')).toBe(jwt);
      expect(run.replaced).toEqual([`/inbox/c/${id}`]);
      expect(run.requests).toEqual([
        {
          url: `https://parley.test/api/v1/storefront/messages/${id}?mark_read=false`,
          authorization: `Bearer ${jwt}`,
        },
      ]);
      const shown = run.byId.get('main')?.text() ?? '';
      expect(shown).toContain('<img src=x onerror=alert(1)> shipped');
      expect(shown).toContain('invoice.pdf');
      expect(shown).toContain('This message was deleted.');
      expect(run.byId.get('title')?.textContent).toBe('Order #42');
    });

    it('reads with a token kept from before, through the audience of its role', async () => {
      const run = await runPage(script, { pathname: '/inbox', stored: token('store') }, () => ({
        status: 200,
        body: {
          conversations: [{ id, subject: 'Order #42', unread_count: 2, created_at: '2026-05-01T08:00:00Z' }],
        },
      }));
      expect(run.requests.map((r) => r.url)).toEqual(['https://parley.test/api/v1/store/messages?limit=50']);
      expect(run.replaced).toEqual([]);
      expect(run.byId.get('main')?.text()).toContain('Order #42');
    });

    it('says so without a token, and when the API refuses', async () => {
      const none = await runPage(script, { pathname: `/inbox/c/${id}` }, () => ({ status: 500, body: {} }));
      expect(none.requests).toEqual([]);
      expect(none.byId.get('status')?.textContent).toContain('You are not signed in here');

      const hidden = await runPage(script, { pathname: `/inbox/c/${id}`, stored: token('customer') }, () => ({
        status: 404,
        body: { detail: 'conversation not found' },
      }));
      expect(hidden.byId.get('status')?.textContent).toBe(
        'This conversation does not exist, or you cannot see it.',
      );

      const expired = await runPage(
        script,
        { pathname: `/inbox/c/${id}`, stored: token('customer') },
        () => ({
          status: 401,
          body: { detail: 'token expired' },
        }),
      );
      expect(expired.byId.get('status')?.textContent).toContain('Your sign-in has expired');
      expect(expired.storage.size).toBe(0);
    });
  });
});
