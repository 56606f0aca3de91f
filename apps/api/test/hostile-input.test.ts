import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedHarness, composedHarness } from './support/composed-api.js';
import { forgedCursors } from './support/openapi-fuzz.js';

// Hostile and malformed input against the API as `pnpm start` composes it, on PostgreSQL when
// DATABASE_URL is set (a schema of its own), else embedded PGlite: never a 5xx, always problem+json.
type Role = keyof ComposedHarness['tokens'];

let harness: ComposedHarness;
let conversationId: string;

async function call(role: Role | null, request: InjectOptions) {
  const headers = { ...(request.headers ?? {}) } as Record<string, string>;
  if (role !== null) headers.authorization = `Bearer ${harness.tokens[role]}`;
  return harness.api.app.inject({ ...request, headers });
}

function expectProblem(
  response: Awaited<ReturnType<typeof call>>,
  status: number,
  code: string,
  field?: string,
) {
  const body = response.json() as Record<string, unknown>;
  expect({ status: response.statusCode, code: body.code, field: body.field }).toEqual({
    status,
    code,
    field,
  });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({ status, type: `urn:parley:problem:${code.toLowerCase().replace(/_/g, '-')}` });
  return body;
}

beforeAll(async () => {
  harness = await composedHarness();
  const created = await call('store', {
    method: 'POST',
    url: '/api/v1/store/messages',
    payload: {
      conversation_type: 'store_customer',
      subject: 'Your order',
      recipient_type: 'customer',
      recipient_id: 'demo-customer-1',
      initial_message: 'It shipped',
    },
  });
  expect(created.statusCode).toBe(201);
  conversationId = created.json().id;
}, 180_000);
afterAll(async () => {
  await harness?.close();
});

