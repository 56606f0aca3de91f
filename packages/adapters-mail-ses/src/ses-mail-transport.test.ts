import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { OutboundEmail } from '@parley/messaging-core';
import { isMessagingError } from '@parley/messaging-core';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SesMailTransportConfig } from './ses-mail-transport.js';
import { createSesClientConfig, SesMailTransport } from './ses-mail-transport.js';
import { toSesSendEmailRequest } from './ses-message.js';
import { LocalSesServer } from './testing/local-ses-server.js';

const STORE_A = { accessKeyId: 'AKIDSTOREA0000001', secretAccessKey: 'store-a-secret' };
const STORE_B = { accessKeyId: 'AKIDSTOREB0000002', secretAccessKey: 'store-b-secret' };

const email = (overrides: Partial<OutboundEmail> = {}): OutboundEmail => ({
  id: 'log-1',
  from: { address: 'shop@acme.test', name: 'Acme Shop' },
  to: [{ address: 'ana@mail.test' }],
  subject: 'New message',
  text: 'Hello',
  ...overrides,
});

async function failureOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isMessagingError(error)) throw new Error(`expected a MessagingError, got ${String(error)}`);
  return { code: error.code, details: error.details };
}

describe('SesMailTransport against the local SES server', () => {
  let ses: LocalSesServer;
  const transports: SesMailTransport[] = [];
  const transport = (config: Partial<SesMailTransportConfig> = {}) => {
    const t = new SesMailTransport({
      ...STORE_A,
      region: ses.region,
      endpoint: ses.endpoint,
      requestTimeoutMs: 500,
      ...config,
    });
    transports.push(t);
    return t;
  };

  beforeEach(async () => {
    ses = await LocalSesServer.start({ credentials: [STORE_A, STORE_B] });
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await ses.close();
  });

  it('returns the SES MessageId and sends the configuration set, our id, tags and metadata', async () => {
    const result = await transport({ configurationSetName: 'parley-events' }).send(
      email({ tags: ['new_message'], metadata: { store_id: 'acme' }, headers: { 'X-Trace': 'abc' } }),
    );
    const [accepted] = ses.accepted();
    expect(result).toEqual({ provider: 'ses', providerMessageId: accepted!.messageId });
    expect(result.providerMessageId).toMatch(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
    expect(accepted!.request.ConfigurationSetName).toBe('parley-events');
    expect(accepted!.request.EmailTags).toEqual([
      { Name: 'parley_email_id', Value: 'log-1' },
      { Name: 'new_message', Value: 'true' },
      { Name: 'store_id', Value: 'acme' },
    ]);
    expect(ses.received()[0]?.headers).toEqual({ 'x-trace': 'abc', 'x-parley-email-id': 'log-1' });
  });

  it('sends no ConfigurationSetName when none is configured', async () => {
    await transport().send(email());
    expect(ses.accepted()[0]!.request).not.toHaveProperty('ConfigurationSetName');
  });

  it('carries a non-ASCII display name, subject and header intact', async () => {
    await transport().send(
      email({
        from: { address: 'shop@acme.test', name: 'Café Zoë' },
        subject: 'Ünïcödé ✓',
        headers: { 'X-Note': 'naïve' },
      }),
    );
    expect(ses.received()[0]).toMatchObject({
      fromName: 'Café Zoë',
      subject: 'Ünïcödé ✓',
      headers: { 'x-note': 'naïve' },
    });
  });

  it('verifies each store with its own key, with sends from two stores interleaved concurrently', async () => {
    const a = transport({ ...STORE_A });
    const b = transport({ ...STORE_B });
    const sends = Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? a : b).send(
        email({ id: `log-${i}`, from: { address: i % 2 === 0 ? 'shop@a.test' : 'shop@b.test' } }),
      ),
    );
    await Promise.all(sends);
    const byId = new Map(ses.accepted().map((e) => [e.request.EmailTags![0]!.Value, e]));
    expect(byId.size).toBe(10);
    for (let i = 0; i < 10; i++) {
      const accepted = byId.get(`log-${i}`)!;
      expect([accepted.accessKeyId, accepted.request.FromEmailAddress]).toEqual(
        i % 2 === 0 ? [STORE_A.accessKeyId, 'shop@a.test'] : [STORE_B.accessKeyId, 'shop@b.test'],
      );
    }
  });

  it("refuses one store's key signed with the other store's secret", async () => {
    const mixed = transport({ accessKeyId: STORE_A.accessKeyId, secretAccessKey: STORE_B.secretAccessKey });
    expect(await failureOf(mixed.send(email()))).toEqual({
      code: 'MAIL_PERMANENT',
      details: { provider: 'ses', sesError: 'InvalidSignatureException', httpStatus: 403 },
    });
    expect(ses.attempts()).toEqual([
      { accessKeyId: STORE_A.accessKeyId, status: 403, errorType: 'InvalidSignatureException' },
    ]);
  });

  it('reports an unknown access key as UnrecognizedClientException, permanent', async () => {
    const unknown = transport({ accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' });
    expect(await failureOf(unknown.send(email()))).toEqual({
      code: 'MAIL_PERMANENT',
      details: { provider: 'ses', sesError: 'UnrecognizedClientException', httpStatus: 403 },
    });
  });

  it('never uses credentials, region, endpoint or retry settings from the environment', async () => {
    // Store B's key is valid on this server: had the SDK picked the env up, the send would pass as B.
    vi.stubEnv('AWS_ACCESS_KEY_ID', STORE_B.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', STORE_B.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', 'env-session-token');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_DEFAULT_REGION', 'us-east-1');
    vi.stubEnv('AWS_PROFILE', 'does-not-exist');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '5');
    vi.stubEnv('AWS_ENDPOINT_URL_SESV2', 'http://127.0.0.1:9');
    const t = transport();
    await t.send(email());
    expect(ses.accepted().map((e) => [e.accessKeyId, e.region])).toEqual([
      [STORE_A.accessKeyId, 'eu-west-1'],
    ]);
    expect(ses.accepted()[0]!.httpHeaders['x-amz-security-token']).toBeUndefined();
    // And the SDK made exactly one attempt despite AWS_MAX_ATTEMPTS.
    ses.throttleNext();
    expect((await failureOf(t.send(email()))).code).toBe('MAIL_RETRYABLE');
    expect(ses.attempts().map((a) => a.status)).toEqual([200, 429]);
  });

  it('makes one attempt per send: throttling, 5xx and timeouts go back to the caller untouched', async () => {
    const t = transport();
    ses.throttleNext();
    expect(await failureOf(t.send(email()))).toEqual({
      code: 'MAIL_RETRYABLE',
      details: { provider: 'ses', sesError: 'TooManyRequestsException', httpStatus: 429 },
    });
    ses.failNext({ status: 500, name: 'InternalFailure', message: 'We encountered an internal error.' });
    expect(await failureOf(t.send(email()))).toEqual({
      code: 'MAIL_RETRYABLE',
      details: { provider: 'ses', sesError: 'InternalFailure', httpStatus: 500 },
    });
    ses.failNext({ status: 503, name: 'ServiceUnavailable', message: 'Service unavailable.' });
    expect((await failureOf(t.send(email()))).code).toBe('MAIL_RETRYABLE');
    const started = Date.now();
    ses.hangNext();
    expect(await failureOf(t.send(email()))).toEqual({
      code: 'MAIL_RETRYABLE',
      details: { provider: 'ses', sesError: 'TimeoutError' },
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(ses.attempts().map((a) => a.status)).toEqual([429, 500, 503, 'hung']);
    await t.send(email());
    expect(ses.accepted()).toHaveLength(1);
  });

  it.each([
    [400, 'MessageRejected', 'MAIL_PERMANENT'],
    [400, 'MailFromDomainNotVerifiedException', 'MAIL_PERMANENT'],
    [400, 'AccountSuspendedException', 'MAIL_PERMANENT'],
    [400, 'SendingPausedException', 'MAIL_PERMANENT'],
    [404, 'NotFoundException', 'MAIL_PERMANENT'],
    [400, 'LimitExceededException', 'MAIL_RETRYABLE'],
    [500, 'InternalServiceErrorException', 'MAIL_RETRYABLE'],
  ])('classifies SES answering %i %s as %s (the SDK deserializes the name)', async (status, name, code) => {
    ses.failNext({ status, name, message: 'refused' });
    expect(await failureOf(transport().send(email()))).toEqual({
      code,
      details: { provider: 'ses', sesError: name, httpStatus: status },
    });
  });

  it('builds its client with maxAttempts 1, the configured timeouts and throwOnRequestTimeout', async () => {
    const client = new SESv2Client(
      createSesClientConfig({
        ...STORE_A,
        region: ses.region,
        endpoint: ses.endpoint,
        requestTimeoutMs: 1234,
        connectionTimeoutMs: 567,
      }),
    );
    try {
      await client.send(new SendEmailCommand(toSesSendEmailRequest(email())));
      expect(await client.config.maxAttempts()).toBe(1);
      expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({
        requestTimeout: 1234,
        connectionTimeout: 567,
        throwOnRequestTimeout: true,
      });
    } finally {
      client.destroy();
    }
  });

  it('reports a refused connection as retryable', async () => {
    const port = new URL(ses.endpoint).port;
    await ses.close();
    ses = await LocalSesServer.start({ credentials: [STORE_A] });
    const t = transport({ endpoint: `http://127.0.0.1:${port}` });
    const failure = await failureOf(t.send(email()));
    expect(failure.code).toBe('MAIL_RETRYABLE');
  });

  it('validates before sending: an invalid address is permanent and nothing goes out', async () => {
    expect((await failureOf(transport().send(email({ from: { address: 'nope' } })))).code).toBe(
      'MAIL_PERMANENT',
    );
    expect(ses.attempts()).toEqual([]);
  });

  it('refuses an empty credential at construction', () => {
    expect(() => new SesMailTransport({ ...STORE_A, secretAccessKey: '', region: 'eu-west-1' })).toThrow(
      /secretAccessKey must not be empty/,
    );
  });
});

describe('createSesClientConfig without an endpoint override (no network)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** Runs the SDK's whole pipeline up to the signed request, then stops before the network. */
  async function signedRequestFor(config: SesMailTransportConfig) {
    const client = new SESv2Client(createSesClientConfig(config));
    let captured:
      | { protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string> }
      | undefined;
    client.middlewareStack.addRelativeTo(
      (_next: unknown) => async (args: { request: unknown }) => {
        captured = args.request as NonNullable<typeof captured>;
        throw new Error('stop before the network');
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'captureSignedRequest' },
    );
    await expect(
      client.send(
        new SendEmailCommand({
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      ),
    ).rejects.toThrow('stop before the network');
    client.destroy();
    return captured!;
  }

  it.each([
    ['eu-west-1', 'email.eu-west-1.amazonaws.com'],
    ['us-east-1', 'email.us-east-1.amazonaws.com'],
    ['ap-southeast-2', 'email.ap-southeast-2.amazonaws.com'],
  ])('region %s → https://%s, signed for that region with the configured key', async (region, hostname) => {
    vi.stubEnv('AWS_REGION', 'sa-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'env-token');
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    vi.stubEnv('AWS_ENDPOINT_URL_SESV2', 'http://127.0.0.1:9');
    vi.stubEnv('AWS_USE_FIPS_ENDPOINT', 'true');
    vi.stubEnv('AWS_USE_DUALSTACK_ENDPOINT', 'true');
    const request = await signedRequestFor({ ...STORE_A, region });
    expect({ protocol: request.protocol, hostname: request.hostname, path: request.path }).toEqual({
      protocol: 'https:',
      hostname,
      path: '/v2/email/outbound-emails',
    });
    expect(request.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${STORE_A.accessKeyId}/\\d{8}/${region}/ses/aws4_request, `),
    );
    expect(request.headers['x-amz-security-token']).toBeUndefined();
  });
});
