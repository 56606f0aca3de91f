import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSmtpServer, startLocalSmtpServer } from '@parley/adapters-mail-smtp/testing';
import type { EmailCore } from '@parley/messaging-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from './api-scenarios.js';
import { type Call, client, seedFixture, type Tokens, tokensFor } from './client.js';
import type { ApiHarness } from './harness.js';

/** Failed sends in a row that raise a notification in these scenarios. */
export const SEND_FAILURE_THRESHOLD = 3;

/** One API with the email and admin notification routes, over the platform's mail directory. */
export interface AdminNotificationHarness {
  readonly harness: ApiHarness;
  /** The email core behind the API (sends have no route of their own yet). */
  readonly email: EmailCore;
  readonly close: () => Promise<void>;
}

/**
 * Builds the API with `sendFailureAlert: { threshold: SEND_FAILURE_THRESHOLD, windowMs: 1h, streaks }`,
 * the real mail transports (the outbound guard allowing `127.0.0.0/8` for the local SMTP server)
 * and the platform default writing to `mailDir`.
 */
export type AdminNotificationHarnessFactory = (setup: {
  readonly mailDir: string;
}) => Promise<AdminNotificationHarness>;

const SMTP_PASSWORD = 'smtp-pass-acme-admin-alerts';
const GONE = 'gone@example.com';

interface NotificationWire {
  id: string;
  type: string;
  priority: string;
  title: string;
  is_read: boolean;
  read_at: string | null;
  read_by_user_id: string | null;
  action_required: boolean;
  action_url: string | null;
  metadata: Record<string, unknown>;
  store_id: string | null;
  created_at: string;
  issue_key: string | null;
  occurrences: number;
  last_error: string | null;
  last_occurred_at: string;
}

/**
 * Admin notifications through the API: raised by a failed provider verification (a wrong SMTP
 * password against a real smtp-server), by a streak of failed sends, and by services; listed,
 * filtered, paged and marked read by admins only.
 */
