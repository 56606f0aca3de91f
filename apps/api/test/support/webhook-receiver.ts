import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: { type: string; timestamp: string; data: Record<string, unknown> & { event_id: string } };
}

/**
 * A real HTTP receiver on 127.0.0.1 (node:http, an ephemeral port) standing in for the host
 * platform: records every request and answers with `respond` (default 200 "ok").
 */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  respond: (request: ReceivedWebhook) => { status: number; body?: string };
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver = {
    received,
    respond: (_request: ReceivedWebhook) => ({ status: 200, body: 'ok' }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedWebhook = {
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json: JSON.parse(body) as ReceivedWebhook['json'],
      };
      received.push(request);
      const answer = receiver.respond(request);
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}

const standardHeaders = (request: ReceivedWebhook) => ({
  'webhook-id': String(request.headers['webhook-id']),
  'webhook-timestamp': String(request.headers['webhook-timestamp']),
  'webhook-signature': String(request.headers['webhook-signature']),
});

/**
 * Verifies as a host does, with the `standardwebhooks` package: `Webhook#verify` (signature and a
 * timestamp within its 5-minute tolerance of the wall clock). Throws when it does not verify.
 */
export function verifyWebhook(secret: string, request: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(request.body, standardHeaders(request));
}

/**
 * Whether one of the request's signatures is `secret`'s over its id, timestamp and body —
 * computed with the package's `sign`, for requests whose timestamp comes from a test's fake clock
 * (hours away from the wall clock, which `verify` would refuse as too old).
 */
export function signedWith(secret: string, request: ReceivedWebhook): boolean {
  const headers = standardHeaders(request);
  const expected = new Webhook(secret).sign(
    headers['webhook-id'],
    new Date(Number(headers['webhook-timestamp']) * 1000),
    request.body,
  );
  return headers['webhook-signature'].split(' ').includes(expected);
}
