import { beforeEach, describe, expect, it } from 'vitest';
import { createEmailCore, type EmailCore } from '../email/email-core.js';
import { assertSendFailureAlertPolicy, keepRecentFailures } from '../email/model/send-failure-streaks.js';
import { InMemoryEmailLogRepository } from '../email/testing/in-memory-email-log-repository.js';
import { InMemoryMailTransportFactory } from '../email/testing/in-memory-mail-transport-factory.js';
import { InMemoryOutboundAddressGuard } from '../email/testing/in-memory-outbound-address-guard.js';
import { InMemorySendFailureStreakRepository } from '../email/testing/in-memory-send-failure-streak-repository.js';
import { InMemoryStoreEmailSettingsRepository } from '../email/testing/in-memory-store-email-settings-repository.js';
import { ReversibleSecretCipher } from '../email/testing/reversible-secret-cipher.js';
import { MessagingError } from '../kernel/errors.js';
import type { Actor } from '../kernel/model/participant-ref.js';
import { FixedClock } from '../kernel/testing/fixed-clock.js';
import { InMemoryMarketplaceDirectory } from '../kernel/testing/in-memory-marketplace-directory.js';
import { SequentialIds } from '../kernel/testing/sequential-ids.js';
import { type AdminNotificationsCore, createAdminNotificationsCore } from './admin-notifications-core.js';
import { InMemoryAdminNotificationRepository } from './testing/in-memory-admin-notification-repository.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const admin: Actor = { type: 'admin', id: 'a-1', tenantId: null };
const otherAdmin: Actor = { type: 'admin', id: 'a-2', tenantId: null };
const sam: Actor = { type: 'store', id: 'u-sam', tenantId: 'acme' };
const customer: Actor = { type: 'customer', id: 'c-ana', tenantId: 'acme' };

let repo: InMemoryAdminNotificationRepository;
let alerts: AdminNotificationsCore;
let clock: FixedClock;

beforeEach(() => {
  repo = new InMemoryAdminNotificationRepository();
  clock = new FixedClock(T0, { autoAdvanceMs: 1000 });
  let n = 0;
  alerts = createAdminNotificationsCore({
    notifications: repo,
    clock,
    ids: {
      next: () => {
        n += 1;
        return `n-${n}`;
      },
    },
  });
});

const raise = (overrides: Partial<Parameters<AdminNotificationsCore['raiseAdminNotification']>[0]> = {}) =>
  alerts.raiseAdminNotification({ type: 'system_alert', title: 'Title', message: 'Message', ...overrides });

