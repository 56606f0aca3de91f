export type {
  DigestPeriod,
  DueDigest,
  LocalTime,
} from './model/digest-schedule.js';
export { dueDigest, localTimeIn } from './model/digest-schedule.js';
// @parley/messaging-core/notifications: this context's public names (the package index re-exports them).
export type { NotificationJob, NotificationJobStatus } from './model/notification-job.js';
export type {
  EmailFrequency,
  NotificationPreferences,
  NotificationPreferencesChange,
} from './model/notification-preferences.js';
export {
  applyPreferencesChange,
  DEFAULT_NOTIFICATION_PREFERENCES,
  defaultNotificationPreferences,
  EMAIL_FREQUENCIES,
  ISO_WEEKDAYS,
  isKnownTimeZone,
} from './model/notification-preferences.js';
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
  ClaimDigestInput,
  DigestFence,
  DigestLedger,
  DigestRecord,
  DigestStatus,
  FinishDigestInput,
  RetryDigestInput,
} from './ports/digest-ledger.js';
export type {
  ListDigestSubscribersInput,
  NotificationPreferencesRepository,
  SavedNotificationPreferences,
} from './ports/notification-preferences-repository.js';
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
  NotificationPreferencesCore,
  NotificationPreferencesDependencies,
} from './use-cases/notification-preferences-use-cases.js';
export { createNotificationPreferencesCore } from './use-cases/notification-preferences-use-cases.js';
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
export type {
  DigestDependencies,
  DigestOptions,
  DigestOutcome,
  DigestVariables,
  SendDigestsInput,
  SendDigestsResult,
} from './use-cases/send-digests.js';
export {
  DIGEST_DEFAULTS,
  DIGEST_TEMPLATES,
  digestVariables,
  sendDueDigests,
} from './use-cases/send-digests.js';
