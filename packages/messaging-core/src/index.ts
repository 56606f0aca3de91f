export type {
  AdminNotificationList,
  AdminNotificationsCore,
  AdminNotificationsDependencies,
  ListAdminNotificationsInput,
  RaiseAdminNotificationInput,
} from './admin-notifications/admin-notifications-core.js';
export {
  buildAdminNotification,
  createAdminNotificationsCore,
} from './admin-notifications/admin-notifications-core.js';
export type { SendFailureAlertPolicy } from './admin-notifications/send-failure-streaks.js';
export {
  assertSendFailureAlertPolicy,
  keepRecentFailures,
} from './admin-notifications/send-failure-streaks.js';
export type { AllowedType, AttachmentKind } from './attachments/allowed-types.js';
export {
  ALLOWED_TYPES,
  classifyAttachment,
  declaredExtension,
  TextContentCheck,
  textType,
} from './attachments/allowed-types.js';
export { sanitizeFilename } from './attachments/sanitize-filename.js';
export { assertSafeStoragePath, assertSafeStoragePrefix, fileTooLarge } from './attachments/storage-path.js';
export type { DeliveryEventOutcome, DeliveryEventResult } from './email/apply-delivery-events.js';
export { applyDeliveryEvents } from './email/apply-delivery-events.js';
export type { DefaultEmailTemplate } from './email/default-templates.js';
export { DEFAULT_EMAIL_TEMPLATES } from './email/default-templates.js';
export { DELIVERY_EVENTS_KEY, reduceDeliveryEvent } from './email/delivery-event-reducer.js';
export type { EmailCore, EmailCoreDependencies, SendFailureAlertOptions } from './email/email-core.js';
export { createEmailCore } from './email/email-core.js';
export type { EmailSettingsShape } from './email/email-settings-policy.js';
export {
  allowedProviders,
  assertProviderAllowed,
  EMAIL_PROVIDER_TIERS,
  isProviderAllowed,
  validateEmailSettings,
} from './email/email-settings-policy.js';
export type {
  EmailTemplatesCore,
  EmailTemplatesCoreDependencies,
  RenderEmailInput,
  RenderedEmail,
  SaveStoreEmailTemplateInput,
  StoreEmailTemplateView,
  UpdateEmailTemplateInput,
} from './email/email-templates-core.js';
export { createEmailTemplatesCore } from './email/email-templates-core.js';
export type { EmailLogList, ListEmailLogsInput } from './email/list-email-logs.js';
export type { ResolvedEmailTemplate } from './email/resolve-email-template.js';
export { missingVariables, resolveEmailTemplate } from './email/resolve-email-template.js';
export type { ChosenTransport, SendEmailInput, SendEmailResult } from './email/send-email.js';
export { EMAIL_SEND_FAILURES_ISSUE } from './email/send-email.js';
export type {
  MaskedSecret,
  StoreEmailSettingsView,
  UpdateStoreEmailSettingsInput,
  VerifyStoreEmailSettingsResult,
} from './email/store-email-settings-use-cases.js';
export { EMAIL_VERIFICATION_FAILED_ISSUE } from './email/store-email-settings-use-cases.js';
export type { EmailBody } from './email/store-signature.js';
export { withStoreSignature } from './email/store-signature.js';
export type { MessagingErrorCode, MessagingErrorOptions } from './errors.js';
export { isMessagingError, MESSAGING_ERROR_CODES, MessagingError } from './errors.js';
export type {
  DispatchOutcome,
  DispatchRound,
  EventDispatcher,
  EventDispatcherOptions,
  EventSubscriber,
} from './events/event-dispatcher.js';
export { createEventDispatcher, dispatchBatch } from './events/event-dispatcher.js';
export type { MessagingCore, MessagingCoreDependencies } from './messaging-core.js';
export { createMessagingCore } from './messaging-core.js';
export type {
  AdminNotification,
  AdminNotificationPriority,
  AdminNotificationType,
} from './model/admin-notification.js';
export { ADMIN_NOTIFICATION_PRIORITIES, ADMIN_NOTIFICATION_TYPES } from './model/admin-notification.js';
export type { MessageAttachment } from './model/attachment.js';
export type { Conversation, ConversationParticipant } from './model/conversation.js';
export { isActiveMember, SUBJECT_MAX_LENGTH } from './model/conversation.js';
export type { DeliveryEvent, DeliveryEventType } from './model/delivery-event.js';
export { DELIVERY_EVENT_TYPES } from './model/delivery-event.js';
export type { DirectoryEntry } from './model/directory-entry.js';
export type {
  ConversationClosedEvent,
  ConversationCreatedEvent,
  ConversationReadEvent,
  ConversationReopenedEvent,
  DomainEvent,
  DomainEventType,
  EventPayloads,
  EventPosition,
  EventRecord,
  LoggedEvent,
  MessageDeletedEvent,
  MessageSentEvent,
  ParticipantAddedEvent,
  ParticipantJson,
  ParticipantPreferencesUpdatedEvent,
  ParticipantRemovedEvent,
  ParticipantRoleChangedEvent,
} from './model/domain-event.js';
export { comparePositions, LOG_START, messageSentPayload, toEventRecord } from './model/domain-event.js';
export type { EmailLog, EmailStatus } from './model/email-log.js';
export { EMAIL_STATUSES } from './model/email-log.js';
export type {
  EmailTemplate,
  EmailTemplateCategory,
  StoreEmailTemplate,
  TemplateVariable,
  TemplateVariables,
} from './model/email-template.js';
export { DEFAULT_TEMPLATE_LANGUAGE, EMAIL_TEMPLATE_CATEGORIES } from './model/email-template.js';
export type { Message } from './model/message.js';
export { DEFAULT_MESSAGE_MAX_LENGTH } from './model/message.js';
export type { NotificationJob, NotificationJobStatus } from './model/notification-job.js';
export type { Actor, ParticipantRef } from './model/participant-ref.js';
export { participantKey, sameParticipant } from './model/participant-ref.js';
export type {
  EmailProvider,
  EmailSecretField,
  MailgunRegion,
  StoreEmailSettings,
} from './model/store-email-settings.js';
export { EMAIL_PROVIDERS, EMAIL_SECRET_FIELDS, MAILGUN_REGIONS } from './model/store-email-settings.js';
export {
  EMAIL_NOTIFICATIONS_SUBSCRIBER,
  emailNotificationSubscriber,
} from './notifications/email-notification-subscriber.js';
export type {
  MessagePreview,
  NotificationDependencies,
  NotificationGroupOutcome,
  NotificationOptions,
  ProcessNotificationsInput,
  ProcessNotificationsResult,
} from './notifications/process-notifications.js';
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
} from './notifications/process-notifications.js';
export type {
  AccessPolicy,
  CapabilityScope,
  ConversationAction,
  ConversationTypeDefinition,
  MembershipChange,
  PolicyDecision,
  RecipientScope,
  StartDecision,
} from './policy/access-policy.js';
export { createAccessPolicy, InvalidPolicyDefinitionError } from './policy/create-access-policy.js';
export type { MarketplaceParticipantType } from './policy/marketplace-policy.js';
export {
  MARKETPLACE_CONVERSATION_TYPES,
  MARKETPLACE_PARTICIPANT_TYPES,
  marketplaceDefinition,
  marketplacePolicy,
} from './policy/marketplace-policy.js';
export type {
  CapabilityRow,
  ConversationTypeSpec,
  ParticipantTypeDefinition,
  Pattern,
  PermissionRow,
  PlatformCapability,
  PolicyAction,
  PolicyDefinition,
  PolicyPredicate,
  RefusalTable,
  RolePattern,
} from './policy/policy-definition.js';
export {
  definitionProblems,
  NON_MEMBER,
  PLATFORM_CAPABILITIES,
  POLICY_ACTIONS,
  POLICY_PREDICATES,
} from './policy/policy-definition.js';
export { requireCapability, tenantEmailOf } from './policy/require-capability.js';
export type {
  AdminNotificationCursor,
  AdminNotificationQuery,
  AdminNotificationRepository,
} from './ports/admin-notification-repository.js';
export type {
  AttachmentStorage,
  ByteStream,
  PutObjectInput,
  StoredObject,
  StoredObjectInfo,
} from './ports/attachment-storage.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type {
  CloseStateChange,
  ConversationRepository,
  InboxCounts,
  InboxCursor,
  InboxEntry,
  InboxFilter,
  InboxPage,
  InboxPageRequest,
} from './ports/conversation-repository.js';
export type { Directory, RecipientQuery } from './ports/directory.js';
export type {
  ApplyEventResult,
  DeliveryEventReducer,
  EmailLogCursor,
  EmailLogQuery,
  EmailLogRepository,
  EmailSendOutcome,
} from './ports/email-log-repository.js';
export type { EmailTemplateRepository } from './ports/email-template-repository.js';
export type { EventBatch, EventLog } from './ports/event-log.js';
export type { HtmlSanitizer } from './ports/html-sanitizer.js';
export type { IdGenerator } from './ports/id-generator.js';
export { uuidV7Ids } from './ports/id-generator.js';
export type { MailAddress, MailSendResult, MailTransport, OutboundEmail } from './ports/mail-transport.js';
export type { MailTransportFactory, StoreMailTransportConfig } from './ports/mail-transport-factory.js';
export type {
  CustomerRecord,
  MarketplaceDirectory,
  PlatformUserRecord,
  PlatformUserRole,
  StoreRecord,
  StoreTier,
  UpsertCustomer,
  UpsertPlatformUser,
  UpsertStore,
} from './ports/marketplace-directory.js';
export { STORE_TIERS } from './ports/marketplace-directory.js';
export type { DetectedType, ImageSize, MediaInspector, Thumbnail } from './ports/media-inspector.js';
export type {
  AppendMessageInput,
  AppendMessageResult,
  MessagePage,
  MessagePageRequest,
  MessageRepository,
  NewMessage,
  SoftDeleteInput,
} from './ports/message-repository.js';
export type { MessagingRepositories, MessagingStore } from './ports/messaging-store.js';
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
export type {
  OutboundAddressGuard,
  OutboundAddressVerdict,
  OutboundRefusalReason,
} from './ports/outbound-address-guard.js';
export { CLOUD_METADATA_ADDRESSES } from './ports/outbound-address-guard.js';
export type {
  JoinRequest,
  ParticipantRepository,
  PreferencesChange,
} from './ports/participant-repository.js';
export type { SecretCipher } from './ports/secret-cipher.js';
export type {
  SendFailureStreakRepository,
  SendFailureStreakUpdate,
} from './ports/send-failure-streak-repository.js';
export type { SettingsStore, SettingValue, StoredSetting } from './ports/settings-store.js';
export type { StoreEmailSettingsRepository } from './ports/store-email-settings-repository.js';
export type { RenderOptions, TemplateRenderer, TemplateSyntaxError } from './ports/template-renderer.js';
export type { WebhookReplayClaim, WebhookReplayGuard } from './ports/webhook-replay-guard.js';
export type {
  PlatformSettingsOptions,
  ResolvedSetting,
  SettingDefinition,
  SettingKey,
} from './settings/platform-settings.js';
export { PlatformSettings, SETTING_DEFINITIONS } from './settings/platform-settings.js';
export { isValidEmail } from './support/email-address.js';
export { NETWORK_ERROR_CODES, TIMEOUT_ERROR_CODES } from './support/mail-failures.js';
export { prepareOutboundEmail, stripLineBreaks } from './support/outbound-email.js';
export type { AddParticipantsInput } from './use-cases/add-participants.js';
export type {
  OpenAttachmentOptions,
  OpenedAttachment,
  SweepResult,
} from './use-cases/attachment-files.js';
export type { ChangeParticipantRoleInput } from './use-cases/change-participant-role.js';
export type { CreateConversationInput } from './use-cases/create-conversation.js';
export type { GetConversationOptions } from './use-cases/get-conversation.js';
export type { LeaveConversationInput } from './use-cases/leave-conversation.js';
export type { ConversationList, ListConversationsInput } from './use-cases/list-conversations.js';
export type { ListMessagesInput, MessageList } from './use-cases/list-messages.js';
export type { ListRecipientsInput } from './use-cases/list-recipients.js';
export type { MarkReadInput, ReadState } from './use-cases/mark-conversation-read.js';
export type { RemoveParticipantInput } from './use-cases/remove-participant.js';
export type { ActorClaims } from './use-cases/resolve-actor.js';
export type { NewAttachment, SendMessageInput, SendMessageResult } from './use-cases/send-message.js';
export type {
  SendMessageWithAttachmentsInput,
  UploadedFile,
} from './use-cases/send-message-with-attachments.js';
export { DETECTION_HEAD_BYTES, THUMBNAIL_MAX_SIDE } from './use-cases/send-message-with-attachments.js';
export type { Preferences } from './use-cases/update-preferences.js';
export type {
  ConversationDetail,
  ConversationSummary,
  LastMessagePreview,
  MemberView,
  MessageView,
  ParticipantView,
} from './use-cases/views.js';
export { PREVIEW_LENGTH } from './use-cases/views.js';
