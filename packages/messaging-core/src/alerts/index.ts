// @parley/messaging-core/alerts: this context's public names (the package index re-exports them).
export type {
  AdminNotificationList,
  AdminNotificationsCore,
  AdminNotificationsDependencies,
  ListAdminNotificationsInput,
  RaiseAdminNotificationInput,
} from './admin-notifications-core.js';
export {
  buildAdminNotification,
  createAdminNotificationsCore,
} from './admin-notifications-core.js';
export type {
  AdminNotification,
  AdminNotificationPriority,
  AdminNotificationType,
} from './model/admin-notification.js';
export { ADMIN_NOTIFICATION_PRIORITIES, ADMIN_NOTIFICATION_TYPES } from './model/admin-notification.js';
export type {
  AdminNotificationCursor,
  AdminNotificationQuery,
  AdminNotificationRepository,
} from './ports/admin-notification-repository.js';
