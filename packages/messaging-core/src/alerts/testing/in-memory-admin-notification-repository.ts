import { MessagingError } from '../../kernel/errors.js';
import type { AdminNotification } from '../model/admin-notification.js';
import type {
  AdminNotificationQuery,
  AdminNotificationRepository,
} from '../ports/admin-notification-repository.js';

const newestFirst = (a: AdminNotification, b: AdminNotification) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Admin notifications in a map. `rows` is the raw storage the contract suite reads.
 *
 * @example
 * ```ts
 * const notifications = new InMemoryAdminNotificationRepository();
 * await notifications.countUnread(); // 0
 * ```
 */
export class InMemoryAdminNotificationRepository implements AdminNotificationRepository {
  readonly rows = new Map<string, AdminNotification>();

  async create(notification: AdminNotification): Promise<void> {
    if (this.rows.has(notification.id))
      throw new MessagingError('CONFLICT', `admin notification ${notification.id} already exists`);
    this.rows.set(notification.id, structuredClone(notification));
  }

  async raise(notification: AdminNotification): Promise<AdminNotification> {
    const open =
      notification.issueKey === null
        ? undefined
        : [...this.rows.values()].find(
            (n) => !n.isRead && n.issueKey === notification.issueKey && n.storeId === notification.storeId,
          );
    if (open === undefined) {
      await this.create(notification);
      return structuredClone(notification);
    }
    const folded: AdminNotification = {
      ...open,
      priority: notification.priority,
      title: notification.title,
      message: notification.message,
      actionRequired: notification.actionRequired,
      actionUrl: notification.actionUrl,
      metadata: structuredClone(notification.metadata),
      occurrences: open.occurrences + 1,
      lastError: notification.lastError,
      lastOccurredAt: new Date(notification.createdAt),
    };
    this.rows.set(open.id, folded);
    return structuredClone(folded);
  }

  async findById(id: string): Promise<AdminNotification | null> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async list(query: AdminNotificationQuery): Promise<AdminNotification[]> {
    const after = query.after;
    return [...this.rows.values()]
      .filter(
        (n) =>
          (!query.unreadOnly || !n.isRead) &&
          (query.priority === undefined || n.priority === query.priority) &&
          (query.type === undefined || n.type === query.type) &&
          (query.actionRequired === undefined || n.actionRequired === query.actionRequired) &&
          (after === undefined ||
            n.createdAt.getTime() < after.createdAt.getTime() ||
            (n.createdAt.getTime() === after.createdAt.getTime() && n.id < after.id)),
      )
      .sort(newestFirst)
      .slice(0, query.limit)
      .map((n) => structuredClone(n));
  }

  async countUnread(): Promise<number> {
    return [...this.rows.values()].filter((n) => !n.isRead).length;
  }

  async markRead(id: string, userId: string, at: Date): Promise<AdminNotification> {
    const row = this.rows.get(id);
    if (!row) throw MessagingError.notFound('admin notification', id);
    if (row.isRead) return structuredClone(row);
    const read = { ...row, isRead: true, readAt: new Date(at), readByUserId: userId };
    this.rows.set(id, read);
    return structuredClone(read);
  }

  async markAllRead(userId: string, at: Date): Promise<number> {
    let count = 0;
    for (const row of this.rows.values()) {
      if (row.isRead) continue;
      this.rows.set(row.id, { ...row, isRead: true, readAt: new Date(at), readByUserId: userId });
      count += 1;
    }
    return count;
  }
}
