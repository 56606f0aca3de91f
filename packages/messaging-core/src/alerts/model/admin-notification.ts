/** What an admin notification is about. */
export const ADMIN_NOTIFICATION_TYPES = ['system_alert', 'store_issue', 'import_failure'] as const;
export type AdminNotificationType = (typeof ADMIN_NOTIFICATION_TYPES)[number];

/** How urgent it is, lowest first. */
export const ADMIN_NOTIFICATION_PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type AdminNotificationPriority = (typeof ADMIN_NOTIFICATION_PRIORITIES)[number];

/**
 * A notice for the platform's admins: raised by Parley itself (a store's provider failing) or by
 * the host platform's services, read and marked read by any admin. One raised with an `issueKey`
 * stays the only unread notice of its store and key: raising it again counts another occurrence
 * on it instead of adding a notice; once read, the next raise opens a new one.
 */
export interface AdminNotification {
  readonly id: string;
  readonly type: AdminNotificationType;
  readonly priority: AdminNotificationPriority;
  readonly title: string;
  readonly message: string;
  readonly isRead: boolean;
  /** When it was first marked read; null while unread. */
  readonly readAt: Date | null;
  /** The admin who first marked it read; null while unread. */
  readonly readByUserId: string | null;
  readonly actionRequired: boolean;
  /** Where an admin acts on it (a path or an http(s) URL), or null. */
  readonly actionUrl: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The store it concerns, or null for a platform-wide notice. */
  readonly storeId: string | null;
  /** When it was first raised. */
  readonly createdAt: Date;
  /** The issue it reports for its store (`email_verification_failed`…), or null: never folded. */
  readonly issueKey: string | null;
  /** How many raises it stands for (1, more once raises of the same open issue folded into it). */
  readonly occurrences: number;
  /** The error of the latest occurrence, or null. */
  readonly lastError: string | null;
  /** When it was last raised (`createdAt` until a raise folds into it). */
  readonly lastOccurredAt: Date;
}