describe('text the database cannot store is a 400 naming the field', () => {
  const NUL = '\u0000';
  const cases: readonly (readonly [string, Role, InjectOptions, string])[] = [
    [
      'directory write',
      'service',
      { method: 'PUT', url: '/api/v1/platform/stores/s-nul', payload: { name: `A${NUL}` } },
      'name',
    ],
    [
      'directory write (customer)',
      'service',
      {
        method: 'PUT',
        url: '/api/v1/platform/customers/c-nul',
        payload: { store_id: `demo-store${NUL}`, name: 'C', email: 'c@mail.test' },
      },
      'store_id',
    ],
    ['directory read (path)', 'service', { method: 'GET', url: '/api/v1/platform/stores/x%00y' }, 'store_id'],
    [
      'directory read (user path)',
      'service',
      { method: 'GET', url: '/api/v1/platform/users/%00' },
      'user_id',
    ],
    [
      'conversation create (subject)',
      'store',
      {
        method: 'POST',
        url: '/api/v1/store/messages',
        payload: {
          conversation_type: 'store_customer',
          subject: `Hi${NUL}`,
          recipient_type: 'customer',
          recipient_id: 'demo-customer-1',
          initial_message: 'x',
        },
      },
      'subject',
    ],
    [
      'conversation create (recipient id)',
      'store',
      {
        method: 'POST',
        url: '/api/v1/store/messages',
        payload: {
          conversation_type: 'store_customer',
          subject: 'Hi',
          recipient_type: 'customer',
          recipient_id: `demo-customer-1${NUL}`,
          initial_message: 'x',
        },
      },
      'recipient_id',
    ],
    ['conversation read (path)', 'store', { method: 'GET', url: '/api/v1/store/messages/%00' }, 'id'],
    [
      'inbox cursor',
      'customer',
      { method: 'GET', url: '/api/v1/storefront/messages?cursor=a%00b' },
      'cursor',
    ],
    [
      'email settings',
      'store',
      { method: 'PUT', url: '/api/v1/store/email-settings', payload: { from_name: `Acme${NUL}` } },
      'from_name',
    ],
    [
      'email template',
      'admin',
      { method: 'PUT', url: '/api/v1/admin/email-templates/new_message/en', payload: { subject: `S${NUL}` } },
      'subject',
    ],
    [
      'email template preview variable',
      'admin',
      {
        method: 'POST',
        url: '/api/v1/admin/email-templates/new_message/en/preview',
        payload: { variables: { sender_name: `A${NUL}` } },
      },
      'variables.sender_name',
    ],
    [
      'email log filter',
      'admin',
      { method: 'GET', url: '/api/v1/admin/email-logs?store_id=%00' },
      'store_id',
    ],
    [
      'platform setting',
      'admin',
      { method: 'PUT', url: '/api/v1/admin/settings/x%00', payload: { value: 1 } },
      'key',
    ],
    [
      'admin notification metadata value',
      'service',
      {
        method: 'POST',
        url: '/api/v1/platform/notifications',
        payload: { type: 'system_alert', title: 'T', message: 'M', metadata: { order: { note: `x${NUL}` } } },
      },
      'metadata.order.note',
    ],
    [
      'admin notification metadata key',
      'service',
      {
        method: 'POST',
        url: '/api/v1/platform/notifications',
        payload: { type: 'system_alert', title: 'T', message: 'M', metadata: { [`k${NUL}`]: 1 } },
      },
      'metadata',
    ],
    [
      'admin notification path',
      'admin',
      { method: 'PUT', url: '/api/v1/admin/notifications/%00/read' },
      'notification_id',
    ],
  ];

  it.each(cases)('%s', async (_label, role, request, field) => {
    const body = expectProblem(await call(role, request), 400, 'VALIDATION', field);
    expect(body.detail).toMatch(/NUL/);
  });

  it('an unpaired surrogate (a \\ud800 escape) is refused too: jsonb cannot store it', async () => {
    const response = await call('service', {
      method: 'POST',
      url: '/api/v1/platform/notifications',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"system_alert","title":"T","message":"M","metadata":{"a":"\\ud800"}}',
    });
    const body = expectProblem(response, 400, 'VALIDATION', 'metadata.a');
    expect(body.detail).toMatch(/surrogate/);
    // A well-formed pair is text like any other.
    const emoji = await call('service', {
      method: 'POST',
      url: '/api/v1/platform/notifications',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"type":"system_alert","title":"T \\ud83d\\ude00","message":"M","metadata":{"a":"\\ud83d\\ude00"}}',
    });
    expect(emoji.statusCode).toBe(201);
    expect(emoji.json()).toMatchObject({ title: 'T 😀', metadata: { a: '😀' } });
  });

  it('absurd nesting is a 400, not a stack overflow', async () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    const response = await call('service', {
      method: 'POST',
      url: '/api/v1/platform/notifications',
      headers: { 'content-type': 'application/json' },
      payload: `{"type":"system_alert","title":"T","message":"M","metadata":${deep}}`,
    });
    // 32 levels: metadata and 31 objects inside it.
    const body = expectProblem(response, 400, 'VALIDATION', `metadata${'.a'.repeat(31)}`);
    expect(body.detail).toMatch(/nested too deeply/);
  });

  it('the same text without NUL is accepted (the guard names faults, it does not refuse text)', async () => {
    const response = await call('service', {
      method: 'PUT',
      url: '/api/v1/platform/stores/s-ok',
      payload: { name: 'Ä €\t\n 😀' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Ä €\t\n 😀');
  });
});

describe('dates outside what the database stores are a 400', () => {
  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['year 1 minus an hour', '0001-01-01T00:00:00+01:00'],
    ['a leap second', '2016-12-31T23:59:60Z'],
  ])('%s', async (_label, value) => {
    for (const name of ['from', 'to']) {
      const response = await call('admin', {
        method: 'GET',
        url: `/api/v1/admin/email-logs?${name}=${encodeURIComponent(value)}`,
      });
      const body = expectProblem(response, 400, 'VALIDATION', name);
      expect(body.detail).toMatch(/date-time from year 0001 to 9999/);
    }
  });

  it('the edges of the range are accepted', async () => {
    const response = await call('admin', {
      method: 'GET',
      url: `/api/v1/admin/email-logs?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z`,
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('forged cursors are a 400, whatever they hold', () => {
  it('every list with a cursor, every forged shape', async () => {
    const cursors = forgedCursors(conversationId);
    const lists = [
      ['store', '/api/v1/store/messages'],
      ['customer', '/api/v1/storefront/messages'],
      ['store', `/api/v1/store/messages/${conversationId}/messages`],
      ['admin', '/api/v1/admin/email-logs'],
      ['store', '/api/v1/store/email-logs'],
      ['admin', '/api/v1/admin/notifications'],
    ] as const;
    const answers = new Set<string>();
    for (const [role, url] of lists) {
      for (const cursor of cursors) {
        const response = await call(role, { method: 'GET', url: `${url}?cursor=${cursor}` });
        expect(response.statusCode, `${url} ${Buffer.from(cursor, 'base64url').toString()}`).toBeLessThan(
          500,
        );
        answers.add(`${response.statusCode}`);
        if (response.statusCode >= 400) expectProblem(response, 400, 'VALIDATION', 'cursor');
      }
    }
    expect(answers).toContain('400');
  });
});

describe('multipart bodies busboy cannot read are a 400', () => {
  const send = (contentType: string, payload: string) =>
    call('store', {
      method: 'POST',
      url: `/api/v1/store/messages/${conversationId}/messages`,
      headers: { 'content-type': contentType },
      payload,
    });
  const part = (name: string, value: string, filename?: string) =>
    `--XX\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: text/plain` : ''}\r\n\r\n${value}`;

  it.each([
    ['without a boundary', 'multipart/form-data', `${part('content', 'hello')}\r\n--XX--\r\n`],
    ['with a boundary over 256 characters', `multipart/form-data; boundary=${'b'.repeat(300)}`, 'x'],
    ['cut inside a field', 'multipart/form-data; boundary=XX', part('content', 'hello')],
    [
      'cut inside a file',
      'multipart/form-data; boundary=XX',
      `${part('content', 'hello')}\r\n${part('file', 'abc', 'a.txt')}`,
    ],
  ])('%s', async (_label, contentType, payload) => {
    const body = expectProblem(await send(contentType, payload), 400, 'MALFORMED_REQUEST', 'body');
    expect(body.detail).toMatch(/multipart\/form-data body could not be read/);
  });

  it('nothing was sent by those, and a well-formed multipart send still works', async () => {
    const ok = await send(
      'multipart/form-data; boundary=XX',
      `${part('content', 'hello')}\r\n${part('file', 'abc', 'a.txt')}\r\n--XX--\r\n`,
    );
    expect(ok.statusCode).toBe(201);
    const history = await call('store', {
      method: 'GET',
      url: `/api/v1/store/messages/${conversationId}/messages`,
    });
    expect(history.json().messages.map((m: { content: string }) => m.content)).toEqual([
      'It shipped',
      'hello',
    ]);
  });
});

describe("Fastify's own refusals are problem+json", () => {
  it('a path parameter over the router limit: 414 URI_TOO_LONG', async () => {
    const response = await call('service', {
      method: 'GET',
      url: `/api/v1/platform/stores/${'x'.repeat(3000)}`,
    });
    expectProblem(response, 414, 'URI_TOO_LONG');
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('an id of up to 255 characters fits the router; a longer one is a 400 naming it', async () => {
    const id = 'é'.repeat(255);
    const put = await call('service', {
      method: 'PUT',
      url: `/api/v1/platform/stores/${encodeURIComponent(id)}`,
      payload: { name: 'Long' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().id).toBe(id);
    const tooLong = await call('service', {
      method: 'GET',
      url: `/api/v1/platform/stores/${'x'.repeat(256)}`,
    });
    expectProblem(tooLong, 400, 'VALIDATION', 'store_id');
  });

  it('a malformed percent-encoding: 400 MALFORMED_REQUEST', async () => {
    const response = await call('service', { method: 'GET', url: '/api/v1/platform/stores/%E0%A4%A' });
    expectProblem(response, 400, 'MALFORMED_REQUEST');
  });

  describe("over a socket: Node's HTTP parser", () => {
    let port: number;
    beforeAll(async () => {
      await harness.api.app.listen({ host: '127.0.0.1', port: 0 });
      const address = harness.api.app.server.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
    });

    /** Sends raw bytes and reads the whole answer (the server closes the connection). */
    function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
      return new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('error', reject);
        socket.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const [head = '', body = ''] = text.split('\r\n\r\n');
          resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body });
        });
        socket.end(request);
      });
    }

    it('headers over the size limit: 431 HEADERS_TOO_LARGE', async () => {
      const response = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(response.status).toBe(431);
      expect(response.headers).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(response.body)).toMatchObject({
        status: 431,
        code: 'HEADERS_TOO_LARGE',
        type: 'urn:parley:problem:headers-too-large',
        request_id: expect.any(String),
      });
    });

    it('invalid bytes in a header value: 400 MALFORMED_REQUEST', async () => {
      const response = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b\r\n\r\n');
      expect(response.status).toBe(400);
      expect(response.headers).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(response.body)).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    });

    it('the server still answers normally afterwards', async () => {
      const response = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(response.status).toBe(200);
    });
  });
});
