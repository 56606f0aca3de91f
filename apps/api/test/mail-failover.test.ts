import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSendGridServer } from '@parley/adapters-mail-sendgrid/testing';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import type { Actor } from '@parley/messaging-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './support/client.js';
import { dropSchema } from './support/drop-schema.js';

// Mail provider failover end to end: the API composed as in production, store s1 sending through
// SendGrid (a local server speaking its HTTP API) with its own SMTP server (smtp-server on
// loopback) as fallback, and the platform's SMTP server behind that. SendGrid is made to fail:
// the fallback sends, the email log names it, the breaker opens after two failures and sends skip
// SendGrid at once, admins are told when it opens and when it closes. PostgreSQL with
// DATABASE_URL, else PGlite.

const SENDGRID_KEY = 'SG.failover-store-key-0123456789';
const SMTP_PASSWORD = 'store-smtp-secret';
const COOLDOWN_MS = 1_500;
const admin: Actor = { type: 'admin', id: 'a1', tenantId: null };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('mail provider failover with circuit breakers', () => {
  let dir: string;
  let sendgrid: LocalSendGridServer;
  let storeSmtp: LocalSmtpServer;
  let platformSmtp: LocalSmtpServer;
  let api: ComposedApi;
  let call: Call;
  let t: Tokens;
  let schema: string | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-failover-'));
    [sendgrid, storeSmtp, platformSmtp] = await Promise.all([
      LocalSendGridServer.start({ apiKeys: [SENDGRID_KEY] }),
      startLocalSmtpServer({ username: 'acme-mailer', password: SMTP_PASSWORD }),
      startLocalSmtpServer({ username: 'platform', password: 'platform-secret' }),
    ]);
    const url = process.env.DATABASE_URL;
    const env: Record<string, string> = {
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_SEED_DEMO: 'false',
      PARLEY_NOTIFICATIONS_WORKER: 'off',
      PARLEY_ATTACHMENT_SWEEP_INTERVAL: 'off',
      PARLEY_SMTP_URL: `smtp://platform:platform-secret@${platformSmtp.host}:${platformSmtp.port}`,
      PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
      PARLEY_OUTBOUND_ALLOWED_CIDRS: '127.0.0.0/8',
      PARLEY_MAIL_BREAKER_FAILURES: '2',
      PARLEY_MAIL_BREAKER_COOLDOWN: `${COOLDOWN_MS}ms`,
      PARLEY_ADMIN_ALERT_SEND_FAILURES: '0',
    };
    if (url && process.env.PARLEY_TEST_DB !== 'pglite') {
      schema = `t_${randomBytes(6).toString('hex')}`;
      const setup = new pg.Client({ connectionString: url });
      await setup.connect();
      await setup.query(`create schema ${schema}`);
      await setup.end();
      Object.assign(env, { PARLEY_DATABASE_URL: url, PARLEY_DATABASE_SCHEMA: schema });
    }
    api = await compose(parseConfig(env, dir), {
      mailEndpoints: { sendgridBaseUrl: sendgrid.url, timeoutMs: 5_000 },
    });
    call = client(api);
    t = await tokensFor(api.jwtSecret.secret);
    await seedFixture(call, t.service);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    if (schema) await dropSchema(schema);
    await Promise.all([sendgrid?.close(), storeSmtp?.close(), platformSmtp?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const send = (subject: string) =>
    api.email.sendEmail({ storeId: 's1', to: { address: 'carla@mail.test' }, subject, text: 'Hello' });
  const alerts = async () => (await api.adminNotifications.list(admin)).items;
  /** SendGrid's next `requests` answers are 503s (what a send does with each is asserted). */
  const outage = (requests: number) => {
    for (let i = 0; i < requests; i += 1)
      sendgrid.failNext({ status: 503, body: { errors: [{ message: 'down', field: null, help: null }] } });
  };

  it('refuses a fallback that is the provider itself or lacks its credentials', async () => {
    const same = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store1,
      body: {
        provider: 'sendgrid',
        sendgrid_api_key: SENDGRID_KEY,
        from_email: 'shop@acme.test',
        fallback_provider: 'sendgrid',
      },
    });
    expect(same.status).toBe(400);
    expect(same.body).toMatchObject({ code: 'VALIDATION', field: 'fallback_provider' });
    const incomplete = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store1,
      body: {
        provider: 'sendgrid',
        sendgrid_api_key: SENDGRID_KEY,
        from_email: 'shop@acme.test',
        fallback_provider: 'mailgun',
      },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body).toMatchObject({ code: 'VALIDATION', field: 'mailgun_api_key' });
    const forbidden = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store2,
      body: {
        provider: 'smtp',
        fallback_provider: 'sendgrid',
        sendgrid_api_key: 'SG.x',
        from_email: 'g@globex.test',
        smtp_host: '127.0.0.1',
        smtp_port: 25,
      },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'FORBIDDEN', field: 'fallback_provider' });
  });

  it('fails over to the store fallback, opens the breaker, skips the provider, closes again, and tells admins', async () => {
    const saved = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store1,
      body: {
        from_email: 'shop@acme.test',
        provider: 'sendgrid',
        sendgrid_api_key: SENDGRID_KEY,
        fallback_provider: 'smtp',
        smtp_host: '127.0.0.1',
        smtp_port: storeSmtp.port,
        smtp_username: 'acme-mailer',
        smtp_password: SMTP_PASSWORD,
        smtp_use_tls: false,
        smtp_use_ssl: false,
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.fallback_provider).toBe('smtp');
    const verified = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
    expect(verified.body.verified).toBe(true);

    // Healthy: SendGrid sends.
    expect((await send('healthy')).log).toMatchObject({ status: 'sent', provider: 'sendgrid' });

    // SendGrid answers 503 (three times: two sends, then the first probe): the same send goes to
    // the store's SMTP server at once.
    outage(3);
    const before = sendgrid.requestCount;
    const first = await send('first in the outage');
    expect(first.error).toBeNull();
    expect(first.log).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(storeSmtp.received().map((mail) => mail.subject)).toContain('first in the outage');
    const second = await send('second in the outage');
    expect(second.log).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(sendgrid.requestCount - before).toBe(2);

    // Two consecutive retryable failures opened the breaker: admins are told, once.
    const opened = await until(
      alerts,
      (items) => items.some((n) => n.issueKey === 'mail_circuit_open:sendgrid'),
      'the open alert',
    );
    expect(opened.find((n) => n.issueKey === 'mail_circuit_open:sendgrid')).toMatchObject({
      type: 'store_issue',
      priority: 'high',
      storeId: 's1',
      actionRequired: true,
      metadata: {
        reason: 'mail_circuit_open',
        provider: 'sendgrid',
        store_id: 's1',
        consecutive_failures: 2,
      },
    });

    // Open: SendGrid is not even tried, the fallback sends.
    const third = await send('while open');
    expect(third.log).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(sendgrid.requestCount - before).toBe(2);

    // After the cool-down one send probes SendGrid: still down, so it falls back and stays open
    // (the same outage: no second alert).
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
    const probe = await send('failed probe');
    expect(probe.log).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(sendgrid.requestCount - before).toBe(3);

    // SendGrid is back: after the next cool-down the probe succeeds and closes the breaker.
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
    const recovered = await send('recovered');
    expect(recovered.log).toMatchObject({ status: 'sent', provider: 'sendgrid' });
    const closed = await until(
      alerts,
      (items) => items.some((n) => n.issueKey === 'mail_circuit_closed:sendgrid'),
      'the closed alert',
    );
    expect(closed.find((n) => n.issueKey === 'mail_circuit_closed:sendgrid')).toMatchObject({
      type: 'store_issue',
      priority: 'normal',
      storeId: 's1',
      metadata: { reason: 'mail_circuit_closed', provider: 'sendgrid' },
    });
    expect(
      closed.filter((n) => n.issueKey === 'mail_circuit_open:sendgrid').map((n) => n.occurrences),
    ).toEqual([1]);

    // The email log lists each email with the provider that actually sent it.
    const log = await call('GET', '/api/v1/store/email-logs?limit=50', { token: t.store1 });
    expect(log.status).toBe(200);
    const bySubject = new Map<string, string>(
      (log.body.email_logs as { subject: string; provider: string }[]).map((item) => [
        item.subject,
        item.provider,
      ]),
    );
    expect(Object.fromEntries(bySubject)).toMatchObject({
      healthy: 'sendgrid',
      'first in the outage': 'smtp',
      'second in the outage': 'smtp',
      'while open': 'smtp',
      'failed probe': 'smtp',
      recovered: 'sendgrid',
    });
  }, 60_000);

  it("falls back to the platform's transport when the store names it", async () => {
    const saved = await call('PUT', '/api/v1/store/email-settings', {
      token: t.store1,
      body: { fallback_provider: 'platform' },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ fallback_provider: 'platform', is_verified: true });
    outage(1);
    const result = await send('through the platform');
    expect(result.log).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(platformSmtp.received().map((mail) => mail.subject)).toContain('through the platform');
    expect(storeSmtp.received().map((mail) => mail.subject)).not.toContain('through the platform');
  }, 30_000);

  it('does not fail over a permanent refusal, nor without a fallback', async () => {
    sendgrid.rejectRecipient('gone@mail.test');
    const refused = await api.email.sendEmail({
      storeId: 's1',
      to: { address: 'gone@mail.test' },
      subject: 'refused',
      text: 'Hello',
    });
    expect(refused.error?.code).toBe('MAIL_PERMANENT');
    expect(refused.log).toMatchObject({ status: 'failed', provider: 'sendgrid' });
    expect(platformSmtp.received().map((mail) => mail.subject)).not.toContain('refused');

    await call('PUT', '/api/v1/store/email-settings', { token: t.store1, body: { fallback_provider: null } });
    sendgrid.failNext({ status: 503, body: { errors: [{ message: 'down' }] } });
    const failed = await send('no fallback');
    expect(failed.error?.code).toBe('MAIL_RETRYABLE');
    expect(failed.log).toMatchObject({ status: 'failed', provider: 'sendgrid' });
  }, 30_000);
});
