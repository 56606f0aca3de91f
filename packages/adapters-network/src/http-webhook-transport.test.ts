import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebhookSecret, HttpWebhookTransport } from './http-webhook-transport.js';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

describe('HttpWebhookTransport', () => {
  const received: Received[] = [];
  let server: Server;
  let port: number;
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok');
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = new HttpWebhookTransport({ maxResponseBytes: 16 });

  it('POSTs to the checked address (the name is never resolved) with signatures the standardwebhooks package verifies, one per secret', async () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const body = JSON.stringify({ type: 'webhook.ping', data: {} });
    const response = await transport.deliver({
      // `.invalid` never resolves (RFC 6761): only the pinned lookup can reach the server.
      url: `http://hooks.invalid:${port}/in?x=1`,
      address: '127.0.0.1',
      messageId: 'evt_42',
      timestamp: new Date(),
      body,
      secrets: [current, previous],
      timeoutMs: 5_000,
    });
    expect(response).toMatchObject({ kind: 'response', statusCode: 200, bodySnippet: 'ok' });
    const last = received.at(-1) as Received;
    expect(last.body).toBe(body);
    expect(last.headers.host).toBe(`hooks.invalid:${port}`);
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers['webhook-id']).toBe('evt_42');
    expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const headers = {
      'webhook-id': String(last.headers['webhook-id']),
      'webhook-timestamp': String(last.headers['webhook-timestamp']),
      'webhook-signature': String(last.headers['webhook-signature']),
    };
    // A receiver holding either secret verifies; another secret does not.
    expect(new Webhook(current).verify(last.body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(last.body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(last.body, headers)).toThrow();
  });

  it('reads a bounded snippet, never follows a redirect, and reports errors and timeouts without throwing', async () => {
    answer = (res) => {
      res.writeHead(500);
      res.end('x'.repeat(100_000));
    };
    const base = {
      address: '127.0.0.1',
      messageId: 'm',
      timestamp: new Date(),
      body: '{}',
      secrets: [generateWebhookSecret()],
      timeoutMs: 2_000,
    };
    const big = await transport.deliver({ ...base, url: `http://127.0.0.1:${port}/` });
    expect(big).toMatchObject({ kind: 'response', statusCode: 500, bodySnippet: 'x'.repeat(16) });
    answer = (res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
    };
    expect(await transport.deliver({ ...base, url: `http://127.0.0.1:${port}/` })).toMatchObject({
      statusCode: 302,
    });
    answer = () => {};
    const slow = await transport.deliver({ ...base, url: `http://127.0.0.1:${port}/`, timeoutMs: 200 });
    expect(slow).toMatchObject({ kind: 'error' });
    expect(slow.kind === 'error' && slow.error).toMatch(/timed out after 200 ms/);
    const closed = await transport.deliver({ ...base, url: 'http://127.0.0.1:1/' });
    expect(closed.kind === 'error' && closed.error).toMatch(/ECONNREFUSED/);
  });
});