describe('admin notification use cases', () => {
  it('raises with defaults, trimmed text and a copy of the metadata', async () => {
    const n = await raise({
      title: '  Disk almost full ',
      message: ' 95% used ',
      metadata: { disk: '/data' },
    });
    expect(n).toEqual({
      id: 'n-1',
      type: 'system_alert',
      priority: 'normal',
      title: 'Disk almost full',
      message: '95% used',
      isRead: false,
      readAt: null,
      readByUserId: null,
      actionRequired: false,
      actionUrl: null,
      metadata: { disk: '/data' },
      storeId: null,
      createdAt: T0,
      issueKey: null,
      occurrences: 1,
      lastError: null,
      lastOccurredAt: T0,
    });
    expect(repo.rows.get('n-1')).toEqual(n);
  });

  it.each([
    [{ type: 'nope' as never }, 'type'],
    [{ priority: 'urgent' as never }, 'priority'],
    [{ title: '   ' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ message: '' }, 'message'],
    [{ actionUrl: 'javascript:alert(1)' }, 'action_url'],
    [{ metadata: [] as never }, 'metadata'],
    [{ metadata: { big: 'x'.repeat(10_001) } }, 'metadata'],
    [{ storeId: '' }, 'store_id'],
    [{ issueKey: 'Has Spaces' }, 'issue_key'],
    [{ issueKey: 'x'.repeat(101) }, 'issue_key'],
  ])('refuses %j naming %s', async (input, field) => {
    await expect(raise(input)).rejects.toMatchObject({ code: 'VALIDATION', field });
    expect(repo.rows.size).toBe(0);
  });

  it('lists newest first with filters and cursor pages', async () => {
    await raise({ title: 'one', priority: 'low' });
    await raise({ title: 'two', priority: 'high', type: 'store_issue', actionRequired: true });
    await raise({ title: 'three', priority: 'high', type: 'import_failure' });
    await raise({ title: 'four', priority: 'critical', actionRequired: true });
    const titles = (page: { items: { title: string }[] }) => page.items.map((n) => n.title);

    const first = await alerts.list(admin, { limit: 3 });
    expect(titles(first)).toEqual(['four', 'three', 'two']);
    expect(first.nextCursor).not.toBeNull();
    const second = await alerts.list(admin, { limit: 3, cursor: first.nextCursor ?? '' });
    expect(titles(second)).toEqual(['one']);
    expect(second.nextCursor).toBeNull();

    expect(titles(await alerts.list(admin, { priority: 'high' }))).toEqual(['three', 'two']);
    expect(titles(await alerts.list(admin, { type: 'store_issue' }))).toEqual(['two']);
    expect(titles(await alerts.list(admin, { actionRequired: true }))).toEqual(['four', 'two']);
    await alerts.markRead(admin, 'n-4');
    expect(titles(await alerts.list(admin, { unreadOnly: true }))).toEqual(['three', 'two', 'one']);
    expect(titles(await alerts.list(admin, { unreadOnly: true, actionRequired: true }))).toEqual(['two']);

    await expect(alerts.list(admin, { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(alerts.list(admin, { priority: 'urgent' as never })).rejects.toMatchObject({
      field: 'priority',
    });
    await expect(alerts.list(admin, { cursor: 'garbage' })).rejects.toMatchObject({ field: 'cursor' });
  });

  it('marks one read idempotently, keeping the first reader, and counts unread', async () => {
    await raise();
    await raise();
    expect(await alerts.unreadCount(admin)).toBe(2);
    const read = await alerts.markRead(admin, 'n-1');
    expect(read).toMatchObject({ isRead: true, readByUserId: 'a-1', readAt: new Date(T0.getTime() + 2000) });
    expect(await alerts.markRead(otherAdmin, 'n-1')).toEqual(read);
    expect(await alerts.unreadCount(admin)).toBe(1);
    await expect(alerts.markRead(admin, 'n-404')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(alerts.markRead(admin, ' ')).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'notification_id',
    });
  });

  it('marks all read and returns how many', async () => {
    await raise();
    await raise();
    await raise();
    await alerts.markRead(admin, 'n-2');
    expect(await alerts.markAllRead(otherAdmin)).toBe(2);
    expect(repo.rows.get('n-1')).toMatchObject({ isRead: true, readByUserId: 'a-2' });
    expect(repo.rows.get('n-2')).toMatchObject({ isRead: true, readByUserId: 'a-1' });
    expect(await alerts.unreadCount(admin)).toBe(0);
    expect(await alerts.markAllRead(admin)).toBe(0);
  });

  it.each([sam, customer])('forbids %j every admin use case', async (actor) => {
    await raise();
    for (const call of [
      () => alerts.list(actor),
      () => alerts.unreadCount(actor),
      () => alerts.markRead(actor, 'n-1'),
      () => alerts.markAllRead(actor),
    ])
      await expect(call()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(repo.rows.get('n-1')?.isRead).toBe(false);
  });
});

describe('raising with an issue key', () => {
  it('counts repeats on the open notification, keeps the latest error, and opens a new one once read', async () => {
    const issue = (error: string) =>
      raise({
        type: 'store_issue',
        storeId: 'acme',
        issueKey: 'disk_full',
        lastError: error,
        message: error,
      });
    const first = await issue('95% used');
    const again = await issue('99% used');
    expect(again).toEqual({
      ...first,
      message: '99% used',
      occurrences: 2,
      lastError: '99% used',
      lastOccurredAt: new Date(T0.getTime() + 1000),
    });
    expect(repo.rows.size).toBe(1);
    expect(await alerts.unreadCount(admin)).toBe(1);
    await alerts.markRead(admin, first.id);
    const reopened = await issue('100% used');
    expect(reopened).toMatchObject({ id: 'n-3', occurrences: 1, isRead: false, lastError: '100% used' });
    expect(repo.rows.size).toBe(2);
  });

  it('cuts a long last error instead of refusing the raise', async () => {
    const n = await raise({ lastError: 'e'.repeat(5000) });
    expect(n.lastError).toHaveLength(2000);
    expect(n.lastError?.endsWith('…')).toBe(true);
  });
});

describe('send failure alert policy', () => {
  it('keeps the latest threshold failures within the window, oldest first', () => {
    const t = (s: number) => new Date(T0.getTime() + s * 1000);
    const policy = { threshold: 3, windowMs: 60_000 };
    expect(keepRecentFailures([t(0), t(50)], t(70), policy)).toEqual([t(50), t(70)]);
    expect(keepRecentFailures([t(10), t(20), t(30)], t(40), policy)).toEqual([t(20), t(30), t(40)]);
  });

  it.each([
    { threshold: 0, windowMs: 1000 },
    { threshold: 1.5, windowMs: 1000 },
    { threshold: 3, windowMs: 0 },
  ])('refuses %j', (policy) => {
    expect(() => assertSendFailureAlertPolicy(policy)).toThrow(RangeError);
  });
});

describe('admin notifications raised by the email core', () => {
  let email: EmailCore;
  let transports: InMemoryMailTransportFactory;
  let streaks: InMemorySendFailureStreakRepository;
  let emailCore: () => EmailCore;

  beforeEach(async () => {
    streaks = new InMemorySendFailureStreakRepository();
    const directory = new InMemoryMarketplaceDirectory();
    await directory.upsertStore({ id: 'acme', name: 'Acme', tier: 'business' }, T0);
    await directory.upsertPlatformUser(
      { id: 'u-sam', name: 'Sam', email: 'sam@acme.test', role: 'store', storeId: 'acme', locale: 'en' },
      T0,
    );
    transports = new InMemoryMailTransportFactory();
    const emailSettings = new InMemoryStoreEmailSettingsRepository(directory);
    const emailLogs = new InMemoryEmailLogRepository();
    const logIds = new SequentialIds('log');
    // Each call: another process's email core over the same storage.
    emailCore = () =>
      createEmailCore({
        directory,
        emailSettings,
        emailLogs,
        cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
        transports,
        platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
        clock,
        ids: logIds,
        adminNotifications: alerts,
        sendFailureAlert: { threshold: 3, windowMs: 3_600_000, streaks },
        outboundGuard: new InMemoryOutboundAddressGuard(),
      });
    email = createEmailCore({
      directory,
      emailSettings,
      emailLogs,
      cipher: new ReversibleSecretCipher({ currentKeyId: 'k1' }),
      transports,
      outboundGuard: new InMemoryOutboundAddressGuard(),
      platformFrom: { address: 'no-reply@parley.test', name: 'Parley' },
      clock,
      ids: logIds,
      adminNotifications: alerts,
      sendFailureAlert: { threshold: 3, windowMs: 3_600_000, streaks },
    });
  });

  it('raises a high store_issue when verification fails, none when it succeeds', async () => {
    await email.updateStoreEmailSettings(sam, {
      provider: 'sendgrid',
      fromEmail: 'shop@acme.test',
      sendgridApiKey: 'SG.good',
    });
    expect((await email.verifyStoreEmailSettings(sam)).verified).toBe(true);
    expect(repo.rows.size).toBe(0);

    transports.refuse({ provider: 'sendgrid', storeId: 'acme', apiKey: 'SG.bad' });
    await email.updateStoreEmailSettings(sam, { sendgridApiKey: 'SG.bad' });
    const result = await email.verifyStoreEmailSettings(sam);
    expect(result.verified).toBe(false);
    const [n] = (await alerts.list(admin)).items;
    expect(n).toMatchObject({
      type: 'store_issue',
      priority: 'high',
      title: 'Email provider verification failed for Acme',
      actionRequired: true,
      actionUrl: '/api/v1/admin/stores/acme/email-settings',
      storeId: 'acme',
      metadata: {
        store_id: 'acme',
        reason: 'verification_failed',
        provider: 'sendgrid',
        error: 'memory provider: invalid credentials',
        email_log_id: result.emailLog.id,
      },
    });
    expect(repo.rows.size).toBe(1);
  });

  it('raises once after N consecutive failed sends and again only after a success resets', async () => {
    const send = () =>
      email.sendEmail({ storeId: 'acme', to: { address: 'ana@example.com' }, subject: 'Hi', text: 'Hi' });
    const fail = async () => {
      transports.platform.failNext(new MessagingError('MAIL_PERMANENT', '550 mailbox unavailable'));
      return send();
    };
    await fail();
    await fail();
    expect(repo.rows.size).toBe(0);
    const third = await fail();
    expect(repo.rows.size).toBe(1);
    expect([...repo.rows.values()][0]).toMatchObject({
      type: 'store_issue',
      priority: 'high',
      storeId: 'acme',
      actionUrl: '/api/v1/admin/stores/acme/email-settings',
      metadata: {
        store_id: 'acme',
        reason: 'send_failures',
        consecutive_failures: 3,
        error: '550 mailbox unavailable',
        email_log_id: third.log.id,
      },
    });
    await fail();
    await fail();
    expect(repo.rows.size).toBe(1);

    expect((await send()).log.status).toBe('sent');
    await fail();
    await fail();
    expect(repo.rows.size).toBe(1);
    // The next streak alerts again, onto the store's open notification while it is unread.
    const sixth = await fail();
    expect(repo.rows.size).toBe(1);
    expect([...repo.rows.values()][0]).toMatchObject({
      issueKey: 'email_send_failures',
      occurrences: 2,
      lastError: '550 mailbox unavailable',
      metadata: { email_log_id: sixth.log.id },
    });
    // Once read, the next streak opens a new one.
    await alerts.markAllRead(admin);
    await send();
    for (let i = 0; i < 3; i += 1) await fail();
    expect(repo.rows.size).toBe(2);
    expect(await alerts.unreadCount(admin)).toBe(1);
  });

  it('counts the streak across email cores sharing the streak storage (one alert per streak)', async () => {
    const cores = [email, emailCore(), emailCore()];
    for (const core of cores) {
      transports.platform.failNext(new MessagingError('MAIL_PERMANENT', '550 mailbox unavailable'));
      await core.sendEmail({
        storeId: 'acme',
        to: { address: 'ana@example.com' },
        subject: 'Hi',
        text: 'Hi',
      });
    }
    expect(repo.rows.size).toBe(1);
    expect([...repo.rows.values()][0]?.metadata).toMatchObject({ consecutive_failures: 3 });
    transports.platform.failNext(new MessagingError('MAIL_PERMANENT', '550 mailbox unavailable'));
    await emailCore().sendEmail({
      storeId: 'acme',
      to: { address: 'a@example.com' },
      subject: 'x',
      text: 'x',
    });
    expect([...repo.rows.values()][0]?.occurrences).toBe(1);
  });

  it('folds repeated failed verifications into one open notification with a count and the last error', async () => {
    await email.updateStoreEmailSettings(sam, {
      provider: 'sendgrid',
      fromEmail: 'shop@acme.test',
      sendgridApiKey: 'SG.bad',
    });
    transports.refuse({ provider: 'sendgrid', storeId: 'acme', apiKey: 'SG.bad' });
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await email.verifyStoreEmailSettings(sam));
    expect(results.map((r) => r.verified)).toEqual([false, false, false, false]);
    expect(repo.rows.size).toBe(1);
    const [open] = (await alerts.list(admin)).items;
    expect(open).toMatchObject({
      type: 'store_issue',
      issueKey: 'email_verification_failed',
      isRead: false,
      occurrences: 4,
      lastError: 'memory provider: invalid credentials',
      metadata: { email_log_id: results[3]?.emailLog.id },
    });
    expect(open?.lastOccurredAt.getTime()).toBeGreaterThan(open?.createdAt.getTime() ?? Infinity);

    // Read: the next failure opens a new one; another store's failures never fold into it.
    await alerts.markRead(admin, open?.id ?? '');
    await email.verifyStoreEmailSettings(sam);
    const unread = (await alerts.list(admin, { unreadOnly: true })).items;
    expect(unread).toHaveLength(1);
    expect(unread[0]).toMatchObject({ occurrences: 1, isRead: false });
    expect(unread[0]?.id).not.toBe(open?.id);
  });

  it('never counts platform mail (no store) toward a streak', async () => {
    for (let i = 0; i < 5; i += 1) {
      transports.platform.failNext(new MessagingError('MAIL_PERMANENT', 'down'));
      await email.sendEmail({ storeId: null, to: { address: 'ops@example.com' }, subject: 'x', text: 'x' });
    }
    expect(repo.rows.size).toBe(0);
  });
});
