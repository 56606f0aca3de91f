export type {
  AdminNotificationList,
  AdminNotificationsCore,
  AdminNotificationsDependencies,
  ListAdminNotificationsInput,
  RaiseAdminNotificationInput,
} from './alerts/admin-notifications-core.js';
export {
  buildAdminNotification,
  createAdminNotificationsCore,
} from './alerts/admin-notifications-core.js';
export type {
  AdminNotification,
  AdminNotificationPriority,
  AdminNotificationType,
} from './alerts/model/admin-notification.js';
export {
  ADMIN_NOTIFICATION_PRIORITIES,
  ADMIN_NOTIFICATION_TYPES,
} from './alerts/model/admin-notification.js';
export type {
  AdminNotificationCursor,
  AdminNotificationQuery,
  AdminNotificationRepository,
} from './alerts/ports/admin-notification-repository.js';
export type {
  AuditCore,
  AuditDependencies,
  AuditLogFilters,
  AuditLogPage,
  ListAuditLogInput,
} from './audit/audit-core.js';
export { createAuditCore } from './audit/audit-core.js';
export type { AllowedType, AttachmentKind } from './conversations/attachments/allowed-types.js';
export {
  ALLOWED_TYPES,
  classifyAttachment,
  declaredExtension,
  TextContentCheck,
  textType,
} from './conversations/attachments/allowed-types.js';
export { sanitizeFilename } from './conversations/attachments/sanitize-filename.js';
export {
  assertSafeStoragePath,
  assertSafeStoragePrefix,
  fileTooLarge,
} from './conversations/attachments/storage-path.js';
export type { MessagingCore, MessagingCoreDependencies } from './conversations/messaging-core.js';
export { createMessagingCore } from './conversations/messaging-core.js';
export type { MessageAttachment } from './conversations/model/attachment.js';
export type { Conversation, ConversationParticipant } from './conversations/model/conversation.js';
export {
  effectiveDeliveredSeq,
  isActiveMember,
  SUBJECT_MAX_LENGTH,
} from './conversations/model/conversation.js';
export type {
  ConversationArchivedEvent,
  ConversationClosedEvent,
  ConversationCreatedEvent,
  ConversationDeliveredEvent,
  ConversationReadEvent,
  ConversationRenamedEvent,
  ConversationReopenedEvent,
  ConversationUnarchivedEvent,
  DomainEvent,
  DomainEventType,
  ErasureCounts,
  EventPayloads,
  EventRecord,
  LoggedEvent,
  MessageDeletedEvent,
  MessageSentEvent,
  MessageUpdatedEvent,
  NotificationPreferencesUpdatedEvent,
  ParticipantAddedEvent,
  ParticipantErasedEvent,
  ParticipantExportedEvent,
  ParticipantJson,
  ParticipantPreferencesUpdatedEvent,
  ParticipantRemovedEvent,
  ParticipantRoleChangedEvent,
} from './conversations/model/domain-event.js';
export {
  DOMAIN_EVENT_TYPES,
  messageSentPayload,
  recipientsOf,
  toEventRecord,
} from './conversations/model/domain-event.js';
export type { Message, MessageRevision } from './conversations/model/message.js';
export { DEFAULT_MESSAGE_MAX_LENGTH, revisionOf } from './conversations/model/message.js';
// Moderation (issue 14).
export type {
  ContactDetailsSettings,
  MessageModeration,
  ModerationAction,
  ModerationMatchAction,
  ModerationSettings,
  ModerationState,
  ModerationVerdict,
  WordListSettings,
} from './conversations/model/moderation.js';
export {
  DEFAULT_MODERATION_SETTINGS,
  hiddenByModeration,
  MAX_MODERATION_TERM_LENGTH,
  MAX_MODERATION_TERMS,
  MODERATION_MATCH_ACTIONS,
  MODERATION_STATES,
  moderationDefaultsFor,
  PRESET_MODERATION_DEFAULTS,
} from './conversations/model/moderation.js';
export type { SnippetSegment } from './conversations/model/search-text.js';
export {
  containsEveryTerm,
  everyTermStartsAWord,
  highlightSnippet,
  SEARCH_MAX_TERMS,
  SEARCH_QUERY_MAX_LENGTH,
  SNIPPET_LENGTH,
  searchTerms,
} from './conversations/model/search-text.js';
export { CachingModerationSettings } from './conversations/moderation/caching-moderation-settings.js';
export type {
  ModerationChain,
  ModerationFailureMode,
  ModerationOutcome,
  ModeratorEntry,
} from './conversations/moderation/compose-moderators.js';
export { composeModerators } from './conversations/moderation/compose-moderators.js';
export {
  contactDetailsModerator,
  findContactDetails,
  MODERATION_MASK,
} from './conversations/moderation/contact-details-moderator.js';
export type {
  AccessPolicy,
  CapabilityScope,
  ConversationAction,
  ConversationTypeDefinition,
  DecisionFacts,
  MembershipChange,
  PolicyDecision,
  RecipientScope,
  StartDecision,
  TeamInboxScope,
  TeamSpec,
} from './conversations/policy/access-policy.js';
export type { CareTeamParticipantType } from './conversations/policy/care-team-policy.js';
export {
  ADMINS_CANNOT_BE_BLOCKED,
  BLOCKED_BY_RECIPIENT,
  CARE_TEAM_PARTICIPANT_TYPES,
  careTeamDefinition,
  careTeamPolicy,
  careTeamPreset,
  USERS_ONLY_REPLY_TO_CLINICIANS,
} from './conversations/policy/care-team-policy.js';
export {
  communityDefinition,
  communityPolicy,
  communityPreset,
} from './conversations/policy/community-policy.js';
export {
  createAccessPolicy,
  InvalidPolicyDefinitionError,
} from './conversations/policy/create-access-policy.js';
export type { MarketplaceParticipantType } from './conversations/policy/marketplace-policy.js';
export {
  MARKETPLACE_CONVERSATION_TYPES,
  MARKETPLACE_PARTICIPANT_TYPES,
  marketplaceDefinition,
  marketplacePolicy,
  marketplacePreset,
} from './conversations/policy/marketplace-policy.js';
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
} from './conversations/policy/policy-definition.js';
export {
  definitionProblems,
  NON_MEMBER,
  PLATFORM_CAPABILITIES,
  POLICY_ACTIONS,
  POLICY_PREDICATES,
} from './conversations/policy/policy-definition.js';
export type { DemoConversation, DemoPerson, DemoTenant, Preset } from './conversations/policy/preset.js';
export type { PresetName } from './conversations/policy/presets.js';
export { PRESET_NAMES, PRESETS, presetByName } from './conversations/policy/presets.js';
export { requireCapability, tenantEmailOf } from './conversations/policy/require-capability.js';
export type {
  AttachmentStorage,
  ByteRange,
  ByteStream,
  PresignReadOptions,
  PutObjectInput,
  StoredObject,
  StoredObjectInfo,
} from './conversations/ports/attachment-storage.js';
export type { BlockRecord, BlockRepository } from './conversations/ports/block-repository.js';
export type { ContentModerator, ModerationRequest } from './conversations/ports/content-moderator.js';
export type {
  CloseStateChange,
  ConversationRepository,
  InboxCounts,
  InboxCursor,
  InboxEntry,
  InboxFilter,
  InboxPage,
  InboxPageRequest,
  TeamInboxFilter,
} from './conversations/ports/conversation-repository.js';
export type { EventBatch, EventLog, EventSubscriber } from './conversations/ports/event-log.js';
export type {
  DetectedType,
  ImageSize,
  MediaInspector,
  Thumbnail,
} from './conversations/ports/media-inspector.js';
export type {
  AppendMessageInput,
  AppendMessageResult,
  EditMessageChange,
  EditMessageResult,
  HideResult,
  MessagePage,
  MessagePageRequest,
  MessageRepository,
  ModerationQueueItem,
  ModerationQueuePage,
  ModerationQueueRequest,
  NewMessage,
  ReviewDecision,
  ReviewResult,
  SoftDeleteInput,
} from './conversations/ports/message-repository.js';
export type {
  MessageSearch,
  MessageSearchHit,
  MessageSearchPage,
  MessageSearchQuery,
  SearchCursor,
  SearchScope,
  SearchSort,
} from './conversations/ports/message-search.js';
export { SEARCH_RELEVANCE_WINDOW } from './conversations/ports/message-search.js';
export type { MessagingRepositories, MessagingStore } from './conversations/ports/messaging-store.js';
export type { ModerationSettingsRepository } from './conversations/ports/moderation-settings-repository.js';
export type {
  DeliveryAdvance,
  JoinRequest,
  ParticipantRepository,
  PreferencesChange,
  ReceiptTime,
} from './conversations/ports/participant-repository.js';
export type { AddParticipantsInput } from './conversations/use-cases/add-participants.js';
export type {
  ByteRangeRequest,
  OpenAttachmentOptions,
  OpenedAttachment,
  PresignAttachmentOptions,
  SweepResult,
} from './conversations/use-cases/attachment-files.js';
export type { ChangeParticipantRoleInput } from './conversations/use-cases/change-participant-role.js';
export type { CreateConversationInput } from './conversations/use-cases/create-conversation.js';
export type {
  BlockView,
  DirectConversation,
  DirectInbox,
  DirectInboxInput,
  DirectInboxRow,
  DirectMessageView,
  SendDirectMessageInput,
} from './conversations/use-cases/direct-messages.js';
export type {
  EditMessageInput,
  MessageRevisionList,
  MessageRevisionView,
} from './conversations/use-cases/edit-message.js';
export type { GetConversationOptions } from './conversations/use-cases/get-conversation.js';
export type { LeaveConversationInput } from './conversations/use-cases/leave-conversation.js';
export type {
  ConversationList,
  ListConversationsInput,
} from './conversations/use-cases/list-conversations.js';
export type { ListMessagesInput, MessageList } from './conversations/use-cases/list-messages.js';
export type { ListRecipientsInput } from './conversations/use-cases/list-recipients.js';
export type { MarkReadInput, ReadState } from './conversations/use-cases/mark-conversation-read.js';
export type { DeliveredState, DeliveryAck } from './conversations/use-cases/mark-delivered.js';
export type { RemoveParticipantInput } from './conversations/use-cases/remove-participant.js';
export type { ActorClaims } from './conversations/use-cases/resolve-actor.js';
export type {
  ModerationItemView,
  ModerationQueueInput,
  ModerationQueueList,
  ReviewMessageInput,
} from './conversations/use-cases/review-messages.js';
export { mergeModerationSettings } from './conversations/use-cases/review-messages.js';
export type {
  MessageSearchResult,
  MessageSearchResults,
  SearchMessagesInput,
} from './conversations/use-cases/search-messages.js';
export type {
  NewAttachment,
  SendMessageInput,
  SendMessageResult,
} from './conversations/use-cases/send-message.js';
export type {
  SendMessageWithAttachmentsInput,
  UploadedFile,
} from './conversations/use-cases/send-message-with-attachments.js';
export {
  DETECTION_HEAD_BYTES,
  THUMBNAIL_MAX_SIDE,
} from './conversations/use-cases/send-message-with-attachments.js';
export type { ArchiveState } from './conversations/use-cases/set-conversation-archived.js';
export type { Preferences } from './conversations/use-cases/update-preferences.js';
export type {
  ConversationDetail,
  ConversationSummary,
  LastMessagePreview,
  MemberView,
  MessageReceipts,
  MessageView,
  ParticipantView,
  ReceiptView,
} from './conversations/use-cases/views.js';
export { noReceiptsYet, PREVIEW_LENGTH, RECEIPT_LIST_MAX_MEMBERS } from './conversations/use-cases/views.js';
export type { EmailCore, EmailCoreDependencies, SendFailureAlertOptions } from './email/email-core.js';
export { createEmailCore } from './email/email-core.js';
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
export type { DefaultEmailTemplate } from './email/model/default-templates.js';
export { DEFAULT_EMAIL_TEMPLATES, INBOUND_BOUNCE_TEMPLATES } from './email/model/default-templates.js';
export type { DeliveryEvent, DeliveryEventType } from './email/model/delivery-event.js';
export { DELIVERY_EVENT_TYPES } from './email/model/delivery-event.js';
export { DELIVERY_EVENTS_KEY, reduceDeliveryEvent } from './email/model/delivery-event-reducer.js';
export { isValidEmail } from './email/model/email-address.js';
export type { EmailLog, EmailStatus } from './email/model/email-log.js';
export { EMAIL_STATUSES } from './email/model/email-log.js';
export type { EmailSettingsShape } from './email/model/email-settings-policy.js';
export {
  allowedProviders,
  assertProviderAllowed,
  EMAIL_PROVIDER_TIERS,
  isProviderAllowed,
  validateEmailSettings,
} from './email/model/email-settings-policy.js';
export type {
  EmailTemplate,
  EmailTemplateCategory,
  StoreEmailTemplate,
  TemplateScalar,
  TemplateVariable,
  TemplateVariables,
} from './email/model/email-template.js';
export { DEFAULT_TEMPLATE_LANGUAGE, EMAIL_TEMPLATE_CATEGORIES } from './email/model/email-template.js';
export { NETWORK_ERROR_CODES, TIMEOUT_ERROR_CODES } from './email/model/mail-failures.js';
export { prepareOutboundEmail, stripLineBreaks } from './email/model/outbound-email.js';
export type { ResolvedEmailTemplate } from './email/model/resolve-email-template.js';
export { missingVariables, resolveEmailTemplate } from './email/model/resolve-email-template.js';
export type { SendFailureAlertPolicy } from './email/model/send-failure-streaks.js';
export {
  assertSendFailureAlertPolicy,
  keepRecentFailures,
} from './email/model/send-failure-streaks.js';
export type {
  EmailProvider,
  EmailSecretField,
  MailgunRegion,
  StoreEmailSettings,
} from './email/model/store-email-settings.js';
export { EMAIL_PROVIDERS, EMAIL_SECRET_FIELDS, MAILGUN_REGIONS } from './email/model/store-email-settings.js';
export type { EmailBody } from './email/model/store-signature.js';
export { withStoreSignature } from './email/model/store-signature.js';
export type {
  ApplyEventResult,
  DeliveryEventReducer,
  EmailLogCursor,
  EmailLogQuery,
  EmailLogRepository,
  EmailSendOutcome,
} from './email/ports/email-log-repository.js';
export type { EmailTemplateRepository } from './email/ports/email-template-repository.js';
export type { HtmlSanitizer } from './email/ports/html-sanitizer.js';
export type {
  MailAddress,
  MailSendResult,
  MailTransport,
  OutboundEmail,
} from './email/ports/mail-transport.js';
export type { MailTransportFactory, StoreMailTransportConfig } from './email/ports/mail-transport-factory.js';
export type {
  OutboundAddressGuard,
  OutboundAddressVerdict,
  OutboundRefusalReason,
} from './email/ports/outbound-address-guard.js';
export { CLOUD_METADATA_ADDRESSES } from './email/ports/outbound-address-guard.js';
export type { SecretCipher } from './email/ports/secret-cipher.js';
export type {
  SendFailureStreakRepository,
  SendFailureStreakUpdate,
} from './email/ports/send-failure-streak-repository.js';
export type { StoreEmailSettingsRepository } from './email/ports/store-email-settings-repository.js';
export type {
  RenderOptions,
  TemplateRenderer,
  TemplateSyntaxError,
} from './email/ports/template-renderer.js';
export type { WebhookReplayClaim, WebhookReplayGuard } from './email/ports/webhook-replay-guard.js';
export type { DeliveryEventOutcome, DeliveryEventResult } from './email/use-cases/apply-delivery-events.js';
export { applyDeliveryEvents } from './email/use-cases/apply-delivery-events.js';
export type { EmailLogList, ListEmailLogsInput } from './email/use-cases/list-email-logs.js';
export type { ChosenTransport, SendEmailInput, SendEmailResult } from './email/use-cases/send-email.js';
export { EMAIL_SEND_FAILURES_ISSUE } from './email/use-cases/send-email.js';
export type {
  MaskedSecret,
  StoreEmailSettingsView,
  UpdateStoreEmailSettingsInput,
  VerifyStoreEmailSettingsResult,
} from './email/use-cases/store-email-settings-use-cases.js';
export { EMAIL_VERIFICATION_FAILED_ISSUE } from './email/use-cases/store-email-settings-use-cases.js';
export type {
  AuditActor,
  AuditAuthor,
  AuditEntry,
  AuditJson,
  AuditRecord,
  AuditTarget,
} from './kernel/audit/audit-entry.js';
export { auditEntryBy, diffOf, MASKED, maskSecrets, originColumns } from './kernel/audit/audit-entry.js';
export type { AuditLog, AuditQuery } from './kernel/audit/audit-log.js';
export type { AuditableRecord } from './kernel/audit/audited-events.js';
export { AUDITED_EVENTS, auditEntryOf, isAudited } from './kernel/audit/audited-events.js';
export type { CachingDirectoryOptions } from './kernel/directory/caching-directory.js';
export { CachingDirectory } from './kernel/directory/caching-directory.js';
export type { DirectoryChangedPayload, DirectoryEventPayloads } from './kernel/directory/directory-events.js';
export { changedParticipantId, DIRECTORY_CHANGED } from './kernel/directory/directory-events.js';
export type { MessagingErrorCode, MessagingErrorOptions } from './kernel/errors.js';
export { isMessagingError, MESSAGING_ERROR_CODES, MessagingError } from './kernel/errors.js';
export type {
  DispatchOutcome,
  DispatchRound,
  EventDispatcher,
  EventDispatcherOptions,
  EventLogUnit,
  EventStore,
  EventSubscriberOf,
} from './kernel/events/event-dispatcher.js';
export { createEventDispatcher, dispatchBatch } from './kernel/events/event-dispatcher.js';
export type { DirectoryEntry } from './kernel/model/directory-entry.js';
export type { EventPosition, EventRecordOf, LoggedEventOf } from './kernel/model/event-envelope.js';
export { comparePositions, LOG_START } from './kernel/model/event-envelope.js';
export type { Actor, ParticipantRef } from './kernel/model/participant-ref.js';
export { participantKey, sameParticipant } from './kernel/model/participant-ref.js';
export type { RequestOrigin } from './kernel/model/request-origin.js';
export { originOf } from './kernel/model/request-origin.js';
export type { Clock } from './kernel/ports/clock.js';
export { systemClock } from './kernel/ports/clock.js';
export type { Directory, RecipientQuery } from './kernel/ports/directory.js';
export type { EventBatchOf, EventLogOf } from './kernel/ports/event-log.js';
export type { IdGenerator } from './kernel/ports/id-generator.js';
export { uuidV7Ids } from './kernel/ports/id-generator.js';
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
} from './kernel/ports/marketplace-directory.js';
export { STORE_TIERS } from './kernel/ports/marketplace-directory.js';
export type {
  PeopleDirectory,
  PersonRecord,
  TenantRecord,
  UpsertPerson,
  UpsertTenant,
} from './kernel/ports/people-directory.js';
export type { SettingsStore, SettingValue, StoredSetting } from './kernel/ports/settings-store.js';
export type { TenantDirectory, TenantSummary } from './kernel/ports/tenant-directory.js';
export type { CachingSettingsStoreOptions } from './kernel/settings/caching-settings-store.js';
export { CachingSettingsStore } from './kernel/settings/caching-settings-store.js';
export type {
  PlatformSettingsOptions,
  ResolvedSetting,
  SettingDefinition,
  SettingKey,
} from './kernel/settings/platform-settings.js';
export { PlatformSettings, SETTING_DEFINITIONS } from './kernel/settings/platform-settings.js';
export type { SettingsChangedPayload } from './kernel/settings/settings-events.js';
export { changedSettingKey, SETTINGS_CHANGED } from './kernel/settings/settings-events.js';
export type {
  DigestPeriod,
  DueDigest,
  LocalTime,
} from './notifications/model/digest-schedule.js';
export { dueDigest, localTimeIn } from './notifications/model/digest-schedule.js';
export type { NotificationJob, NotificationJobStatus } from './notifications/model/notification-job.js';
export type {
  EmailFrequency,
  NotificationPreferences,
  NotificationPreferencesChange,
} from './notifications/model/notification-preferences.js';
export {
  applyPreferencesChange,
  DEFAULT_NOTIFICATION_PREFERENCES,
  defaultNotificationPreferences,
  EMAIL_FREQUENCIES,
  ISO_WEEKDAYS,
  isKnownTimeZone,
} from './notifications/model/notification-preferences.js';
export type { DecodedReplyToken, ReplyTokenClaims } from './notifications/model/reply-token.js';
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
} from './notifications/model/reply-token.js';
export type {
  ClaimDigestInput,
  DigestFence,
  DigestLedger,
  DigestRecord,
  DigestStatus,
  FinishDigestInput,
  RetryDigestInput,
} from './notifications/ports/digest-ledger.js';
export type {
  ListDigestSubscribersInput,
  NotificationPreferencesRepository,
  SavedNotificationPreferences,
} from './notifications/ports/notification-preferences-repository.js';
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
} from './notifications/ports/notification-queue.js';
export type {
  NotifyingMessagingStore,
  NotifyingRepositories,
} from './notifications/ports/notifying-messaging-store.js';
export type { ReplyTokenSigner } from './notifications/ports/reply-token-signer.js';
export {
  EMAIL_NOTIFICATIONS_SUBSCRIBER,
  emailNotificationSubscriber,
} from './notifications/use-cases/email-notification-subscriber.js';
export type {
  NotificationPreferencesCore,
  NotificationPreferencesDependencies,
} from './notifications/use-cases/notification-preferences-use-cases.js';
export { createNotificationPreferencesCore } from './notifications/use-cases/notification-preferences-use-cases.js';
export type {
  MessagePreview,
  NotificationDependencies,
  NotificationGroupOutcome,
  NotificationOptions,
  ProcessNotificationsInput,
  ProcessNotificationsResult,
} from './notifications/use-cases/process-notifications.js';
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
} from './notifications/use-cases/process-notifications.js';
export type {
  InboundBounceReason,
  InboundEmail,
  InboundReplyDependencies,
  InboundReplyOutcome,
  ReplyAddressSettings,
} from './notifications/use-cases/receive-inbound-reply.js';
export {
  INBOUND_BOUNCE_TEMPLATE,
  receiveInboundReply,
  replyAddress,
} from './notifications/use-cases/receive-inbound-reply.js';
export type {
  DigestDependencies,
  DigestOptions,
  DigestOutcome,
  DigestVariables,
  SendDigestsInput,
  SendDigestsResult,
} from './notifications/use-cases/send-digests.js';
export {
  DIGEST_DEFAULTS,
  DIGEST_TEMPLATES,
  digestVariables,
  sendDueDigests,
} from './notifications/use-cases/send-digests.js';
export type {
  ErasureOutcome,
  ErasureResult,
  PersonalAttachmentRecord,
  PersonalBlockRecord,
  PersonalDataExport,
  PersonalDataFile,
  PersonalDataPage,
  PersonalDataRepositories,
  PersonalDataRepository,
  PersonalDataSection,
  PersonalDataStore,
  PersonalDirectoryRecord,
  PersonalEmailLogRecord,
  PersonalHiddenMessageRecord,
  PersonalMembershipRecord,
  PersonalMessageRecord,
  PersonalReceiptRecord,
  PersonalRevisionRecord,
  PrivacyCore,
  PrivacyCoreDependencies,
} from './privacy/index.js';
export {
  createPrivacyCore,
  ERASED_CONTENT,
  ERASED_NAME,
  EXPORT_PAGE_SIZE,
  pagesOf,
  personalDataSections,
} from './privacy/index.js';
export type {
  ClientPresenceStatus,
  LiveAudience,
  LiveBatch,
  LiveConversationChange,
  LiveDelivery,
  LiveFeed,
  LiveFeedDependencies,
  LiveReadState,
  LiveReplay,
  LiveSignal,
  LiveSignalBus,
  LiveSignalKind,
  LiveView,
  LiveViewKind,
  PresenceChange,
  PresenceReport,
  PresenceStatus,
  PresenceTrackerOptions,
  PresenceUpdate,
  PresenceView,
  TypingFrame,
  TypingInput,
  TypingRelayOptions,
  TypingState,
  TypingStop,
} from './realtime/index.js';
export {
  createLiveFeed,
  decodeLiveSignal,
  deliverLiveSignal,
  encodeLiveSignal,
  MAX_SIGNAL_BYTES,
  PresenceTracker,
  presenceAsSeen,
  TypingRelay,
  utf8Bytes,
} from './realtime/index.js';
export type {
  ClaimedWebhookDelivery,
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  NewWebhookDelivery,
  ProcessWebhooksResult,
  RotatedWebhookSecret,
  UpdateWebhookEndpointInput,
  WebhookAttempt,
  WebhookAttemptOutcome,
  WebhookBody,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryPage,
  WebhookDeliveryQuery,
  WebhookDeliveryRepository,
  WebhookDeliveryStatus,
  WebhookDisabledReason,
  WebhookEndpoint,
  WebhookEndpointChanges,
  WebhookEndpointCursor,
  WebhookEndpointPage,
  WebhookEndpointRepository,
  WebhookOwner,
  WebhookRepositories,
  WebhookRequest,
  WebhookResponse,
  WebhookSecret,
  WebhookSecretGenerator,
  WebhookStore,
  WebhooksCore,
  WebhooksDependencies,
  WebhookTransport,
} from './webhooks/index.js';
export {
  ALL_WEBHOOK_EVENTS,
  createWebhooksCore,
  endpointReceives,
  eventWebhookBody,
  orderingKeyOf,
  pingWebhookBody,
  RESPONSE_SNIPPET_MAX,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_PING_TYPE,
  WEBHOOK_RETRY_WINDOW_MS,
  WEBHOOK_SECRET_OVERLAP_MS,
  WEBHOOK_SUBSCRIBER,
  webhookEventSubscriber,
  webhookRetryDelayMs,
  webhookSecretContext,
} from './webhooks/index.js';
