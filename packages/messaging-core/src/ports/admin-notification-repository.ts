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
 * The admins' notifications: written once, then only marked read.
 *
 * @example
 * ```ts
 * await notifications.create(notification);
 * const unread = await notifications.list({ unreadOnly: true, limit: 20 });
 * await notifications.markRead(unread[0].id, 'admin-1', clock.now());
 * ```
 */
export interface AdminNotificationRepository {
  /** Inserts a new notification (its id is fresh). */
  create(notification: AdminNotification): Promise<void>;

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
