import { inspect } from 'node:util';
import { isMessagingError, type MessagingError, type OutboundEmail } from '@parley/messaging-core';
import { mailTransportContract } from '@parley/messaging-core/testing/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendGridMailTransport } from './sendgrid-mail-transport.js';
import { LocalSendGridServer } from './testing/local-sendgrid-server.js';

const TIMEOUT_MS = 500;

mailTransportContract({
  name: 'sendgrid',
  setup: async () => {
    const rejectedRecipient = 'bounce@mail.test';
    const server = await LocalSendGridServer.start({ rejectedRecipients: [rejectedRecipient] });
    return {
      transport: new SendGridMailTransport({
        apiKey: server.apiKey,
        baseUrl: server.url,
        timeoutMs: TIMEOUT_MS,
      }),
      rejectedRecipient,
      received: async () => server.received(),
      withBadCredentials: async () =>
        new SendGridMailTransport({ apiKey: 'SG.revoked-key', baseUrl: server.url, timeoutMs: TIMEOUT_MS }),
      throttleNext: async () => server.throttleNext(),
      hangNext: async () => server.hangNext(),
      teardown: () => server.close(),
    };
  },
});

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-0001',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  replyTo: { address: 'support@acme.test', name: 'Acme Support' },
  to: [{ address: 'ana@mail.test', name: 'Ana' }],
  subject: 'New message: Order 42',
  text: 'Hello Ana',
  html: '<p>Hello Ana</p>',
  headers: { 'X-Parley-Test': 'contract', 'List-Unsubscribe': '<https://acme.test/u/1>' },
  tags: ['new_message', 'store:acme'],
  metadata: { store_id: 'acme', conversation_id: 'c-42' },
  ...overrides,
});

async function failureOf(promise: Promise<unknown>): Promise<MessagingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return error;
}

