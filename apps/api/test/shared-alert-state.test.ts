import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailgunWebhookSigner, sampleMailgunEventData } from '@parley/adapters-mail-mailgun/testing';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import type { Actor } from '@parley/messaging-core';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ComposedApi, compose } from '../src/composition-root.js';
import { parseConfig } from '../src/config.js';
import { expectProblem } from './support/api-scenarios.js';
import { type Call, client, seedFixture, tokensFor } from './support/client.js';

const url = process.env.DATABASE_URL;
const SIGNING_KEY = 'key-shared-alert-state-0123456789';
const GONE = 'gone@example.com';
const THRESHOLD = 3;
const admin: Actor = { type: 'admin', id: 'a1', tenantId: null };

// The API composed as in production, twice over one database: two instances side by side on
// PostgreSQL, one after the other (a restart) on PGlite's data directory, which only one process
// may open at a time (PGlite starts slowly: generous timeouts).
const targets = [
  { name: 'pglite (restarts)', side: false, env: {} as Record<string, string> },
  ...(url
    ? [
        {
          name: 'postgres (two instances)',
          side: true,
          env: {
            PARLEY_DATABASE_URL: url,
            PARLEY_DATABASE_SCHEMA: `t_shared_${Math.random().toString(36).slice(2, 10)}`,
          } as Record<string, string>,
        },
      ]
    : []),
];

describe.each(targets)('alert and replay state shared through the database: $name', ({ side, env }) => {
  let dir: string;
  let smtp: LocalSmtpServer;
  const open: ComposedApi[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-shared-'));
    smtp = await startLocalSmtpServer({ username: 'parley', password: 'smtp-secret' });
    smtp.rejectRecipient(GONE);
  });
  afterEach(async () => {
    // Stop every instance before dropping its schema: a running instance's tails (dispatcher,
    // real-time hub) lock the tables the drop takes, in another order, and PostgreSQL answers
    // with a deadlock.
    for (const api of open.splice(0)) await api.close();
    if (env.PARLEY_DATABASE_SCHEMA) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists "${env.PARLEY_DATABASE_SCHEMA}" cascade`);
      } finally {
        await admin.end();
      }
    }
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** One API instance over the shared database (and data directory, for the JWT secret). */
  async function start(): Promise<{ api: ComposedApi; call: Call }> {
    const api = await compose(
      parseConfig(
        {
          ...env,
          PARLEY_LOG_LEVEL: 'silent',
          PARLEY_SEED_DEMO: 'false',
          PARLEY_NOTIFICATIONS_WORKER: 'off',
          PARLEY_SMTP_URL: `smtp://parley:smtp-secret@${smtp.host}:${smtp.port}`,
          PARLEY_MAIL_FROM: 'Parley <no-reply@parley.test>',
          PARLEY_ADMIN_ALERT_SEND_FAILURES: String(THRESHOLD),
          PARLEY_MAILGUN_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
        },
        dir,
      ),
    );
    open.push(api);
    const call = client(api);
    return { api, call };
  }

  /** The next instance: beside the previous one on PostgreSQL, after stopping it on PGlite. */
  async function next(): Promise<{ api: ComposedApi; call: Call }> {
    if (!side) await open.pop()?.close();
    return start();
  }

  const failSend = (api: ComposedApi) =>
    api.email.sendEmail({ storeId: 's1', to: { address: GONE }, subject: 'Your order', text: 'Shipped.' });

  it('counts one failed-send streak across instances: one alert per streak', async () => {
    const first = await start();
    await seedFixture(first.call, (await tokensFor(first.api.jwtSecret.secret)).service);
    expect((await failSend(first.api)).log.status).toBe('failed');
    expect((await failSend(first.api)).log.status).toBe('failed');
    const second = await next();
    // The third failure in a row, on another instance: it completes the shared streak.
    const third = await failSend(second.api);
    let alerts = (await second.api.adminNotifications.list(admin)).items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'store_issue',
      storeId: 's1',
      issueKey: 'email_send_failures',
      occurrences: 1,
      metadata: { reason: 'send_failures', consecutive_failures: THRESHOLD, email_log_id: third.log.id },
    });
    // The streak goes on, on both instances: no second alert.
    await failSend(second.api);
    if (side) await failSend(first.api);
    alerts = (await second.api.adminNotifications.list(admin)).items;
    expect(alerts.map((n) => n.occurrences)).toEqual([1]);
  }, 180_000);

  it('refuses a Mailgun signature replayed on another instance or after a restart', async () => {
    const signer = new MailgunWebhookSigner(SIGNING_KEY);
    const body = signer.body(
      sampleMailgunEventData({
        event: 'delivered',
        emailId: '01900000-0000-7000-8000-000000000001',
        messageId: '20260301120000.1.UNKNOWN@mg.parley.test',
      }),
    );
    const post = (call: Call, payload: string) =>
      call('POST', '/api/v1/webhooks/email/mailgun', {
        payload,
        headers: { 'content-type': 'application/json' },
      });
    const first = await start();
    const accepted = await post(first.call, body);
    expect({ status: accepted.status, body: accepted.body }).toMatchObject({
      status: 200,
      body: { provider: 'mailgun', received: 1, unmatched: 1 },
    });
    const second = await next();
    const replay = await post(second.call, body);
    expectProblem(replay, 401, 'WEBHOOK_UNVERIFIED');
    expect(replay.body.detail).toContain('replay');
    const third = await next();
    expectProblem(await post(third.call, body), 401, 'WEBHOOK_UNVERIFIED');
    const { rows } = await sql<{ count: number }>`
      select count(*)::int as count from webhook_replay_tokens where provider = 'mailgun'`.execute(
      third.api.database.db,
    );
    expect(rows[0]?.count).toBe(1);
  }, 180_000);
});
