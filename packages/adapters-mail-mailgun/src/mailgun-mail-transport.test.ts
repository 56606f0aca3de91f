import { inspect } from 'node:util';
import { isMessagingError, type MessagingError, type OutboundEmail } from '@parley/messaging-core';
import { mailTransportContract } from '@parley/messaging-core/testing/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatMailgunAddress, MailgunMailTransport } from './mailgun-mail-transport.js';
import { LocalMailgunServer } from './testing/local-mailgun-server.js';

const TIMEOUT_MS = 500;

mailTransportContract({
  name: 'mailgun',
  setup: async () => {
    const rejectedRecipient = 'bounce@mail.test';
    const server = await LocalMailgunServer.start({ rejectedRecipients: [rejectedRecipient] });
    const config = { domain: server.domain, baseUrl: server.url, timeoutMs: TIMEOUT_MS };
    return {
      transport: new MailgunMailTransport({ ...config, apiKey: server.apiKey }),
      rejectedRecipient,
      received: async () => server.received(),
      withBadCredentials: async () => new MailgunMailTransport({ ...config, apiKey: 'key-revoked' }),
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

describe('formatMailgunAddress', () => {
  it.each([
    [{ address: 'ana@mail.test' }, 'ana@mail.test'],
    [{ address: 'ana@mail.test', name: 'Ana' }, '"Ana" <ana@mail.test>'],
    [{ address: 'ana@mail.test', name: 'Doe, Ana' }, '"Doe, Ana" <ana@mail.test>'],
    [{ address: 'ana@mail.test', name: 'Ana "A" \\ B' }, '"Ana \\"A\\" \\\\ B" <ana@mail.test>'],
    [{ address: 'ana@mail.test', name: 'Zoë: support' }, '"Zoë: support" <ana@mail.test>'],
  ])('%j → %s', (address, formatted) => {
    expect(formatMailgunAddress(address)).toBe(formatted);
  });
});

describe('MailgunMailTransport', () => {
  let server: LocalMailgunServer;
  let transport: MailgunMailTransport;
  beforeEach(async () => {
    server = await LocalMailgunServer.start({
      apiKeys: ['key-store-a', 'key-store-b'],
      domains: ['mg.store-a.test', 'mg.store-b.test'],
    });
    transport = new MailgunMailTransport({
      apiKey: 'key-store-a',
      domain: 'mg.store-a.test',
      baseUrl: server.url,
      timeoutMs: TIMEOUT_MS,
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends exactly these form fields, and returns the message id', async () => {
    const result = await transport.send(email());
    const [accepted] = server.accepted();
    expect(accepted?.id).toMatch(/^<\d{14}\.1\.[0-9a-f]{12}@mg\.store-a\.test>$/);
    expect(result).toEqual({ provider: 'mailgun', providerMessageId: accepted?.id.slice(1, -1) });
    expect(accepted).toMatchObject({
      apiKey: 'key-store-a',
      domain: 'mg.store-a.test',
      contentType: 'multipart/form-data',
    });
    expect(accepted?.fields).toEqual([
      { name: 'from', value: '"Acme Shop" <shop@acme.test>' },
      { name: 'to', value: '"Ana" <ana@mail.test>' },
      { name: 'subject', value: 'New message: Order 42' },
      { name: 'text', value: 'Hello Ana' },
      { name: 'html', value: '<p>Hello Ana</p>' },
      { name: 'h:Reply-To', value: '"Acme Support" <support@acme.test>' },
      { name: 'o:tag', value: 'new_message' },
      { name: 'o:tag', value: 'store:acme' },
      { name: 'h:X-Parley-Test', value: 'contract' },
      { name: 'h:List-Unsubscribe', value: '<https://acme.test/u/1>' },
      { name: 'v:store_id', value: 'acme' },
      { name: 'v:conversation_id', value: 'c-42' },
      { name: 'v:parley-email-id', value: 'log-0001' },
    ]);
  });

  it('keeps our id in v:parley-email-id even when metadata names the same variable', async () => {
    await transport.send(email({ id: 'log-real', metadata: { 'parley-email-id': 'spoofed' } }));
    const variables = server.accepted()[0]?.fields.filter((f) => f.name.startsWith('v:'));
    expect(variables).toEqual([{ name: 'v:parley-email-id', value: 'log-real' }]);
    expect(server.received()[0]?.parleyId).toBe('log-real');
  });

  it('sends the minimal email: from, to, subject, text and our id', async () => {
    await transport.send({
      id: 'log-min',
      from: { address: 'shop@acme.test' },
      to: [{ address: 'ana@mail.test' }],
      subject: 'Hi',
      text: 'Plain only',
    });
    expect(server.accepted()[0]?.fields).toEqual([
      { name: 'from', value: 'shop@acme.test' },
      { name: 'to', value: 'ana@mail.test' },
      { name: 'subject', value: 'Hi' },
      { name: 'text', value: 'Plain only' },
      { name: 'v:parley-email-id', value: 'log-min' },
    ]);
  });

  it('sends one to field per recipient, names with commas kept whole', async () => {
    await transport.send(
      email({ to: [{ address: 'ana@mail.test', name: 'Doe, Ana' }, { address: 'bo@mail.test' }] }),
    );
    expect(server.accepted()[0]?.fields.filter((f) => f.name === 'to')).toEqual([
      { name: 'to', value: '"Doe, Ana" <ana@mail.test>' },
      { name: 'to', value: 'bo@mail.test' },
    ]);
    expect(server.received()[0]?.to).toEqual(['ana@mail.test', 'bo@mail.test']);
  });

  it('leaves out an empty text part when there is HTML', async () => {
    await transport.send(email({ text: '' }));
    const names = server.accepted()[0]?.fields.map((f) => f.name);
    expect(names).not.toContain('text');
    expect(names).toContain('html');
  });

  it('gives each store its own client: interleaved concurrent sends each carry their own key and domain', async () => {
    const storeB = new MailgunMailTransport({
      apiKey: 'key-store-b',
      domain: 'mg.store-b.test',
      baseUrl: server.url,
      timeoutMs: TIMEOUT_MS,
    });
    const sends = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0 ? transport.send(email({ id: `a-${i}` })) : storeB.send(email({ id: `b-${i}` })),
    );
    const results = await Promise.all(sends);
    expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(10);
    const byId = Object.fromEntries(
      server
        .accepted()
        .map((a) => [a.fields.find((f) => f.name === 'v:parley-email-id')?.value, `${a.apiKey} ${a.domain}`]),
    );
    expect(byId).toEqual({
      'a-0': 'key-store-a mg.store-a.test',
      'b-1': 'key-store-b mg.store-b.test',
      'a-2': 'key-store-a mg.store-a.test',
      'b-3': 'key-store-b mg.store-b.test',
      'a-4': 'key-store-a mg.store-a.test',
      'b-5': 'key-store-b mg.store-b.test',
      'a-6': 'key-store-a mg.store-a.test',
      'b-7': 'key-store-b mg.store-b.test',
      'a-8': 'key-store-a mg.store-a.test',
      'b-9': 'key-store-b mg.store-b.test',
    });
  });

  it('a store with a revoked key fails alone: the other store keeps sending', async () => {
    const revoked = new MailgunMailTransport({
      apiKey: 'key-revoked',
      domain: 'mg.store-b.test',
      baseUrl: server.url,
    });
    const [bad, good] = await Promise.allSettled([revoked.send(email({ id: 'x' })), transport.send(email())]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(server.accepted().map((a) => a.apiKey)).toEqual(['key-store-a']);
  });

  it('sends nothing at all for an invalid address', async () => {
    const failure = await failureOf(transport.send(email({ from: { address: 'nope' } })));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.field).toBe('from');
    expect(server.requestCount).toBe(0);
  });

  it('reports refused credentials with Mailgun’s answer', async () => {
    const bad = new MailgunMailTransport({
      apiKey: 'key-wrong',
      domain: 'mg.store-a.test',
      baseUrl: server.url,
    });
    const failure = await failureOf(bad.send(email()));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.message).toBe('Mailgun refused the API key (HTTP 401): Unauthorized: Forbidden');
    expect(failure.details).toEqual({ provider: 'mailgun', status: 401 });
  });

  it('reports an unknown domain as permanent', async () => {
    const other = new MailgunMailTransport({
      apiKey: 'key-store-a',
      domain: 'mg.unknown.test',
      baseUrl: server.url,
    });
    const failure = await failureOf(other.send(email()));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.message).toBe(
      'Mailgun rejected the email (HTTP 404): Not Found: Domain not found: mg.unknown.test',
    );
  });

  it('reports a rejected recipient with Mailgun’s reason', async () => {
    server.rejectRecipient('bounce@mail.test');
    const failure = await failureOf(transport.send(email({ to: [{ address: 'bounce@mail.test' }] })));
    expect(failure.code).toBe('MAIL_PERMANENT');
    expect(failure.message).toBe(
      'Mailgun rejected the email (HTTP 400): Bad Request: to parameter is not a valid address. please check documentation',
    );
  });

  it('reports throttling with Mailgun’s 429 message', async () => {
    server.throttleNext();
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.message).toBe(
      'Mailgun throttled the request (HTTP 429): Too Many Requests: Too many requests',
    );
  });

  it.each([
    [500, 'MAIL_RETRYABLE'],
    [502, 'MAIL_RETRYABLE'],
    [503, 'MAIL_RETRYABLE'],
    [403, 'MAIL_PERMANENT'],
    [413, 'MAIL_PERMANENT'],
  ] as const)('classifies an HTTP %i answer as %s', async (status, code) => {
    server.failNext({ status, body: { message: `status ${status}` } });
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe(code);
    expect(failure.details).toEqual({ provider: 'mailgun', status });
    expect(failure.message).toContain(`(HTTP ${status})`);
    expect(failure.message).toContain(`status ${status}`);
  });

  it('times out after the configured timeout (mailgun.js reports it as a 400 APIError)', async () => {
    server.hangNext();
    const started = performance.now();
    const failure = await failureOf(transport.send(email()));
    const elapsed = performance.now() - started;
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.message).toBe('Mailgun did not answer in time (ECONNABORTED: timeout of 500ms exceeded)');
    expect(failure.details).toEqual({ provider: 'mailgun', code: 'ECONNABORTED' });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 1500);
  });

  it('reports a refused connection as retryable', async () => {
    const gone = await LocalMailgunServer.start();
    await gone.close();
    const offline = new MailgunMailTransport({ apiKey: gone.apiKey, domain: gone.domain, baseUrl: gone.url });
    const failure = await failureOf(offline.send(email()));
    expect(failure.code).toBe('MAIL_RETRYABLE');
    expect(failure.details).toEqual({ provider: 'mailgun', code: 'ECONNREFUSED' });
  });

  it('never lets the API key into an error, its details or its cause', async () => {
    server.hangNext();
    const timedOut = await failureOf(transport.send(email()));
    server.failNext({ status: 500, body: { message: 'boom' } });
    const failed = await failureOf(transport.send(email()));
    const wrongKey = await failureOf(
      new MailgunMailTransport({
        apiKey: 'key-wrong-secret',
        domain: 'mg.store-a.test',
        baseUrl: server.url,
      }).send(email()),
    );
    for (const [error, key] of [
      [timedOut, 'key-store-a'],
      [failed, 'key-store-a'],
      [wrongKey, 'key-wrong-secret'],
    ] as const) {
      expect(error.message).not.toContain(key);
      expect(inspect(error, { depth: null })).not.toContain(key);
      expect(JSON.stringify(error.details)).not.toContain(key);
    }
  });

  it('reports an accepted send without an id as INTERNAL, not as a mail failure to retry', async () => {
    server.failNext({ status: 200, body: { message: 'Queued. Thank you.' } });
    const failure = await failureOf(transport.send(email()));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.details).toEqual({ provider: 'mailgun', status: 200, accepted: true });
  });

  it('refuses an empty API key, a domain that is not a host name, or a bad timeout', () => {
    expect(() => new MailgunMailTransport({ apiKey: '', domain: 'mg.acme.test' })).toThrow(
      'MailgunMailTransport: apiKey is empty',
    );
    expect(() => new MailgunMailTransport({ apiKey: 'k', domain: '../v4/x' })).toThrow(
      'MailgunMailTransport: domain must be a host name, got "../v4/x"',
    );
    expect(() => new MailgunMailTransport({ apiKey: 'k', domain: 'mg.acme.test', timeoutMs: 1.5 })).toThrow(
      'MailgunMailTransport: timeoutMs must be a positive integer, got 1.5',
    );
  });
});
