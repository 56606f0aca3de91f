import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMailgunServer } from '@parley/adapters-mail-mailgun/testing';
import { LocalSendGridServer } from '@parley/adapters-mail-sendgrid/testing';
import { LocalSesServer } from '@parley/adapters-mail-ses/testing';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import type { ReceivedEmail } from '@parley/messaging-core/testing/contracts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailProviderEndpoints } from '../../src/mail/adapter-mail-transport-factory.js';
import { expectProblem } from './api-scenarios.js';
import { type ApiResponse, type Call, client, seedFixture, type Tokens, tokensFor } from './client.js';
import type { ApiHarness } from './harness.js';

/** One API with the email routes, and a raw read of the stored credential columns. */
export interface EmailHarness {
  readonly harness: ApiHarness;
  /** The secret columns of `store_email_settings` exactly as stored (a raw read, not the API). */
  readonly storedSecrets: (storeId: string) => Promise<Record<string, string | null> | null>;
  /** Closes the harness and the transports it built. */
  readonly close: () => Promise<void>;
}

export type EmailHarnessFactory = (setup: {
  readonly endpoints: MailProviderEndpoints;
  readonly mailDir: string;
  /**
   * What the outbound guard lets stores reach although not public (`PARLEY_OUTBOUND_ALLOWED_CIDRS`):
   * `127.0.0.0/8` for the local provider servers, empty to see the production refusals.
   */
  readonly outboundAllowedCidrs: readonly string[];
}) => Promise<EmailHarness>;

/** The local SMTP server listens on 127.0.0.1: these scenarios allow loopback, as a self-hoster could. */
const LOOPBACK = ['127.0.0.0/8'];

const SECRETS = {
  smtpPassword: 'smtp-pass-acme-Zq81',
  sendgridKey: 'SG.acme-good-key-7c1f0e',
  mailgunKey: 'key-acme-good-mailgun-44ab',
  sesAccessKeyId: 'AKIDACMETESTKEY01',
  sesSecret: 'ses-acme-secret-access-key-9f3d',
} as const;
const WRONG = 'wrong-secret-value-000111';

interface ProviderCase {
  readonly provider: 'smtp' | 'sendgrid' | 'mailgun' | 'ses';
  readonly good: () => Record<string, unknown>;
  readonly bad: () => Record<string, unknown>;
  readonly received: () => readonly ReceivedEmail[];
}

/**
 * Store email settings, verification through every provider's local server, plan gating,
 * masking and the email log, run on each adapter set.
 */
