import type {
  AdminNotification,
  AdminNotificationPriority,
  AdminNotificationType,
} from '../model/admin-notification.js';

/** Position after the last notification of a page: newest first by (createdAt, id). */
export interface AdminNotificationCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** Filters of `AdminNotificationRepository.list`; every given filter must hold. */
export interface AdminNotificationQuery {
  readonly unreadOnly?: boolean;
  readonly priority?: AdminNotificationPriority;
  readonly type?: AdminNotificationType;
  readonly actionRequired?: boolean;
  readonly after?: AdminNotificationCursor;
  readonly limit: number;
}

/**
 * The admins' notifications: raised (inserted, or folded into the open one of the same issue),
 * then only marked read.
 *
 * @example
 * ```ts
 * await notifications.raise(notification);
 * const unread = await notifications.list({ unreadOnly: true, limit: 20 });
 * await notifications.markRead(unread[0].id, 'admin-1', clock.now());
 * ```
 */
export interface AdminNotificationRepository {
  /** Inserts a new notification exactly as given (its id is fresh); never folds. */
  create(notification: AdminNotification): Promise<void>;

  /**
   * Raises a new unread notification and returns what is stored. Without an `issueKey` it is
   * inserted as given. With one, when an unread notification of the same `storeId` (null
   * included) and `issueKey` exists, the raise folds into it instead — `occurrences` + 1, and
   * `lastError`, `lastOccurredAt` (the new `createdAt`), `priority`, `title`, `message`,
   * `actionRequired`, `actionUrl` and `metadata` from the new one; its id, `createdAt` and
   * unread state are kept — and nothing is inserted. Atomic: raises racing in several processes
   * leave exactly one unread notification per store and issue, counting every raise.
   *
   * @example
   * ```ts
   * await notifications.raise({ ...n, id: 'n-1', issueKey: 'email_verification_failed' }); // inserted
   * await notifications.raise({ ...n, id: 'n-2', issueKey: 'email_verification_failed' }); // n-1, occurrences 2
   * ```
   */
  raise(notification: AdminNotification): Promise<AdminNotification>;

  /** @example `await notifications.findById('0190…')` */
  findById(id: string): Promise<AdminNotification | null>;

  /**
   * Notifications matching every filter, newest first (createdAt desc, id desc), at most
   * `limit`, after the cursor when given.
   *
   * @example `await notifications.list({ priority: 'critical', unreadOnly: true, limit: 50 })`
   */
  list(query: AdminNotificationQuery): Promise<AdminNotification[]>;

  /** @example `await notifications.countUnread()` → 3 */
  countUnread(): Promise<number>;

  /**
   * Marks one read by `userId` at `at` and returns it; one already read is returned unchanged
   * (the first reader and time are kept). `NOT_FOUND` for an unknown id.
   *
   * @example `await notifications.markRead(id, 'admin-1', now)`
   */
  markRead(id: string, userId: string, at: Date): Promise<AdminNotification>;

  /**
   * Marks every unread notification read by `userId` at `at`; returns how many it marked.
   *
   * @example `await notifications.markAllRead('admin-1', now)` → 4
   */
  markAllRead(userId: string, at: Date): Promise<number>;
}