export function adminNotificationScenarios(label: string, factory: AdminNotificationHarnessFactory): void {
  describe(`Admin notifications API on ${label}`, () => {
    let smtp: LocalSmtpServer;
    let mailDir: string;
    let env: AdminNotificationHarness;
    let call: Call;
    let t: Tokens;

    beforeAll(async () => {
      smtp = await startLocalSmtpServer({ username: 'acme-mailer', password: SMTP_PASSWORD });
      smtp.rejectRecipient(GONE);
      mailDir = await mkdtemp(join(tmpdir(), 'parley-admin-alerts-'));
    });
    afterAll(async () => {
      await smtp?.close();
      if (mailDir) await rm(mailDir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      env = await factory({ mailDir });
      call = client(env.harness);
      t = await tokensFor(env.harness.jwtSecret);
      await seedFixture(call, t.service);
    });
    afterEach(async () => {
      await env.close();
    });

    const list = async (query = '') => {
      const response = await call('GET', `/api/v1/admin/notifications${query}`, { token: t.admin });
      expect(response.status).toBe(200);
      return response.body as { notifications: NotificationWire[]; next_cursor: string | null };
    };
    const unread = async () => {
      const response = await call('GET', '/api/v1/admin/notifications/unread-count', { token: t.admin });
      expect(response.status).toBe(200);
      return response.body.unread_count as number;
    };
    const configureSmtp = async (password: string) => {
      const put = await call('PUT', '/api/v1/store/email-settings', {
        token: t.store1,
        body: {
          provider: 'smtp',
          from_email: 'shop@acme.test',
          smtp_host: '127.0.0.1',
          smtp_port: smtp.port,
          smtp_username: 'acme-mailer',
          smtp_password: password,
          smtp_use_tls: false,
          smtp_use_ssl: false,
        },
      });
      expect(put.status).toBe(200);
    };

    it('raises a high store_issue when the provider refuses the credentials, none when it accepts them', async () => {
      await configureSmtp(SMTP_PASSWORD);
      const ok = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
      expect(ok.body.verified).toBe(true);
      expect(await unread()).toBe(0);

      await configureSmtp('wrong-password-0001');
      const failed = await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
      expect(failed.status).toBe(200);
      expect(failed.body.verified).toBe(false);
      const error = failed.body.settings.verification_error as string;
      expect(error.length).toBeGreaterThan(0);

      const page = await list();
      expect(page.notifications).toHaveLength(1);
      expect(page.notifications[0]).toMatchObject({
        type: 'store_issue',
        priority: 'high',
        title: 'Email provider verification failed for Acme',
        is_read: false,
        read_at: null,
        read_by_user_id: null,
        action_required: true,
        action_url: '/api/v1/admin/stores/s1/email-settings',
        store_id: 's1',
        metadata: {
          store_id: 's1',
          reason: 'verification_failed',
          provider: 'smtp',
          error,
          email_log_id: failed.body.email_log.id,
        },
      });
      expect(page.next_cursor).toBeNull();
      expect(await unread()).toBe(1);
      // The action URL leads to the store's settings.
      const settings = await call('GET', page.notifications[0]?.action_url ?? '', { token: t.admin });
      expect(settings.status).toBe(200);
      expect(settings.body).toMatchObject({ store_id: 's1', is_verified: false, verification_error: error });
    });

    it('folds repeated failed verifications of a store into one open notification with a count and the last error', async () => {
      await configureSmtp('wrong-password-0001');
      const verify = () => call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 });
      const attempts = [];
      for (let i = 0; i < 3; i += 1) attempts.push(await verify());
      expect(attempts.map((a) => a.body.verified)).toEqual([false, false, false]);
      let page = await list();
      expect(page.notifications).toHaveLength(1);
      const open = page.notifications[0];
      expect(open).toMatchObject({
        type: 'store_issue',
        store_id: 's1',
        issue_key: 'email_verification_failed',
        is_read: false,
        occurrences: 3,
        last_error: attempts[2]?.body.settings.verification_error,
        metadata: { reason: 'verification_failed', email_log_id: attempts[2]?.body.email_log.id },
      });
      expect(Date.parse(open?.last_occurred_at ?? '')).toBeGreaterThanOrEqual(
        Date.parse(open?.created_at ?? ''),
      );
      expect(await unread()).toBe(1);

      // Once read, the next failure opens a new one; the read one keeps its count.
      await call('PUT', `/api/v1/admin/notifications/${open?.id}/read`, { token: t.admin });
      await verify();
      page = await list();
      expect(page.notifications.map((n) => [n.is_read, n.occurrences])).toEqual([
        [false, 1],
        [true, 3],
      ]);
      // A notification a service raises (no issue key) is never folded.
      for (let i = 0; i < 2; i += 1) {
        const raised = await call('POST', '/api/v1/platform/notifications', {
          token: t.service,
          body: { type: 'store_issue', title: 'Same', message: 'Same', store_id: 's1' },
        });
        expect(raised.body).toMatchObject({ issue_key: null, occurrences: 1, last_error: null });
      }
      expect(await unread()).toBe(3);
    });

    it(`raises once after ${SEND_FAILURE_THRESHOLD} failed sends in a row, and again only after a success`, async () => {
      await configureSmtp(SMTP_PASSWORD);
      expect(
        (await call('POST', '/api/v1/store/email-settings/verify', { token: t.store1 })).body.verified,
      ).toBe(true);
      const send = (address: string) =>
        env.email.sendEmail({ storeId: 's1', to: { address }, subject: 'Your order', text: 'Shipped.' });

      for (let i = 1; i < SEND_FAILURE_THRESHOLD; i += 1)
        expect((await send(GONE)).log.status).toBe('failed');
      expect(await unread()).toBe(0);
      const last = await send(GONE);
      expect(last.log).toMatchObject({ status: 'failed', provider: 'smtp' });
      let page = await list('?type=store_issue');
      expect(page.notifications).toHaveLength(1);
      expect(page.notifications[0]).toMatchObject({
        type: 'store_issue',
        priority: 'high',
        title: 'Email sending keeps failing for store s1',
        action_required: true,
        action_url: '/api/v1/admin/stores/s1/email-settings',
        store_id: 's1',
        metadata: {
          store_id: 's1',
          reason: 'send_failures',
          consecutive_failures: SEND_FAILURE_THRESHOLD,
          error: last.log.errorMessage,
          email_log_id: last.log.id,
          provider: 'smtp',
        },
      });
      // The streak goes on: no second notification.
      await send(GONE);
      await send(GONE);
      expect(await unread()).toBe(1);

      // A success ends the streak; the next full streak raises again — onto the store's open
      // notification while it is unread, then, once read, as a new one.
      expect((await send('ok@example.com')).log.status).toBe('sent');
      for (let i = 1; i < SEND_FAILURE_THRESHOLD; i += 1) await send(GONE);
      expect((await list()).notifications[0]?.occurrences).toBe(1);
      const again = await send(GONE);
      page = await list();
      expect(page.notifications).toHaveLength(1);
      expect(page.notifications[0]).toMatchObject({
        issue_key: 'email_send_failures',
        occurrences: 2,
        last_error: again.log.errorMessage,
        metadata: { email_log_id: again.log.id },
      });
      expect(await unread()).toBe(1);
      await call('PUT', '/api/v1/admin/notifications/read-all', { token: t.admin });
      await send('ok@example.com');
      for (let i = 0; i < SEND_FAILURE_THRESHOLD; i += 1) await send(GONE);
      page = await list();
      expect(page.notifications.map((n) => [n.metadata.reason, n.is_read, n.occurrences])).toEqual([
        ['send_failures', false, 1],
        ['send_failures', true, 2],
      ]);
      expect(smtp.received().map((m) => m.to)).toContainEqual(['ok@example.com']);
    });

    it('lets services raise notifications (201) and refuses store tokens (403)', async () => {
      const raised = await call('POST', '/api/v1/platform/notifications', {
        token: t.service,
        body: {
          type: 'import_failure',
          priority: 'critical',
          title: 'Catalog import failed',
          message: 'Row 12: price is not a number',
          action_required: true,
          action_url: 'https://admin.example.com/imports/42',
          metadata: { import_id: 42, rows: [12] },
          store_id: 's2',
        },
      });
      expect(raised.status).toBe(201);
      expect(raised.body).toMatchObject({
        type: 'import_failure',
        priority: 'critical',
        title: 'Catalog import failed',
        message: 'Row 12: price is not a number',
        is_read: false,
        action_required: true,
        action_url: 'https://admin.example.com/imports/42',
        metadata: { import_id: 42, rows: [12] },
        store_id: 's2',
      });
      expect(raised.body.created_at).toEqual(expect.any(String));
      const minimal = await call('POST', '/api/v1/platform/notifications', {
        token: t.service,
        body: { type: 'system_alert', title: 'Nightly sync late', message: 'Started 20 minutes late.' },
      });
      expect(minimal.status).toBe(201);
      expect(minimal.body).toMatchObject({
        priority: 'normal',
        action_required: false,
        action_url: null,
        metadata: {},
        store_id: null,
      });

      const body = { type: 'system_alert', title: 'x', message: 'y' };
      for (const token of [t.store1, t.admin, t.customer1])
        expectProblem(
          await call('POST', '/api/v1/platform/notifications', { token, body }),
          403,
          'FORBIDDEN',
        );
      expect(await unread()).toBe(2);
    });

    it('refuses an invalid body with 400 naming the field', async () => {
      const post = (body: Record<string, unknown>) =>
        call('POST', '/api/v1/platform/notifications', { token: t.service, body });
      const valid = { type: 'system_alert', title: 'Title', message: 'Message' };
      expectProblem(await post({ type: 'system_alert', message: 'm' }), 400, 'VALIDATION', 'title');
      expectProblem(await post({ ...valid, type: 'outage' }), 400, 'VALIDATION', 'type');
      expectProblem(await post({ ...valid, priority: 'urgent' }), 400, 'VALIDATION', 'priority');
      expectProblem(await post({ ...valid, title: '   ' }), 400, 'VALIDATION', 'title');
      expectProblem(
        await post({ ...valid, action_url: 'javascript:alert(1)' }),
        400,
        'VALIDATION',
        'action_url',
      );
      expectProblem(await post({ ...valid, metadata: 'not an object' }), 400, 'VALIDATION', 'metadata');
      expect(await unread()).toBe(0);
    });

    it('lists with filters and cursor pages, marks read idempotently, and is for admins only', async () => {
      const raise = async (body: Record<string, unknown>) => {
        const response = await call('POST', '/api/v1/platform/notifications', {
          token: t.service,
          body: { message: 'm', ...body },
        });
        expect(response.status).toBe(201);
        return response.body as NotificationWire;
      };
      const a = await raise({ type: 'system_alert', priority: 'low', title: 'a' });
      const b = await raise({ type: 'store_issue', priority: 'high', title: 'b', action_required: true });
      const c = await raise({ type: 'import_failure', priority: 'high', title: 'c' });
      const titles = (page: { notifications: NotificationWire[] }) => page.notifications.map((n) => n.title);

      const first = await list('?limit=2');
      expect(titles(first)).toEqual(['c', 'b']);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = await list(`?limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`);
      expect(titles(second)).toEqual(['a']);
      expect(second.next_cursor).toBeNull();
      expect(titles(await list('?priority=high'))).toEqual(['c', 'b']);
      expect(titles(await list('?type=system_alert'))).toEqual(['a']);
      expect(titles(await list('?action_required=true'))).toEqual(['b']);
      expect(titles(await list('?action_required=false'))).toEqual(['c', 'a']);
      expectProblem(
        await call('GET', '/api/v1/admin/notifications?priority=urgent', { token: t.admin }),
        400,
        'VALIDATION',
        'priority',
      );

      const read = await call('PUT', `/api/v1/admin/notifications/${b.id}/read`, { token: t.admin });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: b.id, is_read: true, read_by_user_id: 'a1' });
      expect(read.body.read_at).toEqual(expect.any(String));
      const again = await call('PUT', `/api/v1/admin/notifications/${b.id}/read`, { token: t.admin });
      expect(again.body).toEqual(read.body);
      expect(titles(await list('?unread_only=true'))).toEqual(['c', 'a']);
      expect(await unread()).toBe(2);
      expectProblem(
        await call('PUT', '/api/v1/admin/notifications/nope/read', { token: t.admin }),
        404,
        'NOT_FOUND',
      );

      for (const token of [t.store1, t.customer1, t.service]) {
        expectProblem(await call('GET', '/api/v1/admin/notifications', { token }), 403, 'FORBIDDEN');
        expectProblem(
          await call('GET', '/api/v1/admin/notifications/unread-count', { token }),
          403,
          'FORBIDDEN',
        );
        expectProblem(
          await call('PUT', `/api/v1/admin/notifications/${a.id}/read`, { token }),
          403,
          'FORBIDDEN',
        );
        expectProblem(await call('PUT', '/api/v1/admin/notifications/read-all', { token }), 403, 'FORBIDDEN');
      }

      const all = await call('PUT', '/api/v1/admin/notifications/read-all', { token: t.admin });
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ marked_read: 2 });
      expect(await unread()).toBe(0);
      expect((await list('?unread_only=true')).notifications).toEqual([]);
      expect((await list()).notifications.find((n) => n.id === c.id)).toMatchObject({
        is_read: true,
        read_by_user_id: 'a1',
      });
      expect((await call('PUT', '/api/v1/admin/notifications/read-all', { token: t.admin })).body).toEqual({
        marked_read: 0,
      });
    });
  });
}
