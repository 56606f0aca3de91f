import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '@parley/messaging-core';
import { Webhook } from 'standardwebhooks';

export interface HttpWebhookTransportOptions {
  /** Most response bytes read (the rest is discarded unread). Default 4096. */
  readonly maxResponseBytes?: number;
  /** `User-Agent`. Default `Parley-Webhooks/1`. */
  readonly userAgent?: string;
}

/**
 * The `webhook-signature` header: one `v1,<base64>` per secret, space-separated (Standard
 * Webhooks lets a sender sign with several keys, which is how rotation overlaps), computed by the
 * `standardwebhooks` package over `id.timestamp.body`.
 */
export function signWebhook(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  body: string,
): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(' ');
}

/** A new endpoint secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * `WebhookTransport` over `node:http` / `node:https`: POSTs the signed JSON body to the address
 * the outbound guard checked — the host name stays in the URL, so it is the `Host` header and the
 * TLS server name, but the connection's lookup answers only the checked address, so DNS cannot
 * send it elsewhere between the check and the connection (rebinding). No connection pooling (each
 * attempt connects to its own checked address), no redirects followed, a whole-attempt timeout,
 * and at most `maxResponseBytes` of the answer read.
 *
 * @example
 * ```ts
 * const transport = new HttpWebhookTransport();
 * await transport.deliver({ url, address: '93.184.215.14', messageId: '42', timestamp: new Date(),
 *   body: '{"type":"webhook.ping"}', secrets: [secret], timeoutMs: 10_000 });
 * ```
 */
export class HttpWebhookTransport implements WebhookTransport {
  readonly #maxBytes: number;
  readonly #userAgent: string;

  constructor(options: HttpWebhookTransportOptions = {}) {
    this.#maxBytes = options.maxResponseBytes ?? 4096;
    this.#userAgent = options.userAgent ?? 'Parley-Webhooks/1';
  }

  deliver(request: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(request.url);
    const family = isIP(request.address) === 6 ? 6 : 4;
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: request.address, family }]);
      else callback(null, request.address, family);
    };
    const body = Buffer.from(request.body, 'utf8');
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': this.#userAgent,
      'webhook-id': request.messageId,
      'webhook-timestamp': String(Math.floor(request.timestamp.getTime() / 1000)),
      'webhook-signature': signWebhook(request.secrets, request.messageId, request.timestamp, request.body),
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(response);
      };
      const outgoing = send(
        url,
        { method: 'POST', headers, lookup: pinned, agent: false },
        (incoming: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () => {
            finish({
              kind: 'response',
              statusCode: incoming.statusCode ?? 0,
              bodySnippet: Buffer.concat(chunks).subarray(0, this.#maxBytes).toString('utf8'),
              durationMs: elapsed(),
            });
            incoming.destroy();
          };
          incoming.on('data', (chunk: Buffer) => {
            if (size >= this.#maxBytes) return;
            chunks.push(chunk);
            size += chunk.length;
            // Enough to show: stop reading the rest.
            if (size >= this.#maxBytes) done();
          });
          incoming.on('end', done);
          incoming.on('error', done);
        },
      );
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`timed out after ${request.timeoutMs} ms`));
      }, request.timeoutMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        finish({
          kind: 'error',
          error: error.code ? `${error.code}: ${error.message}` : error.message,
          durationMs: elapsed(),
        });
      });
      outgoing.end(body);
    });
  }
}
