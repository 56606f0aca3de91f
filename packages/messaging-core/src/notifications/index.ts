// @parley/messaging-core/notifications: this context's public names (the package index re-exports them).
export type { NotificationJob, NotificationJobStatus } from './model/notification-job.js';
export type {
  ClaimNotificationsInput,
  CompleteNotificationsInput,
  FailNotificationsInput,
  FencedWriteResult,
  LeaseFence,
  NewNotificationJob,
  NotificationGroup,
  NotificationQueue,
  NotificationQueueStats,
  RenewNotificationLeaseInput,
  RescheduleNotificationsInput,
} from './ports/notification-queue.js';
export type { NotifyingMessagingStore, NotifyingRepositories } from './ports/notifying-messaging-store.js';
export {
  EMAIL_NOTIFICATIONS_SUBSCRIBER,
  emailNotificationSubscriber,
} from './use-cases/email-notification-subscriber.js';
export type {
  MessagePreview,
  NotificationDependencies,
  NotificationGroupOutcome,
  NotificationOptions,
  ProcessNotificationsInput,
  ProcessNotificationsResult,
} from './use-cases/process-notifications.js';
export {
  defaultInboxUrlTemplate,
  INBOX_URL_PLACEHOLDERS,
  MESSAGE_PREVIEW_LENGTH,
  messagePreview,
  NEW_MESSAGE_TEMPLATE,
  NOTIFICATION_DEFAULTS,
  processNotifications,
  replyAudience,
  replyUrl,
  retryDelayMs,
} from './use-cases/process-notifications.js';