describe('SendGridMailTransport', () => {
  let server: LocalSendGridServer;
  let transport: SendGridMailTransport;
  beforeEach(async () => {
    server = await LocalSendGridServer.start({ apiKeys: ['SG.store-a-key', 'SG.store-b-key'] });
    transport = new SendGridMailTransport({
      apiKey: 'SG.store-a-key',
      baseUrl: server.url,
      timeoutMs: TIMEOUT_MS,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends exactly this Mail Send request, and returns the X-Message-Id', async () => {
    const result = await transport.send(email());
    const [accepted] = server.accepted();
    expect(result).toEqual({ provider: 'sendgrid', providerMessageId: accepted?.messageId });
    expect(accepted?.apiKey).toBe('SG.store-a-key');
    expect(accepted?.userAgent).toBe('sendgrid/8.1.6;nodejs');
    expect(accepted?.body).toEqual({
      personalizations: [{ to: [{ email: 'ana@mail.test', name: 'Ana' }] }],
      from: { email: 'shop@acme.test', name: 'Acme Shop' },
      reply_to: { email: 'support@acme.test', name: 'Acme Support' },
      subject: 'New message: Order 42',
      content: [
        { type: 'text/plain', value: 'Hello Ana' },
        { type: 'text/html', value: '<p>Hello Ana</p>' },
      ],
      custom_args: { store_id: 'acme', conversation_id: 'c-42', parley_email_id: 'log-0001' },
      categories: ['new_message', 'store:acme'],
      headers: { 'X-Parley-Test': 'contract', 'List-Unsubscribe': '<https://acme.test/u/1>' },
    });
  });

  it('keeps our id in custom_args even when metadata names the same key', async () => {
    await transport.send(
      email({ id: 'log-real', metadata: { parley_email_id: 'spoofed', store_id: 'acme' } }),
    );
    expect(server.accepted()[0]?.body.custom_args).toEqual({ parley_email_id: 'log-real', store_id: 'acme' });
    expect(server.received()[0]?.parleyId).toBe('log-real');
  });

  it('sends the minimal email: no reply_to, categories or headers; our id alone in custom_args', async () => {
    await transport.send({
      id: 'log-min',
      from: { address: 'shop@acme.test' },
      to: [{ address: 'ana@mail.test' }],
      subject: 'Hi',
      text: 'Plain only',
    });
    expect(server.accepted()[0]?.body).toEqual({
      personalizations: [{ to: [{ email: 'ana@mail.test' }] }],
      from: { email: 'shop@acme.test' },
      subject: 'Hi',
      content: [{ type: 'text/plain', value: 'Plain only' }],
      custom_args: { parley_email_id: 'log-min' },
    });
  });

  it('sends several recipients in one personalization, without duplicates SendGrid would refuse', async () => {
    await transport.send(
      email({
        to: [
          { address: 'ana@mail.test', name: 'Ana' },
          { address: 'bo@mail.test' },
          { address: 'ANA@mail.test' },
        ],
      }),
    );
    expect(server.accepted()[0]?.body.personalizations).toEqual([
      { to: [{ email: 'ana@mail.test', name: 'Ana' }, { email: 'bo@mail.test' }] },
    ]);
  });

  it('leaves out an empty text part when there is HTML (SendGrid refuses empty content)', async () => {
    await transport.send(email({ text: '' }));
    expect(server.accepted()[0]?.body.content).toEqual([{ type: 'text/html', value: '<p>Hello Ana</p>' }]);
  });

  it('gives each store its own client: interleaved concurrent sends each carry their own key', async () => {
    const storeB = new SendGridMailTransport({
      apiKey: 'SG.store-b-key',
      baseUrl: server.url,
      timeoutMs: TIMEOUT_MS,
    });
    const sends = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0 ? transport.send(email({ id: `a-${i}` })) : storeB.send(email({ id: `b-${i}` })),
    );
    const results = await Promise.all(sends);
    expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(10);
    const keyById = Object.fromEntries(
      server.accepted().map((a) => [a.body.custom_args?.parley_email_id, a.apiKey]),
    );
    expect(keyById).toEqual({
      'a-0': 'SG.store-a-key',
      'b-1': 'SG.store-b-key',
      'a-2': 'SG.store-a-key',
      'b-3': 'SG.store-b-key',
      'a-4': 'SG.store-a-key',
      'b-5': 'SG.store-b-key',
      'a-6': 'SG.store-a-key',
      'b-7': 'SG.store-b-key',
      'a-8': 'SG.store-a-key',
      'b-9': 'SG.store-b-key',
    });
  });

  it('a store with a revoked key fails alone: the other store keeps sending', async () => {
    const revoked = new SendGridMailTransport({
      apiKey: 'SG.revoked',
      baseUrl: server.url,
      timeoutMs: TIMEOUT_MS,
    });
    const [bad, good] = await Promise.allSettled([revoked.send(email({ id: 'x' })), transport.send(email())]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(server.accepted().map((a) => a.apiKey)).toEqual(['SG.store-a-key']);
  });

  it('sends nothing at all for an invalid address', async () => {
    const failure = await failureOf(transport.send(email({ replyTo: { address: 'nope' } })));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.field).toBe('reply_to');
    expect(server.requestCount).toBe(0);
  });

  it.each([
    [500, 'MAIL_RETRYABLE'],
    [502, 'MAIL_RETRYABLE'],
    [503, 'MAIL_RETRYABLE'],
    [403, 'MAIL_PERMANENT'],
    [413, 'MAIL_PERMANENT'],
  ] as const)('classifies an HTTP %i answer as %s', async (status, code) => {
    server.failNext({ status, body: { errors: [{ message: `status ${status}`, field: null, help: null }] } });
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe(code);
    expect(failure.details).toMatchObject({ provider: 'sendgrid', status });
    expect(failure.message).toContain(`HTTP ${status}`);
  });

  it('reports a rejected recipient with SendGrid’s reason', async () => {
    server.rejectRecipient('bounce@mail.test');
    const failure = await failureOf(transport.send(email({ to: [{ address: 'bounce@mail.test' }] })));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.message).toBe(
      'SendGrid rejected the email (HTTP 400): Does not contain a valid address. (personalizations.0.to.0.email)',
    );
  });

  it('reports throttling with SendGrid’s 429 message', async () => {
    server.throttleNext();
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.message).toBe('SendGrid throttled the request (HTTP 429): too many requests');
  });

  it('times out after the configured timeout', async () => {
    server.hangNext();
    const started = performance.now();
    const failure = await failureOf(transport.send(email()));
    const elapsed = performance.now() - started;
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.details).toEqual({ provider: 'sendgrid', code: 'ECONNABORTED' });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it('reports a refused connection as retryable', async () => {
    const gone = await LocalSendGridServer.start();
    await gone.close();
    const offline = new SendGridMailTransport({
      apiKey: gone.apiKey,
      baseUrl: gone.url,
      timeoutMs: TIMEOUT_MS,
    });
    const failure = await failureOf(offline.send(email()));
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.details).toEqual({ provider: 'sendgrid', code: 'ECONNREFUSED' });
  });

  it('never lets the API key into an error, its details or its cause', async () => {
    const secret = 'SG.store-a-key';
    server.hangNext();
    const timedOut = await failureOf(transport.send(email()));
    server.failNext({ status: 500, body: { errors: [{ message: 'boom', field: null, help: null }] } });
    const failed = await failureOf(transport.send(email()));
    const wrongKey = await failureOf(
      new SendGridMailTransport({ apiKey: 'SG.wrong-secret', baseUrl: server.url }).send(email()),
    );
    for (const [error, key] of [
      [timedOut, secret],
      [failed, secret],
      [wrongKey, 'SG.wrong-secret'],
    ] as const) {
      expect(error.message).not.toContain(key);
      expect(inspect(error, { depth: null })).not.toContain(key);
      expect(JSON.stringify(error.details)).not.toContain(key);
    }
  });

  it('reports an accepted send without X-Message-Id as INTERNAL, not as a mail failure to retry', async () => {
    server.failNext({ status: 202 });
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.details).toEqual({ provider: 'sendgrid', status: 202, accepted: true });
  });

  it('refuses an empty API key or a bad timeout at construction', () => {
    expect(() => new SendGridMailTransport({ apiKey: ' ' })).toThrow(
      'SendGridMailTransport: apiKey is empty',
    );
    expect(() => new SendGridMailTransport({ apiKey: 'SG.x', timeoutMs: 0 })).toThrow(
      'SendGridMailTransport: timeoutMs must be a positive integer, got 0',
    );
  });
});
