import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdminNotification } from '../../model/admin-notification.js';
import type { AdminNotificationRepository } from '../../ports/admin-notification-repository.js';

/** Reads stored admin notifications directly (SQL for a database, the map in memory). */
export interface AdminNotificationRawReader {
  notification(id: string): Promise<AdminNotification | null>;
  /** Number of notifications stored. */
  count(): Promise<number>;
}

export interface AdminNotificationRepositoryContractTarget {
  /** A repository over empty storage. */
  readonly repository: AdminNotificationRepository;
  readonly raw: AdminNotificationRawReader;
  /** Adds a store to the directory notifications may refer to. */
  readonly addStore: (storeId: string) => Promise<void>;
  readonly teardown?: () => Promise<void>;
}

export interface AdminNotificationRepositoryContractOptions {
  readonly name: string;
  readonly setup: () => Promise<AdminNotificationRepositoryContractTarget>;
}

const at = (seconds: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + seconds * 1000);

/** A notification with every field set; override what a test needs. */
export function sampleAdminNotification(
  overrides: Partial<AdminNotification> & { id: string },
): AdminNotification {
  return {
    type: 'system_alert',
    priority: 'normal',
    title: 'Nightly import finished with warnings',
    message: '3 customers were skipped.',
    isRead: false,
    readAt: null,
    readByUserId: null,
    actionRequired: false,
    actionUrl: null,
    metadata: {},
    storeId: null,
    createdAt: at(0),
    issueKey: null,
    occurrences: 1,
    lastError: null,
    ...overrides,
    lastOccurredAt: overrides.lastOccurredAt ?? overrides.createdAt ?? at(0),
  };
}

/**
 * The behaviour every `AdminNotificationRepository` adapter must show; writes are checked
 * through the raw reader.
 *
 * @example
 * ```ts
 * adminNotificationRepositoryContract({ name: 'in-memory', setup: async () => { … } });
 * ```
 */
