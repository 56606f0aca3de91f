import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import { createInMemoryMessaging, FixedClock } from '@parley/messaging-core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { createMetrics } from '../src/plugins/metrics.js';
import { buildServer, type ParleyApp } from '../src/server.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';
import { TEST_SECRET } from './support/harness.js';

const TOKEN = 'metrics-token-0123456789abcdef';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The Prometheus text exposition as samples (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The one sample of `name` whose labels include `labels` (undefined when none). */
function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

async function scrape(app: ParleyApp): Promise<{ text: string; samples: Sample[] }> {
  const response = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: response.body, samples: parseExposition(response.body) };
}

describe('GET /metrics (in-memory server)', () => {
  let app: ParleyApp;
  beforeAll(async () => {
    const { core, directory } = createInMemoryMessaging();
    app = await buildServer(
      { core, directory, checkDatabase: async () => {}, databaseKind: 'memory', jwtSecret: TEST_SECRET },
      { logLevel: 'silent', metricsToken: TOKEN, rateLimit: { max: 3, windowMs: 60_000 } },
    );
  });
  afterAll(() => app.close());

  it('answers 401 problem+json without the token or with another one, in constant time', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-0123456789abcdef',
      TOKEN,
      `Bearer ${TOKEN}x`,
    ]) {
      const response = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  it('times requests by route pattern, method and status (never the raw URL), with the process metrics', async () => {
    for (let i = 0; i < 2; i += 1)
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const id = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
    const unauthenticated = await app.inject({ method: 'GET', url: `/api/v1/store/messages/${id}` });
    expect(unauthenticated.statusCode).toBe(401);
    await app.inject({ method: 'GET', url: `/no/such/${id}` });
    const { text, samples } = await scrape(app);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        route: '/healthz',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', {
        route: '/api/v1/store/messages/:id',
        status_code: '401',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }),
    ).toBe(1);
    expect(text).not.toContain(id);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('is not rate limited and not in the OpenAPI document', async () => {
    for (let i = 0; i < 6; i += 1) await scrape(app);
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).not.toContain('/metrics');
    expect(Object.keys(document.paths).length).toBeGreaterThan(10);
  });

  it('does not exist without PARLEY_METRICS_TOKEN: the same 404 as any unknown path', async () => {
    const { core, directory } = createInMemoryMessaging();
    const bare = await buildServer(
      { core, directory, checkDatabase: async () => {}, databaseKind: 'memory', jwtSecret: TEST_SECRET },
      { logLevel: 'silent' },
    );
    try {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
        const response = await bare.inject({ method: 'GET', url: '/metrics', headers });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({
          code: 'ROUTE_NOT_FOUND',
          detail: 'no route serves GET /metrics',
        });
      }
    } finally {
      await bare.close();
    }
  });

  it('keeps one registry per server, so two servers never share series', async () => {
    const one = createMetrics();
    const two = createMetrics();
    one.countEmail('smtp', 'sent');
    const read = async (m: typeof one) =>
      sampleValue(parseExposition(await m.registry.metrics()), 'parley_emails_total', { provider: 'smtp' });
    expect(await read(one)).toBe(1);
    expect(await read(two)).toBeUndefined();
  });
});

// The API composed as in production (PostgreSQL when DATABASE_URL is set, else PGlite), platform
// mail through a real SMTP server on loopback, the notification worker driven by hand.
const url = process.env.DATABASE_URL;
const target = url
  ? {
      name: 'postgres',
      env: {
        PARLEY_DATABASE_URL: url,
        PARLEY_DATABASE_SCHEMA: `t_metrics_${Math.random().toString(36).slice(2, 10)}`,
      } as Record<string, string>,
    }
  : { name: 'pglite', env: {} as Record<string, string> };