export function emailScenarios(label: string, factory: EmailHarnessFactory): void {
  describe(`Email API on ${label}`, () => {
    let smtp: LocalSmtpServer;
    let sendgrid: LocalSendGridServer;
    let mailgun: LocalMailgunServer;
    let ses: LocalSesServer;
    let mailDir: string;
    let env: EmailHarness;
    let call: Call;
    let t: Tokens;
    /** Every response body of the test, to prove no credential ever leaves. */
    let bodies: string[];

    beforeAll(async () => {
      [smtp, sendgrid, mailgun, ses] = await Promise.all([
        startLocalSmtpServer({ username: 'acme-mailer', password: SECRETS.smtpPassword }),
        LocalSendGridServer.start({ apiKeys: [SECRETS.sendgridKey] }),
        LocalMailgunServer.start({ apiKeys: [SECRETS.mailgunKey], domains: ['mg.acme.test'] }),
        LocalSesServer.start({
          credentials: [{ accessKeyId: SECRETS.sesAccessKeyId, secretAccessKey: SECRETS.sesSecret }],
        }),
      ]);
      mailDir = await mkdtemp(join(tmpdir(), 'parley-mail-'));
    });
    afterAll(async () => {
      await Promise.all([smtp?.close(), sendgrid?.close(), mailgun?.close(), ses?.close()]);
      if (mailDir) await rm(mailDir, { recursive: true, force: true });
    });
    const endpoints = (): MailProviderEndpoints => ({
      sendgridBaseUrl: sendgrid.url,
      mailgunBaseUrl: mailgun.url,
      sesEndpoint: ses.endpoint,
      timeoutMs: 5_000,
    });
    beforeEach(async () => {
      env = await factory({ endpoints: endpoints(), mailDir, outboundAllowedCidrs: LOOPBACK });
      const raw = client(env.harness);
      bodies = [];
      call = async (...args: Parameters<Call>): Promise<ApiResponse> => {
        const response = await raw(...args);
        bodies.push(response.text);
        return response;
      };
      t = await tokensFor(env.harness.jwtSecret);
      await seedFixture(call, t.service);
    });
    afterEach(async () => {
      const all = bodies.join('\n');
      for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
      await env.close();
    });

    const cases: ProviderCase[] = [
      {
        provider: 'smtp',
        good: () => ({
          smtp_host: '127.0.0.1',
          smtp_port: smtp.port,
          smtp_username: 'acme-mailer',
          smtp_password: SECRETS.smtpPassword,
          smtp_use_tls: false,
          smtp_use_ssl: false,
        }),
        bad: () => ({ smtp_password: WRONG }),
        received: () => smtp.received(),
      },
      {
        provider: 'sendgrid',
        good: () => ({ sendgrid_api_key: SECRETS.sendgridKey }),
        bad: () => ({ sendgrid_api_key: `SG.${WRONG}` }),
        received: () => sendgrid.received(),
      },
      {
        provider: 'mailgun',
        good: () => ({
          mailgun_api_key: SECRETS.mailgunKey,
          mailgun_domain: 'mg.acme.test',
          mailgun_region: 'eu',
        }),
        bad: () => ({ mailgun_api_key: WRONG }),
        received: () => mailgun.received(),
      },
      {
        provider: 'ses',
        good: () => ({
          ses_access_key_id: SECRETS.sesAccessKeyId,
          ses_secret_access_key: SECRETS.sesSecret,
          ses_region: 'eu-west-1',
        }),
        bad: () => ({ ses_secret_access_key: WRONG }),
        received: () => ses.received(),
      },
    ];

    it.each(cases)(
      'a business store configures $provider, verifies it through the provider, and a bad credential is recorded',
      async ({ provider, good, bad, received }) => {
        const before = received().length;
        const put = await call('PUT', '/api/v1/store/email-settings', {
          token: t.store1,
          body: { provider, from_email: 'shop@acme.test', from_name: 'Acme Shop', ...good() },
        });
        expect(put.status).toBe(200);
        expect(put.body).toMatchObject({
          store_id: 's1',
          provider,
          from_email: 'shop@acme.test',
          is_configured: true,
          is_verified: false,
          tier: 'business',
          active_transport: 'platform',
        });
        for (const field of ['smtp_password', 'sendgrid_api_key', 'mailgun_api_key', 'ses_secret_access_key'])
          expect(Object.keys(put.body[field])).toEqual(['is_set']);

        const verify = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
        expect(verify.status).toBe(200);
        expect(verify.body.verified).toBe(true);
        expect(verify.body.settings).toMatchObject({
          is_verified: true,
          verification_error: null,
          active_transport: 'store',
        });
        expect(verify.body.settings.last_verified_at).toEqual(expect.any(String));
        const log = verify.body.email_log;
        expect(log).toMatchObject({
          status: 'sent',
          provider,
          recipient: 'sam@acme.test',
          from_email: 'shop@acme.test',
          from_name: 'Acme Shop',
          template_code: 'email_settings_verification',
          store_id: 's1',
          user_id: 'u1',
          error_message: null,
          retry_count: 0,
        });
        expect(log.provider_message_id).toEqual(expect.any(String));
        expect(log.provider_message_id.length).toBeGreaterThan(0);
        const arrived = received().slice(before);
        expect(arrived).toHaveLength(1);
        expect(arrived[0]).toMatchObject({ from: 'shop@acme.test', to: ['sam@acme.test'], parleyId: log.id });
        expect(arrived[0]?.subject).toBe('Parley: email settings test for Acme');

        const logs = await call('GET', '/api/v1/store/email-logs?status=sent', { token: t.store1 });
        expect(logs.status).toBe(200);
        expect(logs.body.email_logs.map((l: { id: string }) => l.id)).toEqual([log.id]);
        expect(logs.body.email_logs[0]).toMatchObject({
          provider,
          provider_message_id: log.provider_message_id,
        });

        // A wrong credential: the provider refuses, and that is what the store sees.
        const broken = await call('PUT', '/api/v1/store/email-settings', { token: t.store1, body: bad() });
        expect(broken.body).toMatchObject({ is_verified: false, active_transport: 'platform' });
        const failed = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
        expect(failed.status).toBe(200);
        expect(failed.body.verified).toBe(false);
        expect(failed.body.settings.is_verified).toBe(false);
        expect(failed.body.settings.verification_error).toEqual(expect.any(String));
        expect(failed.body.settings.verification_error.length).toBeGreaterThan(0);
        expect(failed.body.settings.last_verified_at).toBe(verify.body.settings.last_verified_at);
        expect(failed.body.email_log).toMatchObject({
          status: 'failed',
          provider,
          retry_count: 1,
          provider_message_id: null,
          error_message: failed.body.settings.verification_error,
        });
        expect(received().slice(before)).toHaveLength(1);
        const read = await call('GET', '/api/v1/store/email-settings', { token: t.store1 });
        expect(read.body.verification_error).toBe(failed.body.settings.verification_error);
        const failedLogs = await call('GET', '/api/v1/admin/email-logs?status=failed&store_id=s1', {
          token: t.admin,
        });
        expect(failedLogs.body.email_logs.map((l: { id: string }) => l.id)).toEqual([
          failed.body.email_log.id,
        ]);
      },
    );

    it('stores credentials as ciphertext and never returns them', async () => {
      await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: {
          provider: 'sendgrid',
          from_email: 'shop@acme.test',
          ...cases[1]?.good(),
          ...cases[3]?.good(),
        },
      });
      await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: { smtp_password: SECRETS.smtpPassword, mailgun_api_key: SECRETS.mailgunKey },
      });
      const stored = await env.storedSecrets('s1');
      expect(stored).not.toBeNull();
      for (const [column, plaintext] of [
        ['smtp_password', SECRETS.smtpPassword],
        ['sendgrid_api_key', SECRETS.sendgridKey],
        ['mailgun_api_key', SECRETS.mailgunKey],
        ['ses_access_key_id', SECRETS.sesAccessKeyId],
        ['ses_secret_access_key', SECRETS.sesSecret],
      ] as const) {
        const token = stored?.[column];
        expect(token).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
        expect(token).not.toContain(plaintext);
      }
      const mine = await call('GET', '/api/v1/store/email-settings', { token: t.store1 });
      expect(mine.body).toMatchObject({
        smtp_password: { is_set: true },
        sendgrid_api_key: { is_set: true },
        mailgun_api_key: { is_set: true },
        ses_access_key_id: { is_set: true },
        ses_secret_access_key: { is_set: true },
      });
      const admin = await call('GET', '/api/v1/admin/stores/s1/email-settings', { token: t.admin });
      expect(admin.status).toBe(200);
      expect(admin.body).toMatchObject({
        store_id: 's1',
        provider: 'sendgrid',
        sendgrid_api_key: { is_set: true },
      });
      // Clearing one with null; absent keeps the others.
      const cleared = await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: { mailgun_api_key: null },
      });
      expect(cleared.body).toMatchObject({
        mailgun_api_key: { is_set: false },
        sendgrid_api_key: { is_set: true },
      });
      expect((await env.storedSecrets('s1'))?.mailgun_api_key).toBeNull();
      expect((await env.storedSecrets('s1'))?.sendgrid_api_key).toBe(stored?.sendgrid_api_key);
    });

    it('gates sendgrid, mailgun and ses to the business and enterprise tiers; smtp is open to all', async () => {
      for (const provider of ['sendgrid', 'mailgun', 'ses']) {
        const response = await call('PUT', '/api/v1/store/email-settings', {
          token: t.store2,
          body: { provider, from_email: 'gil@globex.test', sendgrid_api_key: SECRETS.sendgridKey },
        });
        expectProblem(response, 403, 'FORBIDDEN', 'provider');
        expect(response.body.detail).toBe(
          `provider ${provider} requires the business or enterprise tier; this store is on the essential tier`,
        );
      }
      const smtpOk = await call('PUT', '/api/v1/store/email-settings', {
        token: t.store2,
        body: {
          provider: 'smtp',
          from_email: 'gil@globex.test',
          smtp_host: 'mail.globex.test',
          smtp_port: 587,
        },
      });
      expect(smtpOk.status).toBe(200);
      expect(smtpOk.body).toMatchObject({ provider: 'smtp', tier: 'essential', allowed_providers: ['smtp'] });
      expect((await env.storedSecrets('s2'))?.sendgrid_api_key).toBeNull();
    });

    it('validates settings naming the field, and keeps roles apart', async () => {
      const bad = async (body: Record<string, unknown>, field: string) => {
        const response = await call('PUT', '/api/v1/store/email-settings', { token: t.store1, body });
        expectProblem(response, 400, 'VALIDATION', field);
      };
      await bad({ from_email: 'nope' }, 'from_email');
      await bad(
        { provider: 'smtp', from_email: 'a@acme.test', smtp_host: 'h.test', smtp_port: 70_000 },
        'smtp_port',
      );
      await bad(
        {
          provider: 'mailgun',
          from_email: 'a@acme.test',
          mailgun_api_key: 'k',
          mailgun_domain: 'mg.acme.test',
        },
        'mailgun_region',
      );
      await bad(
        {
          provider: 'ses',
          from_email: 'a@acme.test',
          ses_access_key_id: 'A',
          ses_secret_access_key: 'B',
          ses_region: 'moon',
        },
        'ses_region',
      );
      await bad({ provider: 'carrier-pigeon' }, 'provider');
      await bad({ api_key_of_someone_else: 'x' }, 'api_key_of_someone_else');
      expectProblem(
        await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 }),
        400,
        'VALIDATION',
        'provider',
      );
      expectProblem(await call('GET', '/api/v1/store/email-settings', { token: t.admin }), 403, 'FORBIDDEN');
      expectProblem(
        await call('GET', '/api/v1/store/email-settings', { token: t.customer1 }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await call('GET', '/api/v1/admin/stores/s1/email-settings', { token: t.store1 }),
        403,
        'FORBIDDEN',
      );
      expectProblem(
        await call('GET', '/api/v1/admin/stores/ghost/email-settings', { token: t.admin }),
        404,
        'NOT_FOUND',
      );
      expectProblem(await call('GET', '/api/v1/store/email-settings'), 401, 'UNAUTHENTICATED');
      const fresh = await call('GET', '/api/v1/admin/stores/s2/email-settings', { token: t.admin });
      expect(fresh.body).toMatchObject({
        store_id: 's2',
        provider: null,
        is_configured: false,
        created_at: null,
      });
    });

    it('refuses SMTP hosts on the platform network with 400 naming smtp_host, unless allow-listed', async () => {
      const smtpBody = (host: string) => ({
        provider: 'smtp',
        from_email: 'shop@acme.test',
        ...cases[0]?.good(),
        smtp_host: host,
      });
      // Built like production: nothing allow-listed. (It starts from empty tables: seed again.)
      const strict = await factory({ endpoints: endpoints(), mailDir, outboundAllowedCidrs: [] });
      try {
        const strictCall = client(strict.harness);
        await seedFixture(strictCall, t.service);
        for (const host of [
          '127.0.0.1',
          'localhost',
          'mail.localhost',
          '10.0.0.1',
          '172.16.0.1',
          '192.168.1.1',
          '169.254.169.254',
          '100.64.0.1',
          '100.100.100.200',
          '0.0.0.0',
          '224.0.0.1',
          '255.255.255.255',
          '2130706433',
          '127.1',
          '0x7f.1',
        ]) {
          const response = await strictCall('PUT', '/api/v1/store/email-settings', {
            token: t.store1,
            body: smtpBody(host),
          });
          expectProblem(response, 400, 'VALIDATION', 'smtp_host');
          expect(response.body.detail).toBe(
            `smtp_host ${host} is not a public host: it is, or resolves to, a loopback, private, link-local, shared (CGNAT), multicast, reserved or cloud metadata address, which stores may not use`,
          );
        }
        const untouched = await strictCall('GET', '/api/v1/store/email-settings', { token: t.store1 });
        expect(untouched.body).toMatchObject({ provider: null, smtp_host: null, created_at: null });
      } finally {
        await strict.close();
      }
      // The same loopback server, allow-listed: saved, verified, delivered.
      await seedFixture(call, t.service);
      const saved = await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: smtpBody('127.0.0.1'),
      });
      expect(saved.status).toBe(200);
      const before = smtp.received().length;
      const verified = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
      expect(verified.body).toMatchObject({ verified: true, settings: { is_verified: true } });
      expect(smtp.received()).toHaveLength(before + 1);
    });

    it('says only "could not connect" when verifying an SMTP server that is not there', async () => {
      const closed = await startLocalSmtpServer({ username: 'x', password: 'y' });
      await closed.close();
      const hangUp = createServer((socket) => socket.destroy());
      const chatty = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      await Promise.all(
        [hangUp, chatty].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
      );
      try {
        const ports = [
          closed.port,
          (hangUp.address() as AddressInfo).port,
          (chatty.address() as AddressInfo).port,
        ];
        for (const port of ports) {
          await call('PUT', '/api/v1/store/email-settings', {
            token: t.store1,
            body: {
              provider: 'smtp',
              from_email: 'shop@acme.test',
              ...cases[0]?.good(),
              smtp_port: port,
            },
          });
          const verify = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
          expect(verify.status).toBe(200);
          expect(verify.body.verified).toBe(false);
          expect(verify.body.settings.verification_error).toBe(
            `could not connect to the SMTP server 127.0.0.1:${port}`,
          );
          expect(verify.body.email_log).toMatchObject({
            status: 'failed',
            error_message: `could not connect to the SMTP server 127.0.0.1:${port}`,
          });
        }
      } finally {
        await Promise.all(
          [hangUp, chatty].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
        );
      }
    });

    it('lists the email log with filters and a cursor; stores see only their own', async () => {
      const configure = (token: string, body: Record<string, unknown>) =>
        call('PUT', '/api/v1/store/email-settings', { token, body });
      await configure(t.store1, { provider: 'sendgrid', from_email: 'shop@acme.test', ...cases[1]?.good() });
      await configure(t.store2, { provider: 'smtp', from_email: 'gil@globex.test', ...cases[0]?.good() });
      for (let i = 0; i < 3; i++)
        await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
      await call('POST', '/api/v1/store/email-settings/verify', { token: t.store2 });

      const page1 = await call('GET', '/api/v1/admin/email-logs?limit=2', { token: t.admin });
      expect(page1.status).toBe(200);
      expect(page1.body.email_logs.map((l: { store_id: string }) => l.store_id)).toEqual(['s2', 's1']);
      const page2 = await call('GET', `/api/v1/admin/email-logs?limit=2&cursor=${page1.body.next_cursor}`, {
        token: t.admin,
      });
      expect(page2.body.email_logs.map((l: { store_id: string }) => l.store_id)).toEqual(['s1', 's1']);
      expect(page2.body.next_cursor).toBeNull();
      const byStore = await call('GET', '/api/v1/admin/email-logs?store_id=s2', { token: t.admin });
      expect(byStore.body.email_logs.map((l: { recipient: string }) => l.recipient)).toEqual([
        'gil@globex.test',
      ]);
      const byRecipient = await call('GET', '/api/v1/admin/email-logs?recipient=SAM@acme.test', {
        token: t.admin,
      });
      expect(byRecipient.body.email_logs).toHaveLength(3);
      const future = await call('GET', '/api/v1/admin/email-logs?from=2999-01-01T00:00:00.000Z', {
        token: t.admin,
      });
      expect(future.body.email_logs).toEqual([]);
      const own = await call('GET', '/api/v1/store/email-logs', { token: t.store2 });
      expect(own.body.email_logs.map((l: { store_id: string }) => l.store_id)).toEqual(['s2']);
      expectProblem(
        await call('GET', '/api/v1/store/email-logs?store_id=s1', { token: t.store2 }),
        400,
        'VALIDATION',
        'store_id',
      );
      expectProblem(
        await call('GET', '/api/v1/admin/email-logs?status=lost', { token: t.admin }),
        400,
        'VALIDATION',
        'status',
      );
      expectProblem(await call('GET', '/api/v1/admin/email-logs', { token: t.store1 }), 403, 'FORBIDDEN');
    });
  });
}