export function adminNotificationRepositoryContract(
  options: AdminNotificationRepositoryContractOptions,
): void {
  describe(`AdminNotificationRepository contract: ${options.name}`, () => {
    let target: AdminNotificationRepositoryContractTarget;
    let repo: AdminNotificationRepository;
    beforeEach(async () => {
      target = await options.setup();
      repo = target.repository;
      await target.addStore('acme');
    });
    afterEach(async () => {
      await target.teardown?.();
    });

    it('stores every field as given, read back raw and through findById', async () => {
      const n = sampleAdminNotification({
        id: 'n-1',
        type: 'store_issue',
        priority: 'critical',
        title: 'Provider down',
        message: 'SMTP refused the credentials',
        actionRequired: true,
        actionUrl: '/api/v1/admin/stores/acme/email-settings',
        metadata: { store_id: 'acme', nested: { attempts: [1, 2] }, ok: false, note: null },
        storeId: 'acme',
        createdAt: at(5),
      });
      await repo.create(n);
      expect(await target.raw.notification('n-1')).toEqual(n);
      expect(await repo.findById('n-1')).toEqual(n);
      expect(await repo.findById('missing')).toBeNull();
      expect(await target.raw.count()).toBe(1);
    });

    it('raise without an issue key inserts every time, as given', async () => {
      const first = sampleAdminNotification({ id: 'n-1', storeId: 'acme', lastError: 'boom' });
      expect(await repo.raise(first)).toEqual(first);
      expect(await repo.raise(sampleAdminNotification({ id: 'n-2', storeId: 'acme' }))).toMatchObject({
        id: 'n-2',
        occurrences: 1,
      });
      expect(await target.raw.notification('n-1')).toEqual(first);
      expect(await target.raw.count()).toBe(2);
    });

    it('raise with an issue key folds into the unread one of the same store and key', async () => {
      const issue = (id: string, seconds: number, extra: Partial<AdminNotification> = {}) =>
        sampleAdminNotification({
          id,
          type: 'store_issue',
          priority: 'high',
          storeId: 'acme',
          issueKey: 'email_verification_failed',
          lastError: `error ${seconds}`,
          metadata: { attempt: seconds },
          createdAt: at(seconds),
          ...extra,
        });
      const first = await repo.raise(issue('n-1', 1));
      expect(first).toEqual(issue('n-1', 1));
      const second = await repo.raise(
        issue('n-2', 5, { priority: 'critical', message: 'Still failing', actionUrl: '/fix' }),
      );
      const folded = {
        ...first,
        priority: 'critical',
        message: 'Still failing',
        actionUrl: '/fix',
        metadata: { attempt: 5 },
        occurrences: 2,
        lastError: 'error 5',
        lastOccurredAt: at(5),
      };
      expect(second).toEqual(folded);
      expect(await target.raw.notification('n-1')).toEqual(folded);
      expect(await target.raw.notification('n-2')).toBeNull();
      expect(await target.raw.count()).toBe(1);
      expect(await repo.countUnread()).toBe(1);

      // Another key, another store, or no store: notifications of their own.
      await repo.raise(issue('n-3', 6, { issueKey: 'email_send_failures' }));
      await repo.raise(issue('n-4', 7, { storeId: 'other' }));
      await repo.raise(issue('n-5', 8, { storeId: null }));
      expect(await repo.raise(issue('n-6', 9, { storeId: null }))).toMatchObject({
        id: 'n-5',
        occurrences: 2,
      });
      expect(await target.raw.count()).toBe(4);
      expect(await target.raw.notification('n-1')).toMatchObject({ occurrences: 2 });
    });

    it('once the open one is read, the next raise of its issue opens a new one', async () => {
      const issue = (id: string, seconds: number) =>
        sampleAdminNotification({
          id,
          storeId: 'acme',
          issueKey: 'email_send_failures',
          createdAt: at(seconds),
        });
      await repo.raise(issue('n-1', 1));
      await repo.raise(issue('n-2', 2));
      await repo.markRead('n-1', 'admin-1', at(3));
      const next = await repo.raise(issue('n-3', 4));
      expect(next).toEqual(issue('n-3', 4));
      expect(await repo.raise(issue('n-4', 5))).toMatchObject({ id: 'n-3', occurrences: 2, isRead: false });
      expect(await target.raw.notification('n-1')).toMatchObject({ isRead: true, occurrences: 2 });
      expect(await target.raw.count()).toBe(2);
    });

    it('concurrent raises of one issue leave one unread notification counting them all', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          repo.raise(
            sampleAdminNotification({
              id: `n-${i}`,
              storeId: 'acme',
              issueKey: 'email_verification_failed',
              createdAt: at(i),
            }),
          ),
        ),
      );
      expect(new Set(results.map((n) => n.id)).size).toBe(1);
      expect(await target.raw.count()).toBe(1);
      expect(await target.raw.notification(results[0]?.id ?? '')).toMatchObject({ occurrences: 10 });
    });

    it('lists newest first by (created_at, id) with keyset pagination', async () => {
      await repo.create(sampleAdminNotification({ id: 'n-a', createdAt: at(1) }));
      await repo.create(sampleAdminNotification({ id: 'n-c', createdAt: at(2) }));
      await repo.create(sampleAdminNotification({ id: 'n-b', createdAt: at(2) }));
      await repo.create(sampleAdminNotification({ id: 'n-d', createdAt: at(3) }));
      const ids = (list: AdminNotification[]) => list.map((n) => n.id);
      expect(ids(await repo.list({ limit: 10 }))).toEqual(['n-d', 'n-c', 'n-b', 'n-a']);
      const first = await repo.list({ limit: 2 });
      expect(ids(first)).toEqual(['n-d', 'n-c']);
      const last = first.at(-1) as AdminNotification;
      expect(ids(await repo.list({ limit: 2, after: { createdAt: last.createdAt, id: last.id } }))).toEqual([
        'n-b',
        'n-a',
      ]);
      expect(ids(await repo.list({ limit: 2, after: { createdAt: at(1), id: 'n-a' } }))).toEqual([]);
    });

    it('filters by unread, priority, type and action_required, all together', async () => {
      await repo.create(sampleAdminNotification({ id: 'n-1', priority: 'high', createdAt: at(1) }));
      await repo.create(
        sampleAdminNotification({
          id: 'n-2',
          priority: 'high',
          type: 'store_issue',
          actionRequired: true,
          createdAt: at(2),
        }),
      );
      await repo.create(
        sampleAdminNotification({
          id: 'n-3',
          priority: 'low',
          type: 'import_failure',
          actionRequired: true,
          createdAt: at(3),
        }),
      );
      await repo.create(
        sampleAdminNotification({
          id: 'n-4',
          priority: 'high',
          type: 'store_issue',
          actionRequired: true,
          isRead: true,
          readAt: at(9),
          readByUserId: 'admin-1',
          createdAt: at(4),
        }),
      );
      const ids = async (q: Parameters<AdminNotificationRepository['list']>[0]) =>
        (await repo.list(q)).map((n) => n.id);
      expect(await ids({ limit: 10, unreadOnly: true })).toEqual(['n-3', 'n-2', 'n-1']);
      expect(await ids({ limit: 10, priority: 'high' })).toEqual(['n-4', 'n-2', 'n-1']);
      expect(await ids({ limit: 10, type: 'import_failure' })).toEqual(['n-3']);
      expect(await ids({ limit: 10, actionRequired: false })).toEqual(['n-1']);
      expect(await ids({ limit: 10, actionRequired: true })).toEqual(['n-4', 'n-3', 'n-2']);
      expect(
        await ids({
          limit: 10,
          unreadOnly: true,
          priority: 'high',
          type: 'store_issue',
          actionRequired: true,
        }),
      ).toEqual(['n-2']);
      expect(await repo.countUnread()).toBe(3);
    });

    it('marks one read once: the first reader and time are kept', async () => {
      await repo.create(sampleAdminNotification({ id: 'n-1' }));
      const read = await repo.markRead('n-1', 'admin-1', at(10));
      expect(read).toMatchObject({ id: 'n-1', isRead: true, readAt: at(10), readByUserId: 'admin-1' });
      expect(await target.raw.notification('n-1')).toEqual(read);
      const again = await repo.markRead('n-1', 'admin-2', at(20));
      expect(again).toEqual(read);
      expect(await target.raw.notification('n-1')).toEqual(read);
      expect(await repo.countUnread()).toBe(0);
      await expect(repo.markRead('missing', 'admin-1', at(10))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('marks all unread read and returns how many, leaving read ones as they were', async () => {
      await repo.create(sampleAdminNotification({ id: 'n-1', createdAt: at(1) }));
      await repo.create(sampleAdminNotification({ id: 'n-2', createdAt: at(2) }));
      await repo.create(
        sampleAdminNotification({
          id: 'n-3',
          isRead: true,
          readAt: at(3),
          readByUserId: 'admin-0',
          createdAt: at(3),
        }),
      );
      expect(await repo.markAllRead('admin-1', at(30))).toBe(2);
      expect(await target.raw.notification('n-1')).toMatchObject({
        isRead: true,
        readAt: at(30),
        readByUserId: 'admin-1',
      });
      expect(await target.raw.notification('n-2')).toMatchObject({
        isRead: true,
        readAt: at(30),
        readByUserId: 'admin-1',
      });
      expect(await target.raw.notification('n-3')).toMatchObject({ readAt: at(3), readByUserId: 'admin-0' });
      expect(await repo.markAllRead('admin-1', at(40))).toBe(0);
      expect(await repo.countUnread()).toBe(0);
    });
  });
}