describe(`GET /metrics on the composed API (${target.name})`, () => {
  let dir: string;
  let smtp: LocalSmtpServer;
  let api: ComposedApi;
  let clock: FixedClock;
  let call: Call;
  let t: Tokens;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-metrics-'));
    smtp = await startLocalSmtpServer({ username: 'parley', password: 'smtp-secret' });
    clock = new FixedClock(new Date());
    const config = parseConfig(
      {
        ...target.env,
        PARLEY_LOG_LEVEL: 'silent',
        PARLEY_SEED_DEMO: 'false',
        PARLEY_NOTIFICATIONS_WORKER: 'off',
        PARLEY_NOTIFICATION_WINDOW: '1m',
        PARLEY_SMTP_URL: `smtp://parley:smtp-secret@${smtp.host}:${smtp.port}`,
        PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
        PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: 'mailgun-signing-key-0123456789',
        PARLEY_METRICS_TOKEN: TOKEN,
      },
      dir,
    );
    api = await compose(config, { clock });
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  });

  afterEach(async () => {
    const schema = target.env.PARLEY_DATABASE_SCHEMA;
    // Stopped first: a running instance's tails lock the tables the drop takes (a deadlock).
    await api.close();
    if (schema) await dropSchema(schema);
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports queue depth and lag, counts emails by provider and status, webhook deliveries and pool usage', async () => {
    let { samples } = await scrape(api.app);
    expect(sampleValue(samples, 'parley_notification_queue_depth')).toBe(0);
    expect(sampleValue(samples, 'parley_notification_queue_lag_seconds')).toBe(0);
    const engine = api.database.kind;
    expect(sampleValue(samples, 'parley_db_pool_max_connections', { engine })).toBe(
      engine === 'postgres' ? 10 : 1,
    );
    expect(sampleValue(samples, 'parley_db_pool_connections', { engine })).toBeGreaterThanOrEqual(1);
    if (engine === 'postgres') {
      expect(sampleValue(samples, 'parley_db_pool_idle_connections', { engine })).toBeGreaterThanOrEqual(0);
      // The scrape's own queue read may be waiting for a connection at that instant.
      expect(sampleValue(samples, 'parley_db_pool_waiting_requests', { engine })).toBeGreaterThanOrEqual(0);
    } else {
      expect(sampleValue(samples, 'parley_db_pool_idle_connections', { engine })).toBeUndefined();
    }
    expect(sampleValue(samples, 'parley_emails_total', { status: 'sent' })).toBeUndefined();

    // A message to the customer leads to one notification; 30 s later it is 30 s late.
    const created = await call('POST', '/api/v1/store/messages', {
      token: t.store1,
      body: {
        conversation_type: 'store_customer',
        subject: 'Order #42',
        recipient_type: 'customer',
        recipient_id: 'c1',
        initial_message: 'It shipped.',
      },
    });
    expect(created.status).toBe(201);
    const conversationId = (created.body as { id: string }).id;
    // The job is the email subscriber's, enqueued when the dispatcher (woken by the commit) ran.
    await api.events.drain();
    clock.advance(30_000);
    ({ samples } = await scrape(api.app));
    expect(sampleValue(samples, 'parley_notification_queue_depth')).toBe(1);
    expect(sampleValue(samples, 'parley_notification_queue_available')).toBe(1);
    expect(sampleValue(samples, 'parley_notification_queue_lag_seconds')).toBe(30);

    const run = await api.notifications.runOnce();
    expect(run?.groups.map((g) => g.outcome)).toEqual(['sent']);
    expect(smtp.received()).toHaveLength(1);
    ({ samples } = await scrape(api.app));
    expect(sampleValue(samples, 'parley_notification_queue_depth')).toBe(0);
    expect(sampleValue(samples, 'parley_emails_total', { provider: 'smtp', status: 'sent' })).toBe(1);
    expect(
      sampleValue(samples, 'parley_emails_total', { provider: 'smtp', status: 'failed' }),
    ).toBeUndefined();

    // The SMTP server goes away: the next notification's send fails and is counted as failed.
    await smtp.close();
    clock.advance(120_000);
    const reply = await call('POST', `/api/v1/store/messages/${conversationId}/messages`, {
      token: t.store1,
      body: { content: 'Tracking number: 42' },
    });
    expect(reply.status).toBe(201);
    clock.advance(120_000);
    const failed = await api.notifications.runOnce();
    expect(failed?.groups.map((g) => g.outcome)).toEqual(['retrying']);
    ({ samples } = await scrape(api.app));
    expect(sampleValue(samples, 'parley_emails_total', { provider: 'smtp', status: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'parley_emails_total', { provider: 'smtp', status: 'sent' })).toBe(1);
    expect(sampleValue(samples, 'parley_notification_queue_depth')).toBe(1);

    // Inbound provider webhooks: a forged Mailgun delivery, and SendGrid, which has no key here.
    const forged = await call('POST', '/api/v1/webhooks/email/mailgun', {
      body: {
        signature: {
          timestamp: String(Math.floor(Date.now() / 1000)),
          token: 'x'.repeat(50),
          signature: 'f'.repeat(64),
        },
        'event-data': { event: 'delivered', id: 'e1' },
      },
    });
    expect(forged.status).toBe(401);
    const unconfigured = await call('POST', '/api/v1/webhooks/email/sendgrid', { body: [] });
    expect(unconfigured.status).toBe(404);
    const { text, samples: after } = await scrape(api.app);
    expect(
      sampleValue(after, 'parley_email_webhook_deliveries_total', {
        provider: 'mailgun',
        outcome: 'unverified',
      }),
    ).toBe(1);
    expect(
      sampleValue(after, 'parley_email_webhook_deliveries_total', {
        provider: 'sendgrid',
        outcome: 'not_configured',
      }),
    ).toBe(1);
    expect(
      sampleValue(after, 'http_request_duration_seconds_count', {
        route: '/api/v1/store/messages/:id/messages',
        method: 'POST',
        status_code: '201',
      }),
    ).toBe(1);
    expect(text).not.toContain(conversationId);
  }, 120_000);
});
