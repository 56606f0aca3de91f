/** What an admin notification is about. */
export const ADMIN_NOTIFICATION_TYPES = ['system_alert', 'store_issue', 'import_failure'] as const;
export type AdminNotificationType = (typeof ADMIN_NOTIFICATION_TYPES)[number];

/** How urgent it is, lowest first. */
export const ADMIN_NOTIFICATION_PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type AdminNotificationPriority = (typeof ADMIN_NOTIFICATION_PRIORITIES)[number];

/**
 * A notice for the platform's admins: raised by Parley itself (a store's provider failing) or by
 * the host platform's services, read and marked read by any admin.
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
  readonly createdAt: Date;
}
