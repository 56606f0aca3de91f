// @parley/messaging-core/notifications: this context's public names (the package index re-exports them).
export type { NotificationJob, NotificationJobStatus } from './model/notification-job.js';
export type { DecodedReplyToken, ReplyTokenClaims } from './model/reply-token.js';
export {
  base32Decode,
  base32Encode,
  decodeReplyToken,
  issueReplyToken,
  MAX_LOCAL_PART_LENGTH,
  matchReplyToken,
  REPLY_ADDRESS_PREFIX,
  REPLY_TOKEN_TAG_BYTES,
  replyTokenFromAddress,
} from './model/reply-token.js';
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
export type { ReplyTokenSigner } from './ports/reply-token-signer.js';
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
export type {
  InboundBounceReason,
  InboundEmail,
  InboundReplyDependencies,
  InboundReplyOutcome,
  ReplyAddressSettings,
} from './use-cases/receive-inbound-reply.js';
export {
  INBOUND_BOUNCE_TEMPLATE,
  receiveInboundReply,
  replyAddress,
} from './use-cases/receive-inbound-reply.js';
